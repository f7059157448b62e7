import { Select, type SelectProps } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Client, User } from '../../../../shared/schemas';
import { Choice, choiceOptions } from '../../components/Choice';

type FixedProps = 'label' | 'placeholder' | 'data' | 'clearable' | 'allowDeselect';

/** The "Client" a lab tool issues its tokens to: always one of them. */
export function TokenClientSelect({
  clients,
  ...props
}: Omit<SelectProps, FixedProps> & { clients: readonly Client[] }) {
  return <Select label="Client" data={clients.map((c) => c.client_id)} allowDeselect={false} {...props} />;
}

/**
 * The "User" of a token a lab tool issues: empty makes a machine token (its subject is the client). Its
 * clear button is a named, focusable button, as in the filters.
 */
export function TokenUserSelect({
  users,
  ...props
}: Omit<SelectProps, FixedProps> & { users: readonly User[] }) {
  return (
    <Select
      label="User"
      placeholder="None — machine token"
      data={users.map((u) => u.username)}
      clearable
      clearButtonProps={{ 'aria-label': 'Clear user', 'aria-hidden': false, tabIndex: 0 }}
      {...props}
    />
  );
}

/** "client": whatever format the client is registered with. */
export type FormatChoice = 'client' | 'jwt' | 'reference';

interface FormatChoiceProps {
  /** The chosen client, whose registered format the first option names. */
  client: Client | undefined;
  value: FormatChoice;
  onChange: (format: FormatChoice) => void;
  description?: ReactNode;
}

/** The format of an access token a lab tool issues: the client's own, or JWT or reference regardless. */
export function AccessTokenFormatChoice({ client, value, onChange, description }: FormatChoiceProps) {
  return (
    <Choice
      label="Format"
      value={value}
      onChange={onChange}
      data={choiceOptions<FormatChoice>({
        client: `Client's (${client?.access_token_format ?? 'jwt'})`,
        jwt: 'JWT',
        reference: 'Reference',
      })}
      description={description}
    />
  );
}
