import { Badge, Button, Drawer, Group, Stack, Text, Title } from '@mantine/core';
import type { UserSession } from '../../../../shared/contract';
import type { Token, User } from '../../../../shared/schemas';
import { ConfirmButton } from '../../components/Confirm';
import { DataTable, type TableSpec } from '../../components/DataTable';
import { FactsTable } from '../../components/FactsTable';
import { RelativeTime } from '../../components/RelativeTime';
import { effectiveState, TokenStateBadge } from '../../components/TokenStateBadge';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { useNow } from '../../data/now';

/** How many of the user's tokens the drawer lists (newest first); the Tokens page has the rest. */
const TOKENS_SHOWN = 50;

const SESSIONS_TABLE: TableSpec<UserSession> = {
  label: 'Sign-in sessions',
  rowKey: (session) => session.id,
  minWidth: 0,
  columns: [
    { header: 'Signed in', cell: (session) => <RelativeTime value={session.auth_time} /> },
    {
      header: 'Session',
      cell: (session) => (
        <Text size="xs" ff="monospace">
          {session.id}
        </Text>
      ),
    },
  ],
};

function tokensTable(now: number): TableSpec<Token> {
  return {
    label: 'Tokens',
    rowKey: (token) => token.id,
    minWidth: 0,
    columns: [
      { header: 'Kind', cell: (token) => token.kind },
      { header: 'Client', cell: (token) => token.client_id, props: { ff: 'monospace' } },
      { header: 'State', cell: (token) => <TokenStateBadge state={effectiveState(token, now)} /> },
      { header: 'Issued', cell: (token) => <RelativeTime value={token.issued_at} /> },
    ],
  };
}

function UserDetails({ user, seedManaged }: { user: User; seedManaged: boolean }) {
  const now = useNow();
  const sessions = useAdminQuery('users.sessions', { username: user.username });
  const tokens = useAdminQuery('tokens.list', { username: user.username, limit: TOKENS_SHOWN });
  const signOut = useAdminMutation('users.signOutEverywhere', {
    success: ({ sessions_ended, tokens_revoked }, { username }) =>
      `Signed ${username} out: ${sessions_ended} session${sessions_ended === 1 ? '' : 's'} ended, ${tokens_revoked} token${tokens_revoked === 1 ? '' : 's'} revoked`,
    invalidates: ['tokens'],
  });
  const total = tokens.data?.total ?? 0;
  return (
    <Stack>
      <FactsTable
        label="User details"
        labelWidth={140}
        facts={[
          [
            'Subject',
            <Text key="sub" size="sm" ff="monospace">
              {user.sub}
            </Text>,
          ],
          ['Password', user.password ? 'set' : 'none (sign in by username only)'],
          ['Created', <RelativeTime key="created" value={user.created_at} />],
          ...(seedManaged
            ? [['Managed by', 'the seed file: restarting with --seed overwrites edits made here'] as const]
            : []),
        ]}
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Ends every browser sign-in of {user.username} and revokes all their tokens.
        </Text>
        <ConfirmButton
          confirm={{
            title: `Sign ${user.username} out everywhere?`,
            message: `Every sign-in session of ${user.username} ends (the next authorization asks for a password again) and all their tokens are revoked, so services using them get 401 on the next check.`,
            confirmLabel: 'Sign out everywhere',
          }}
          onConfirm={() => signOut.mutateAsync({ username: user.username })}
        >
          Sign out everywhere
        </ConfirmButton>
      </Group>
      <Title order={4}>Sign-in sessions</Title>
      <DataTable
        {...SESSIONS_TABLE}
        rows={sessions.data}
        source={{ query: sessions, what: 'sessions' }}
        empty={
          <Text size="sm" c="dimmed">
            Not signed in anywhere.
          </Text>
        }
      />
      <Group gap="xs">
        <Title order={4}>Tokens</Title>
        {total > 0 && <Badge variant="light">{total}</Badge>}
      </Group>
      <DataTable
        {...tokensTable(now)}
        rows={tokens.data?.tokens}
        source={{ query: tokens, what: 'tokens' }}
        empty={
          <Text size="sm" c="dimmed">
            No tokens issued to {user.username}.
          </Text>
        }
      />
      {total > TOKENS_SHOWN && (
        <Text size="sm" c="dimmed">
          The newest {TOKENS_SHOWN} of {total}; the Tokens page lists them all.
        </Text>
      )}
    </Stack>
  );
}

interface UserDrawerProps {
  user: User | null;
  seedManaged: boolean;
  onClose: () => void;
  onEdit: (user: User) => void;
}

/** One user: their details, browser sign-ins and tokens, with "Sign out everywhere". */
export function UserDrawer({ user, seedManaged, onClose, onEdit }: UserDrawerProps) {
  return (
    <Drawer
      opened={user !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={user ? `User ${user.username}` : ''}
    >
      {user && (
        <Stack>
          <UserDetails user={user} seedManaged={seedManaged} />
          <Group>
            <Button variant="light" onClick={() => onEdit(user)}>
              Edit user
            </Button>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
