import { Alert, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ClaimsList } from '../../../components/ClaimValue';
import { JsonBlock } from '../../../components/JsonBlock';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { effectiveState, TokenStateBadge } from '../../../components/TokenStateBadge';
import { useAdminQuery } from '../../../data/contract-queries';
import { useNow } from '../../../data/now';
import { TokenDrawer } from '../../tokens/TokenDrawer';

/** Lookup limit of the admin contract. */
const MAX_LOOKUP = 20_000;

/** What this provider knows about a token value, live (token events refresh it), and its introspection. */
function useTokenLookup(value: string) {
  return useAdminQuery(
    'tokens.lookup',
    { value },
    { enabled: value.length > 0 && value.length <= MAX_LOOKUP },
  );
}

export function ProviderKnowledge({ value, isJwt }: { value: string; isJwt: boolean }) {
  const lookup = useTokenLookup(value);
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  if (value.length > MAX_LOOKUP) {
    return <Alert color="gray">This token is too long to look up (over {MAX_LOOKUP} characters).</Alert>;
  }
  if (!lookup.data) return <QueryState query={lookup} what="what the provider knows" />;
  const { token, introspection } = lookup.data;
  const active = introspection.active === true;
  return (
    <Paper withBorder p="sm" aria-label="What this provider knows" role="region">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            What this provider knows
          </Title>
          <Badge color={active ? 'green' : 'gray'} variant="filled" data-testid="introspection-active">
            {/* An ID token's "inactive" is not a state: introspection is for access and refresh tokens. */}
            introspection:{' '}
            {active ? 'active' : token?.kind === 'id' ? 'inactive (not for ID tokens)' : 'inactive'}
          </Badge>
        </Group>
        {token ? (
          <>
            <Group gap="xs">
              <TokenStateBadge state={effectiveState(token, now)} />
              <Text size="sm">
                Issued here: {token.kind === 'id' ? 'ID' : token.kind} token ({token.format}) for client{' '}
                <b>{token.client_id}</b>
                {token.username ? (
                  <>
                    {' '}
                    and user <b>{token.username}</b>
                  </>
                ) : (
                  ' (machine token, no user)'
                )}
                , issued <RelativeTime value={token.issued_at} />, expires{' '}
                <RelativeTime value={token.expires_at} />
                {token.revoked_reason && ` — ${token.revoked_reason}`}.
              </Text>
            </Group>
            <Group>
              <Button size="xs" variant="light" onClick={() => setOpen(token.id)}>
                Open token details
              </Button>
            </Group>
            {token.kind === 'id' && (
              <Text size="sm" c="dimmed">
                ID tokens are for the client that asked for them, never for APIs: introspection always answers
                inactive for them.
              </Text>
            )}
          </>
        ) : (
          <Alert color="gray" title="Not issued by this provider" data-testid="unknown-token">
            {isJwt
              ? 'No token with this exact value was issued here: it comes from another issuer, was altered (a tampered JWT no longer matches), was re-signed in this lab (Edit and re-sign), or expired and was purged.'
              : 'This provider has no record of this reference token: it was issued elsewhere, mistyped, or expired and was purged.'}
          </Alert>
        )}
        {/* A reference token's claims are only known through introspection: its times read as dates here. */}
        {!isJwt && active && <ClaimsList label="Introspected claims" claims={introspection} />}
        <JsonBlock label="Introspection response" value={introspection} />
        <Text size="xs" c="dimmed">
          What POST /introspect (RFC 7662) answers for this value right now; it follows revocation at once.
        </Text>
      </Stack>
      <TokenDrawer id={open} onClose={() => setOpen(null)} />
    </Paper>
  );
}
