import { ActionIcon, Button, EmptyState, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  TOKEN_KINDS,
  TOKEN_STATES,
  type Token,
  type TokenFilter,
  type TokenKind,
  type TokenState,
} from '../../../shared/schemas';
import { adminApi } from '../api';
import { ClientAndUserFilters, FilterSelect } from '../components/FilterSelect';
import { DotsIcon } from '../components/icons';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { effectiveState, TokenStateBadge } from '../components/TokenStateBadge';
import { QK } from '../data/keys';
import { useNow } from '../data/now';
import { TokenDrawer } from './TokenDrawer';
import { useTokenRevocation } from './useTokenRevocation';

const KIND_LABELS: Record<TokenKind, string> = { access: 'Access', refresh: 'Refresh', id: 'ID' };

function shortId(token: Token): string {
  return token.id.slice(0, 8);
}

function TokenRow({ token, onOpen }: { token: Token; onOpen: (id: string) => void }) {
  const now = useNow();
  const revoke = useTokenRevocation();
  const state = effectiveState(token, now);
  const name = `${KIND_LABELS[token.kind]} token ${shortId(token)}`;
  return (
    <Table.Tr data-token-id={token.id}>
      <Table.Td>{KIND_LABELS[token.kind]}</Table.Td>
      <Table.Td>{token.format}</Table.Td>
      <Table.Td>{token.username ?? <Text c="dimmed">—</Text>}</Table.Td>
      <Table.Td ff="monospace">{token.client_id}</Table.Td>
      <Table.Td>
        <RelativeTime value={token.issued_at} />
      </Table.Td>
      <Table.Td>
        <RelativeTime value={token.expires_at} />
      </Table.Td>
      <Table.Td>
        <TokenStateBadge state={state} />
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button
            size="xs"
            variant="subtle"
            aria-label={`Details of ${name}`}
            onClick={() => onOpen(token.id)}
          >
            Details
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="red"
            aria-label={`Revoke ${name}`}
            disabled={state !== 'active'}
            onClick={() => revoke.token(token)}
          >
            Revoke
          </Button>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={`More revoke options for ${name}`}>
                <DotsIcon />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                color="red"
                disabled={!token.grant_id}
                onClick={() => token.grant_id && revoke.grant(token.grant_id)}
              >
                Revoke its family (grant)
              </Menu.Item>
              <Menu.Item
                color="red"
                disabled={!token.username}
                onClick={() => token.username && revoke.user(token.username)}
              >
                {token.username
                  ? `Revoke all of ${token.username}'s tokens`
                  : 'Revoke all of the user’s tokens'}
              </Menu.Item>
              <Menu.Item color="red" onClick={() => revoke.client(token.client_id)}>
                Revoke all of client {token.client_id}'s tokens
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function TokensPage() {
  const [kind, setKind] = useState<TokenKind | null>(null);
  const [state, setState] = useState<TokenState | null>(null);
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const revoke = useTokenRevocation();

  const filter: TokenFilter = {
    ...(kind ? { kind } : {}),
    ...(state ? { state } : {}),
    ...(clientId ? { client_id: clientId } : {}),
    ...(username ? { username } : {}),
  };
  const tokens = useQuery({
    queryKey: [QK.tokens, filter],
    queryFn: () => adminApi.tokens.list(filter),
    placeholderData: (previous) => previous,
  });
  const filtered = Object.keys(filter).length > 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tokens</Title>
        <Group gap="xs">
          {clientId && (
            <Button color="red" variant="light" onClick={() => revoke.client(clientId)}>
              Revoke all tokens of client {clientId}
            </Button>
          )}
          {username && (
            <Button color="red" variant="light" onClick={() => revoke.user(username)}>
              Revoke all tokens of {username}
            </Button>
          )}
        </Group>
      </Group>
      <Group align="flex-end">
        <FilterSelect
          label="Kind"
          placeholder="Any kind"
          data={TOKEN_KINDS.map((value) => ({ value, label: KIND_LABELS[value] }))}
          value={kind}
          onChange={(value) => setKind(value as TokenKind | null)}
          w={140}
        />
        <FilterSelect
          label="State"
          placeholder="Any state"
          data={TOKEN_STATES.map((value) => ({ value, label: value.replace('_', ' ') }))}
          value={state}
          onChange={(value) => setState(value as TokenState | null)}
          w={170}
        />
        <ClientAndUserFilters
          client={{ value: clientId, onChange: setClientId }}
          user={{ value: username, onChange: setUsername }}
        />
      </Group>
      <QueryState query={tokens} what="tokens" />
      {tokens.data && tokens.data.tokens.length === 0 && (
        <EmptyState
          title={filtered ? 'No token matches these filters' : 'No tokens yet'}
          description={
            filtered
              ? 'Clear a filter to see more.'
              : 'Sign in through a client or call the token endpoint; tokens appear here the moment they are issued.'
          }
        />
      )}
      {tokens.data && tokens.data.tokens.length > 0 && (
        <>
          <Text size="sm" c="dimmed" aria-live="polite">
            {tokens.data.total === tokens.data.tokens.length
              ? `${tokens.data.total} token${tokens.data.total === 1 ? '' : 's'}`
              : `Showing the newest ${tokens.data.tokens.length} of ${tokens.data.total} tokens`}
          </Text>
          <Table.ScrollContainer minWidth={960}>
            <Table striped highlightOnHover aria-label="Tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Format</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Client</Table.Th>
                  <Table.Th>Issued</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.tokens.map((token) => (
                  <TokenRow key={token.id} token={token} onOpen={setOpenId} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
      <TokenDrawer id={openId} onClose={() => setOpenId(null)} />
    </Stack>
  );
}
