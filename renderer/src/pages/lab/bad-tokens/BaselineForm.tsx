import { Group, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import type { Client, User } from '../../../../../shared/schemas';
import { AccessTokenFormatChoice, TokenClientSelect, TokenUserSelect } from '../TokenSelects';
import { type BaselineDraft, defaultAudience } from './baseline';

interface BaselineFormProps {
  clients: Client[];
  users: User[];
  value: BaselineDraft;
  onChange: (value: BaselineDraft) => void;
}

/**
 * How to get a good token, for Bad tokens and Check my API alike: every bad token is this one with
 * one thing wrong. Empty fields take the client's defaults.
 */
export function BaselineForm({ clients, users, value, onChange }: BaselineFormProps) {
  const client = clients.find((c) => c.client_id === value.clientId);
  const set = <K extends keyof BaselineDraft>(key: K, field: BaselineDraft[K]) =>
    onChange({ ...value, [key]: field });
  return (
    <Stack>
      <Group grow align="flex-start">
        <TokenClientSelect
          clients={clients}
          description="The tokens are issued to this client."
          value={value.clientId}
          onChange={(clientId) => set('clientId', clientId)}
          searchable
        />
        <TokenUserSelect
          users={users}
          description="Leave empty for a machine token (its subject is the client)."
          value={value.username}
          onChange={(username) => set('username', username)}
          searchable
        />
        <AccessTokenFormatChoice
          client={client}
          value={value.format}
          onChange={(format) => set('format', format)}
          description={
            <Text size="xs" c="dimmed">
              Of the good token. Reference-only flaws are made either way.
            </Text>
          }
        />
      </Group>
      <Group grow align="flex-start">
        <TagsInput
          label="Audience"
          description="The API the tokens are for. Empty: the client's audience, else its client_id."
          placeholder={defaultAudience(client).join(', ') || 'orders-api'}
          value={value.audience}
          onChange={(audience) => set('audience', audience)}
          data={[...new Set(clients.flatMap((c) => c.audience))]}
        />
        <TextInput
          label="Scope"
          description="Space-separated. Empty: the client's registered scope."
          placeholder={client?.scope || '(none)'}
          value={value.scope}
          onChange={(event) => set('scope', event.currentTarget.value)}
        />
        <TextInput
          label="Required scope"
          description="What your API needs; the “insufficient scope” token leaves it out."
          placeholder="orders:read"
          value={value.requiredScope}
          onChange={(event) => set('requiredScope', event.currentTarget.value)}
        />
      </Group>
    </Stack>
  );
}
