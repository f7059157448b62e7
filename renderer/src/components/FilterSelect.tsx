import { Select, type SelectProps } from '@mantine/core';
import { useState } from 'react';
import { TOKEN_KINDS, type TokenKind } from '../../../shared/schemas';
import { useAdminQuery } from '../data/contract-queries';

interface FilterSelectProps extends Omit<SelectProps, 'clearable' | 'label'> {
  label: string;
}

/**
 * A clearable, searchable filter. Mantine hides its clear button from the keyboard and screen readers;
 * here it is a named, focusable button ("Clear client filter").
 */
export function FilterSelect({ label, ...props }: FilterSelectProps) {
  return (
    <Select
      label={label}
      clearable
      searchable
      clearButtonProps={{
        'aria-label': `Clear ${label.toLowerCase()} filter`,
        'aria-hidden': false,
        tabIndex: 0,
      }}
      {...props}
    />
  );
}

export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  access: 'Access',
  refresh: 'Refresh',
  id: 'ID',
};

/** The "Kind" filter of the token views. */
export function TokenKindFilter({
  value,
  onChange,
}: {
  value: TokenKind | null;
  onChange: (kind: TokenKind | null) => void;
}) {
  return (
    <FilterSelect
      label="Kind"
      placeholder="Any kind"
      data={TOKEN_KINDS.map((kind) => ({ value: kind, label: TOKEN_KIND_LABELS[kind] }))}
      value={value}
      onChange={(kind) => onChange(kind as TokenKind | null)}
      w={140}
    />
  );
}

/** The client and user a token or event view is narrowed to, and the filter fields they make. */
export function useClientAndUserFilter() {
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  return {
    clientId,
    setClientId,
    username,
    setUsername,
    /** The fields of a tokens.list or events.list filter; empty when nothing is chosen. */
    filter: { ...(clientId ? { client_id: clientId } : {}), ...(username ? { username } : {}) },
  };
}

type ClientAndUserFilter = ReturnType<typeof useClientAndUserFilter>;

/** The "Client" and "User" filters of the token, activity and timeline views, with their own data. */
export function ClientAndUserFilters({ selection }: { selection: ClientAndUserFilter }) {
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  const filters = [
    [
      'Client',
      'Any client',
      clients.data?.map((c) => c.client_id),
      selection.clientId,
      selection.setClientId,
    ],
    ['User', 'Any user', users.data?.map((u) => u.username), selection.username, selection.setUsername],
  ] as const;
  return filters.map(([label, placeholder, data, value, onChange]) => (
    <FilterSelect
      key={label}
      label={label}
      placeholder={placeholder}
      data={data ?? []}
      value={value}
      onChange={onChange}
      w={200}
    />
  ));
}
