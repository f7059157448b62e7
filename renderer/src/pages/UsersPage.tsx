import { Badge, Button, EmptyState, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { User } from '../../../shared/schemas';
import { adminApi } from '../api';
import { ConfirmButton } from '../components/Confirm';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { QK } from '../data/keys';
import { notifySuccess } from '../lib/errors';
import { ClaimsPreviewModal } from './ClaimsPreviewModal';
import { UserFormModal } from './UserFormModal';

function claimsSummary(user: User): string {
  const { name, email } = user.claims;
  const known = [name, email].filter((v): v is string => typeof v === 'string');
  const count = Object.keys(user.claims).length;
  if (known.length) return `${known.join(' · ')}${count > known.length ? ` +${count - known.length}` : ''}`;
  return count ? `${count} claim${count === 1 ? '' : 's'}` : 'no claims';
}

export function UsersPage() {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250);
  const [editing, setEditing] = useState<User | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [previewing, setPreviewing] = useState<string | null>(null);
  const users = useQuery({
    queryKey: [QK.users, debouncedSearch],
    queryFn: () => adminApi.users.list(debouncedSearch ? { search: debouncedSearch } : {}),
    placeholderData: (previous) => previous,
  });

  const openForm = (user: User | null) => {
    setEditing(user);
    setFormOpen(true);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => openForm(null)}>New user</Button>
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
      {users.data && users.data.length === 0 && (
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
              <Button onClick={() => openForm(null)}>Create the first user</Button>
            </EmptyState.Actions>
          )}
        </EmptyState>
      )}
      {users.data && users.data.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Username</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Claims</Table.Th>
                <Table.Th>Password</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((user) => (
                <Table.Tr key={user.username}>
                  <Table.Td fw={600}>{user.username}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {user.sub}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{claimsSummary(user)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={user.password ? 'blue' : 'gray'}>
                      {user.password ? 'set' : 'none'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <RelativeTime value={user.updated_at} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={`Preview claims for ${user.username}`}
                        onClick={() => setPreviewing(user.username)}
                      >
                        Preview
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={`Edit ${user.username}`}
                        onClick={() => openForm(user)}
                      >
                        Edit
                      </Button>
                      <ConfirmButton
                        size="xs"
                        variant="subtle"
                        aria-label={`Delete ${user.username}`}
                        confirm={{
                          title: `Delete ${user.username}?`,
                          message: `${user.username} will no longer be able to sign in. This cannot be undone.`,
                          confirmLabel: 'Delete user',
                        }}
                        onConfirm={async () => {
                          await adminApi.users.delete({ username: user.username });
                          notifySuccess(`Deleted ${user.username}`);
                          await queryClient.invalidateQueries({ queryKey: [QK.users] });
                        }}
                      >
                        Delete
                      </ConfirmButton>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <UserFormModal user={editing} opened={formOpen} onClose={() => setFormOpen(false)} />
      <ClaimsPreviewModal username={previewing} onClose={() => setPreviewing(null)} />
    </Stack>
  );
}
