import { Select, type SelectProps } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../api';
import { QK } from '../data/keys';

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

interface EntityFilterProps {
  value: string | null;
  onChange: (value: string | null) => void;
}

/** The "Client" and "User" filters of the token, activity and timeline views, with their own data. */
export function ClientAndUserFilters({
  client,
  user,
}: {
  client: EntityFilterProps;
  user: EntityFilterProps;
}) {
  const clients = useQuery({ queryKey: [QK.clients], queryFn: () => adminApi.clients.list({}) });
  const users = useQuery({ queryKey: [QK.users, ''], queryFn: () => adminApi.users.list({}) });
  return (
    <>
      <FilterSelect
        label="Client"
        placeholder="Any client"
        data={(clients.data ?? []).map((c) => c.client_id)}
        value={client.value}
        onChange={client.onChange}
        w={200}
      />
      <FilterSelect
        label="User"
        placeholder="Any user"
        data={(users.data ?? []).map((u) => u.username)}
        value={user.value}
        onChange={user.onChange}
        w={200}
      />
    </>
  );
}
