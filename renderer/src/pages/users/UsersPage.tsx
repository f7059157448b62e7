import { Badge, Button, EmptyState, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { User } from '../../../../shared/schemas';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { useFormModal } from '../../components/FormModal';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useTextInput } from '../../components/useTextInput';
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

const USERS_TABLE: QueryTableSpec<User> = {
  label: 'Users',
  what: 'users',
  rowKey: (user) => user.username,
  minWidth: 760,
  striped: true,
  highlightOnHover: true,
  columns: [
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
  ],
};

export function UsersPage() {
  const search = useTextInput();
  const [debouncedSearch] = useDebouncedValue(search.value.trim(), 250);
  const form = useFormModal<User>();
  const [previewing, setPreviewing] = useState<string | null>(null);
  const users = useAdminQuery('users.list', debouncedSearch ? { search: debouncedSearch } : undefined, {
    placeholderData: (previous) => previous,
  });
  const remove = useAdminMutation('users.delete', { success: (_, { username }) => `Deleted ${username}` });

  return (
    <Page title="Users" action={<Button onClick={() => form.open(null)}>New user</Button>}>
      <TextInput
        label="Search users"
        placeholder="Username, subject or claim value"
        {...search.props}
        type="search"
        maw={420}
      />
      <DataTable
        {...USERS_TABLE}
        query={users}
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
    </Page>
  );
}
