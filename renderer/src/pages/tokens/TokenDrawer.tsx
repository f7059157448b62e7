import { Alert, Badge, Button, Code, Drawer, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Token, TokenDetail } from '../../../../shared/schemas';
import { bearerHeaderBytes } from '../../../../shared/token-size';
import { ClaimsList } from '../../components/ClaimValue';
import { CopyButton } from '../../components/CopyButton';
import { FactsTable } from '../../components/FactsTable';
import { FlawBadges } from '../../components/FlawBadges';
import { JsonBlock } from '../../components/JsonBlock';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { TabbedPanels } from '../../components/TabbedPanels';
import { TokenSizeNote } from '../../components/TokenSizeNote';
import { effectiveState, TokenStateBadge } from '../../components/TokenStateBadge';
import { useAdminQuery } from '../../data/contract-queries';
import { useNow } from '../../data/now';
import { actorChain, describeActors, dpopThumbprint } from '../../lib/delegation';
import { exchangeActing, issuedBy, originOf, shortTokenId, tokenName } from './lineage';
import { TokenRequests } from './TokenRequests';
import { useTokenRevocation } from './useTokenRevocation';

function Summary({ token }: { token: TokenDetail }) {
  const now = useNow();
  return (
    <FactsTable
      label="Token metadata"
      labelWidth={160}
      facts={[
        [
          'State',
          <Group key="state" gap="xs">
            <TokenStateBadge state={effectiveState(token, now)} />
            {token.revoked_reason && <Text size="sm">{token.revoked_reason}</Text>}
            <FlawBadges flaws={token.flaws} />
          </Group>,
        ],
        ['Kind / format', `${token.kind} · ${token.format}`],
        [
          'ID',
          <Text key="id" ff="monospace" size="sm" span>
            {token.id}
          </Text>,
        ],
        ['Client', token.client_id],
        ['User', token.username ?? '— (no user: client credentials)'],
        ['Subject', token.subject],
        ['Scope', token.scope || '—'],
        ['Audience', token.audience.join(', ') || '—'],
        ['Issued by', issuedBy(token.grant_type)],
        ['Family (grant)', token.grant_id ?? '—'],
        ['Parent', token.parent_id ?? '—'],
        ['Issued', <RelativeTime key="issued" value={token.issued_at} />],
        ['Expires', <RelativeTime key="expires" value={token.expires_at} />],
        ['Revoked', <RelativeTime key="revoked" value={token.revoked_at} fallback="not revoked" />],
        ['Last used', <RelativeTime key="used" value={token.last_used_at} fallback="never" />],
      ]}
    />
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
        <ClaimsList label="Claims" claims={token.claims} reasons={token.claim_reasons} />
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
      <ClaimsList label="Claims" claims={token.claims} reasons={token.claim_reasons} />
      <JsonBlock label="Stored claims" value={token.claims} />
    </Stack>
  );
}

/** A token of the lineage as a button that opens its drawer: "Access token 1a2b3c4d · client web". */
function TokenLink({ token, onOpen }: { token: Token; onOpen: (id: string) => void }) {
  return (
    <Button size="compact-xs" variant="light" onClick={() => onOpen(token.id)}>
      {tokenName(token)} · client {token.client_id}
      {token.audience.length > 0 && ` · aud ${token.audience.join(', ')}`}
    </Button>
  );
}

/** Where a token came from: exchanged (and who acted), refreshed, or an unknown parent. */
function Origin({ token, onOpen }: { token: TokenDetail; onOpen: (id: string) => void }) {
  const parentId = token.parent_id;
  if (!parentId) return null;
  const origin = originOf(token);
  const link = token.parent ? (
    <TokenLink token={token.parent} onOpen={onOpen} />
  ) : (
    <Text size="sm" c="dimmed">
      {shortTokenId(parentId)} (no longer stored)
    </Text>
  );
  const label = { exchange: 'Exchanged from', refresh: 'Refreshed from', unknown: 'Parent token' }[origin];
  return (
    <Group gap="xs" aria-label="Issued from" role="group">
      <Text size="sm">{label}</Text>
      {link}
      {origin === 'exchange' && <Text size="sm">— {exchangeActing(token, token.parent)}</Text>}
    </Group>
  );
}

const CHILD_LABELS: Record<ReturnType<typeof originOf>, string> = {
  exchange: 'Exchanged into',
  refresh: 'Refreshed into',
  unknown: 'Issued from it',
};

/** Tokens issued from this one, grouped by how: "Exchanged into: …", "Refreshed into: …". */
function Children({ token, onOpen }: { token: TokenDetail; onOpen: (id: string) => void }) {
  if (token.children.length === 0) return null;
  const groups = (['exchange', 'refresh', 'unknown'] as const)
    .map((origin) => ({ origin, tokens: token.children.filter((child) => originOf(child) === origin) }))
    .filter((group) => group.tokens.length > 0);
  return (
    <>
      {groups.map(({ origin, tokens }) => (
        <Group key={origin} gap="xs" aria-label={CHILD_LABELS[origin]} role="group">
          <Text size="sm">{CHILD_LABELS[origin]}:</Text>
          {tokens.map((child) => (
            <TokenLink key={child.id} token={child} onOpen={onOpen} />
          ))}
        </Group>
      ))}
      {token.children_total > token.children.length && (
        <Text size="xs" c="dimmed">
          The first {token.children.length} of {token.children_total} tokens issued from it.
        </Text>
      )}
    </>
  );
}

/** Who acts for whom (RFC 8693 act chain), what it was exchanged or refreshed from and into, its DPoP binding. */
function Lineage({ token, onOpen }: { token: TokenDetail; onOpen: (id: string) => void }) {
  const actors = actorChain(token.claims);
  const jkt = dpopThumbprint(token.claims, token.introspection);
  const subject = typeof token.claims.sub === 'string' ? token.claims.sub : token.subject;
  if (actors.length === 0 && !token.parent_id && token.children.length === 0 && !jkt) return null;
  return (
    <Stack gap={4} aria-label="Token lineage" role="group">
      {actors.length > 0 && (
        <Text size="sm">
          Acting for: <Code>{subject}</Code> ({describeActors(actors)})
        </Text>
      )}
      <Origin token={token} onOpen={onOpen} />
      <Children token={token} onOpen={onOpen} />
      {jkt && (
        <Text size="sm">
          Bound to DPoP key <Code>{jkt}</Code>
        </Text>
      )}
    </Stack>
  );
}

interface Revocation {
  label: string;
  variant: 'light' | 'subtle';
  disabled?: boolean;
  run: () => void;
}

function Details({ id, onOpen }: { id: string; onOpen: (id: string) => void }) {
  const token = useAdminQuery('tokens.get', { id });
  const revoke = useTokenRevocation();
  const now = useNow();
  if (!token.data) return <QueryState query={token} what="the token" />;
  const data = token.data;
  const active = effectiveState(data, now) === 'active';
  const introspectionActive = data.introspection.active === true;
  const { grant_id: grantId, username } = data;
  // From the narrowest to the widest; the token's own one is there even when it can no longer act.
  const revocations: ReadonlyArray<Revocation | null> = [
    { label: 'Revoke this token', variant: 'light', disabled: !active, run: () => revoke.token(data) },
    grantId ? { label: 'Revoke its family', variant: 'light', run: () => revoke.grant(grantId) } : null,
    username
      ? { label: `Revoke all of ${username}'s tokens`, variant: 'subtle', run: () => revoke.user(username) }
      : null,
    {
      label: `Revoke all of client ${data.client_id}'s tokens`,
      variant: 'subtle',
      run: () => revoke.client(data.client_id),
    },
  ];
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
      <Lineage token={data} onOpen={onOpen} />
      <Group gap="xs">
        {revocations.map(
          (revocation) =>
            revocation && (
              <Button
                key={revocation.label}
                size="xs"
                color="red"
                variant={revocation.variant}
                disabled={revocation.disabled}
                onClick={revocation.run}
              >
                {revocation.label}
              </Button>
            ),
        )}
      </Group>
      <TabbedPanels
        panelPadding="md"
        panels={[
          { value: 'contents', label: data.jwt ? 'Decoded' : 'Metadata', content: <Contents token={data} /> },
          {
            value: 'introspection',
            label: (
              <>
                Introspection{' '}
                <Badge size="xs" color={introspectionActive ? 'green' : 'gray'} ml={4}>
                  {introspectionActive ? 'active' : 'inactive'}
                </Badge>
              </>
            ),
            content: (
              <Stack>
                <Text size="sm" c="dimmed">
                  What the introspection endpoint (RFC 7662) answers for this token right now.
                </Text>
                {introspectionActive && (
                  <ClaimsList
                    label="Introspected claims"
                    claims={data.introspection}
                    reasons={data.introspection_reasons}
                  />
                )}
                <JsonBlock label="Introspection result" value={data.introspection} />
              </Stack>
            ),
          },
          // Where the token was used: userinfo calls, introspections, refreshes (from the request log).
          { value: 'requests', label: 'Requests', content: <TokenRequests tokenId={data.id} /> },
          { value: 'facts', label: 'Facts', content: <Summary token={data} /> },
        ]}
      />
    </Stack>
  );
}

export function TokenDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  // A token opened from the drawer itself (its parent or a child); it belongs to the token it was opened from, so
  // opening another token from outside shows that one.
  const [followed, setFollowed] = useState<{ from: string; id: string } | null>(null);
  const shown = id !== null && followed?.from === id ? followed.id : id;
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="xl" title="Token details">
      {id && shown && (
        <Details key={shown} id={shown} onOpen={(parent) => setFollowed({ from: id, id: parent })} />
      )}
    </Drawer>
  );
}
