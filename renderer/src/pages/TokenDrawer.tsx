import { Alert, Badge, Button, Code, Drawer, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { TokenDetail } from '../../../shared/schemas';
import { bearerHeaderBytes } from '../../../shared/token-size';
import { adminApi } from '../api';
import { CopyButton } from '../components/CopyButton';
import { JsonBlock } from '../components/JsonBlock';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { TokenSizeNote } from '../components/TokenSizeNote';
import { effectiveState, TokenStateBadge } from '../components/TokenStateBadge';
import { QK } from '../data/keys';
import { useNow } from '../data/now';
import { useTokenRevocation } from './useTokenRevocation';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160}>{label}</Table.Th>
      <Table.Td style={{ wordBreak: 'break-all' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

function Summary({ token }: { token: TokenDetail }) {
  const now = useNow();
  return (
    <Table variant="vertical" withTableBorder aria-label="Token metadata">
      <Table.Tbody>
        <Row label="State">
          <Group gap="xs">
            <TokenStateBadge state={effectiveState(token, now)} />
            {token.revoked_reason && <Text size="sm">{token.revoked_reason}</Text>}
          </Group>
        </Row>
        <Row label="Kind / format">
          {token.kind} · {token.format}
        </Row>
        <Row label="ID">
          <Text ff="monospace" size="sm" span>
            {token.id}
          </Text>
        </Row>
        <Row label="Client">{token.client_id}</Row>
        <Row label="User">{token.username ?? '— (no user: client credentials)'}</Row>
        <Row label="Subject">{token.subject}</Row>
        <Row label="Scope">{token.scope || '—'}</Row>
        <Row label="Audience">{token.audience.join(', ') || '—'}</Row>
        <Row label="Family (grant)">{token.grant_id ?? '—'}</Row>
        <Row label="Parent">{token.parent_id ?? '—'}</Row>
        <Row label="Issued">
          <RelativeTime value={token.issued_at} />
        </Row>
        <Row label="Expires">
          <RelativeTime value={token.expires_at} />
        </Row>
        <Row label="Revoked">
          <RelativeTime value={token.revoked_at} fallback="not revoked" />
        </Row>
        <Row label="Last used">
          <RelativeTime value={token.last_used_at} fallback="never" />
        </Row>
      </Table.Tbody>
    </Table>
  );
}

function Contents({ token }: { token: TokenDetail }) {
  if (token.jwt) {
    const signature = token.jwt.split('.')[2] ?? '';
    return (
      <Stack>
        <Title order={4}>Decoded JWT</Title>
        <TokenSizeNote bytes={bearerHeaderBytes(token.jwt)} />
        <JsonBlock label="Header" value={token.header ?? {}} />
        <JsonBlock label="Payload" value={token.claims} />
        <Stack gap={4}>
          <Text fw={600} size="sm">
            Signature
          </Text>
          <Code block aria-label="Signature" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {signature}
          </Code>
          <Text size="xs" c="dimmed">
            {String(token.header?.alg ?? 'unknown alg')} signature by key{' '}
            {String(token.header?.kid ?? '(no kid)')}; verify it against the JWKS.
          </Text>
        </Stack>
        <Group>
          <CopyButton value={token.jwt} label="Copy JWT" size="xs" />
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Title order={4}>Stored metadata</Title>
      <Text size="sm" c="dimmed">
        {token.format === 'reference'
          ? 'A reference token is opaque: its holder sees only its id and a random secret, and resource servers learn these claims only through introspection.'
          : 'An opaque token is kept only as a hash; these are the facts stored with it.'}
      </Text>
      <JsonBlock label="Stored claims" value={token.claims} />
    </Stack>
  );
}

function Details({ id }: { id: string }) {
  const token = useQuery({ queryKey: [QK.token, id], queryFn: () => adminApi.tokens.get({ id }) });
  const revoke = useTokenRevocation();
  const now = useNow();
  if (!token.data) return <QueryState query={token} what="the token" />;
  const data = token.data;
  const active = effectiveState(data, now) === 'active';
  const introspectionActive = data.introspection.active === true;
  return (
    <Stack>
      {token.isError && (
        <Alert color="red" role="alert">
          Could not refresh this token: {token.error.message}
        </Alert>
      )}
      <Group gap="sm" aria-label="Token summary" role="group">
        <TokenStateBadge state={effectiveState(data, now)} />
        <Text size="sm" fw={600}>
          {data.kind === 'id' ? 'ID' : data.kind[0]?.toUpperCase() + data.kind.slice(1)} token · {data.format}
        </Text>
        <Text size="sm">
          client <Code>{data.client_id}</Code>
          {data.username && (
            <>
              {' '}
              · user <Code>{data.username}</Code>
            </>
          )}
        </Text>
        <Text size="sm" c="dimmed">
          expires <RelativeTime value={data.expires_at} />
        </Text>
      </Group>
      <Group gap="xs">
        <Button size="xs" color="red" variant="light" disabled={!active} onClick={() => revoke.token(data)}>
          Revoke this token
        </Button>
        {data.grant_id && (
          <Button
            size="xs"
            color="red"
            variant="light"
            onClick={() => data.grant_id && revoke.grant(data.grant_id)}
          >
            Revoke its family
          </Button>
        )}
        {data.username && (
          <Button
            size="xs"
            color="red"
            variant="subtle"
            onClick={() => data.username && revoke.user(data.username)}
          >
            Revoke all of {data.username}'s tokens
          </Button>
        )}
        <Button size="xs" color="red" variant="subtle" onClick={() => revoke.client(data.client_id)}>
          Revoke all of client {data.client_id}'s tokens
        </Button>
      </Group>
      <Tabs defaultValue="contents" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="contents">{data.jwt ? 'Decoded' : 'Metadata'}</Tabs.Tab>
          <Tabs.Tab value="introspection">
            Introspection{' '}
            <Badge size="xs" color={introspectionActive ? 'green' : 'gray'} ml={4}>
              {introspectionActive ? 'active' : 'inactive'}
            </Badge>
          </Tabs.Tab>
          <Tabs.Tab value="facts">Facts</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="contents" pt="md">
          <Contents token={data} />
        </Tabs.Panel>
        <Tabs.Panel value="introspection" pt="md">
          <Stack>
            <Text size="sm" c="dimmed">
              What the introspection endpoint (RFC 7662) answers for this token right now.
            </Text>
            <JsonBlock label="Introspection result" value={data.introspection} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="facts" pt="md">
          <Summary token={data} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export function TokenDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="xl" title="Token details">
      {id && <Details id={id} />}
    </Drawer>
  );
}
