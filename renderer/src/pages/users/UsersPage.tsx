import { Badge, Button, EmptyState, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { User } from '../../../../shared/schemas';
import { type Column, DataTable } from '../../components/DataTable';
import { useFormModal } from '../../components/FormModal';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { ClaimsPreviewModal } from './ClaimsPreviewModal';
import { UserFormModal } from './UserFormModal';

function claimsSummary(user: User): string {
  const { name, email } = user.claims;
  const known = [name, email].filter((v): v is string => typeof v === 'string');
  const count = Object.keys(user.claims).length;
  if (known.length) return `${known.join(' · ')}${count > known.length ? ` +${count - known.length}` : ''}`;
  return count ? `${count} claim${count === 1 ? '' : 's'}` : 'no claims';
}

const COLUMNS: ReadonlyArray<Column<User>> = [
  { header: 'Username', cell: (user) => user.username, props: { fw: 600 } },
  {
    header: 'Subject',
    cell: (user) => (
      <Text size="xs" ff="monospace">
        {user.sub}
      </Text>
    ),
  },
  { header: 'Claims', cell: (user) => <Text size="sm">{claimsSummary(user)}</Text> },
  {
    header: 'Password',
    cell: (user) => (
      <Badge variant="light" color={user.password ? 'blue' : 'gray'}>
        {user.password ? 'set' : 'none'}
      </Badge>
    ),
  },
  { header: 'Updated', cell: (user) => <RelativeTime value={user.updated_at} /> },
];

export function UsersPage() {
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250);
  const form = useFormModal<User>();
  const [previewing, setPreviewing] = useState<string | null>(null);
  const users = useAdminQuery('users.list', debouncedSearch ? { search: debouncedSearch } : undefined, {
    placeholderData: (previous) => previous,
  });
  const remove = useAdminMutation('users.delete', { success: (_, { username }) => `Deleted ${username}` });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => form.open(null)}>New user</Button>
      </Group>
      <TextInput
        label="Search users"
        placeholder="Username, subject or claim value"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        type="search"
        maw={420}
      />
      <QueryState query={users} what="users" />
      <DataTable
        label="Users"
        rows={users.data}
        rowKey={(user) => user.username}
        columns={COLUMNS}
        minWidth={760}
        striped
        highlightOnHover
        empty={
          <EmptyState
            title={debouncedSearch ? `No user matches "${debouncedSearch}"` : 'No users yet'}
            description={
              debouncedSearch
                ? 'Try another search, or clear it to see everyone.'
                : 'Create a test user, give them the claims your services expect, then sign in as them through a client.'
            }
          >
            {!debouncedSearch && (
              <EmptyState.Actions>
                <Button onClick={() => form.open(null)}>Create the first user</Button>
              </EmptyState.Actions>
            )}
          </EmptyState>
        }
        actions={(user) => [
          {
            label: 'Preview',
            name: `Preview claims for ${user.username}`,
            onClick: () => setPreviewing(user.username),
          },
          { label: 'Edit', name: `Edit ${user.username}`, onClick: () => form.open(user) },
          {
            label: 'Delete',
            name: `Delete ${user.username}`,
            confirm: {
              title: `Delete ${user.username}?`,
              message: `${user.username} will no longer be able to sign in. This cannot be undone.`,
              confirmLabel: 'Delete user',
            },
            onConfirm: () => remove.mutateAsync({ username: user.username }),
          },
        ]}
      />
      <UserFormModal user={form.editing} opened={form.opened} onClose={form.close} />
      <ClaimsPreviewModal username={previewing} onClose={() => setPreviewing(null)} />
    </Stack>
  );
}
