import { Anchor, Badge, Button, EmptyState, Group, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import type { User } from '../../../../shared/schemas';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { useFormModal } from '../../components/FormModal';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { SeedBadge } from '../../components/SeedBadge';
import { useTextInput } from '../../components/useTextInput';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { ClaimsPreviewModal } from './ClaimsPreviewModal';
import { ClaimsSummary } from './ClaimsSummary';
import { UserDrawer } from './UserDrawer';
import { UserFormModal } from './UserFormModal';

function usersTable(seeded: ReadonlySet<string>, open: (user: User) => void): QueryTableSpec<User> {
  return {
    label: 'Users',
    what: 'users',
    rowKey: (user) => user.username,
    minWidth: 640,
    striped: true,
    highlightOnHover: true,
    columns: [
      {
        header: 'Username',
        cell: (user) => (
          <Group gap={6} wrap="nowrap">
            <Anchor
              component="button"
              type="button"
              fw={600}
              ta="left"
              aria-label={`Open ${user.username}`}
              onClick={() => open(user)}
              style={{ overflowWrap: 'anywhere' }}
            >
              <bdi>{user.username}</bdi>
            </Anchor>
            {seeded.has(user.username) && <SeedBadge what="user" />}
          </Group>
        ),
      },
      {
        header: 'Subject',
        cell: (user) => (
          // Subjects are often UUIDs: shortened here (the drawer shows it whole) so the actions fit.
          <Text size="xs" ff="monospace" maw={140} truncate="end" title={user.sub}>
            {user.sub}
          </Text>
        ),
      },
      { header: 'Claims', cell: (user) => <ClaimsSummary claims={user.claims} /> },
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
}

export function UsersPage() {
  const search = useTextInput();
  const [debouncedSearch] = useDebouncedValue(search.value.trim(), 250);
  const form = useFormModal<User>();
  const [previewing, setPreviewing] = useState<string | null>(null);
  const [openName, setOpenName] = useState<string | null>(null);
  const seed = useAdminQuery('workspace.seedManaged');
  const seeded = useMemo(() => new Set(seed.data?.users ?? []), [seed.data]);
  const users = useAdminQuery('users.list', debouncedSearch ? { search: debouncedSearch } : undefined, {
    placeholderData: (previous) => previous,
  });
  const remove = useAdminMutation('users.delete', {
    success: (_, { username }) => `Deleted ${username}`,
    invalidates: ['tokens'],
  });
  // The drawer reads the user from the list, so an edit shows in it at once.
  const open = users.data?.find((user) => user.username === openName) ?? null;

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
        {...usersTable(seeded, (user) => setOpenName(user.username))}
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
              message: `${user.username} will no longer be able to sign in: their sign-in sessions end and all their tokens are revoked. This cannot be undone.`,
              confirmLabel: 'Delete user',
            },
            onConfirm: () => remove.mutateAsync({ username: user.username }),
          },
        ]}
      />
      <UserFormModal user={form.editing} opened={form.opened} onClose={form.close} />
      <ClaimsPreviewModal username={previewing} onClose={() => setPreviewing(null)} />
      <UserDrawer
        user={open}
        seedManaged={open !== null && seeded.has(open.username)}
        onClose={() => setOpenName(null)}
        onEdit={(user) => {
          setOpenName(null);
          form.open(user);
        }}
      />
    </Page>
  );
}
