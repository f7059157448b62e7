import { Alert, Button, Checkbox, Fieldset, Group, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { type MintInput, MintInputSchema } from '../../../../../shared/contract';
import type { Client, Settings, TokenKind, User } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import { ClaimsEditor } from '../../../components/ClaimsEditor';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../../components/RangeNumberInput';
import type { ClaimsResult } from '../../../lib/claims';
import { formatDuration } from '../../../lib/time';
import {
  AccessTokenFormatChoice,
  type FormatChoice,
  TokenClientSelect,
  TokenUserSelect,
} from '../TokenSelects';
import { DpopFields, dpopInput, dpopProblem, NO_DPOP } from './DpopFields';
import { ExchangeFields, exchangeInput, exchangeProblem, NO_EXCHANGE } from './ExchangeFields';

const IDENTITY_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
const KIND_LABELS: Record<TokenKind, string> = { access: 'Access', id: 'ID', refresh: 'Refresh' };
const TTL_SCHEMA = MintInputSchema.shape.ttl.unwrap();

/** The typed scopes the client is not registered for: tokens.mint refuses them unless told it is on purpose. */
export function unregisteredScopes(typed: string, client: Pick<Client, 'scope'> | undefined): string[] {
  if (!client) return [];
  const registered = new Set(client.scope.split(' ').filter(Boolean));
  return typed.split(/\s+/).filter((scope) => scope && !registered.has(scope));
}

interface MintFormProps {
  clients: Client[];
  users: User[];
  settings: Settings | undefined;
  pending: boolean;
  onMint: (input: MintInput) => void;
}

function defaultTtl(
  kind: TokenKind,
  client: Client | undefined,
  settings: Settings | undefined,
): number | null {
  if (kind === 'access') return client?.access_token_ttl ?? settings?.access_token_ttl ?? null;
  if (kind === 'id') return client?.id_token_ttl ?? settings?.id_token_ttl ?? null;
  return client?.refresh_token_ttl ?? settings?.refresh_token_ttl ?? null;
}

/** Everything a token can be minted with; empty fields take the client's (or global) defaults. */
export function MintForm({ clients, users, settings, pending, onMint }: MintFormProps) {
  const [clientId, setClientId] = useState<string | null>(clients[0]?.client_id ?? null);
  const [username, setUsername] = useState<string | null>(null);
  const [kind, setKind] = useState<TokenKind>('access');
  const [format, setFormat] = useState<FormatChoice>('client');
  const [scope, setScope] = useState('');
  const [audience, setAudience] = useState<string[]>([]);
  const [ttl, setTtl] = useState<NumberFieldValue>('');
  const [anyScope, setAnyScope] = useState(false);
  const [claims, setClaims] = useState<ClaimsResult>({ ok: true, claims: {} });
  const [exchange, setExchange] = useState(NO_EXCHANGE);
  const [dpop, setDpop] = useState(NO_DPOP);

  const client = clients.find((c) => c.client_id === clientId);
  const defaultScope = client
    ? username
      ? client.scope
      : client.scope
          .split(' ')
          .filter((s) => s && !IDENTITY_SCOPES.has(s))
          .join(' ')
    : '';
  const defaultAudience = client ? (client.audience.length ? client.audience : [client.client_id]) : [];
  const lifetime = defaultTtl(kind, client, settings);
  // An exchanged token is about the subject token's subject: the user comes from there.
  const exchanged = exchange.subjectId !== null;
  const idWithoutUser = kind === 'id' && !username && !exchanged;
  const problem = exchangeProblem(exchange) ?? (kind === 'access' ? dpopProblem(dpop) : null);
  // An exchange can only narrow the subject's scope; the engine checks that one itself.
  const unregistered = exchanged ? [] : unregisteredScopes(scope, client);
  const scopeRefused = unregistered.length > 0 && !anyScope;
  const ttlError = rangeError(TTL_SCHEMA, ttl, { optional: true });
  const blocked =
    !clientId || !claims.ok || idWithoutUser || problem !== null || scopeRefused || ttlError !== null;

  const submit = () => {
    if (!clientId || blocked) return;
    const input: MintInput = { client_id: clientId, kind, ...exchangeInput(exchange) };
    if (kind === 'access') Object.assign(input, dpopInput(dpop));
    if (username && !exchanged) input.username = username;
    if (kind === 'access' && format !== 'client') input.format = format;
    if (scope.trim()) input.scope = scope.trim().split(/\s+/).join(' ');
    if (unregistered.length > 0) input.allow_unregistered_scope = true;
    if (audience.length) input.audience = audience;
    if (Object.keys(claims.claims).length) input.extra_claims = claims.claims;
    if (typeof ttl === 'number') input.ttl = ttl;
    onMint(input);
  };

  return (
    <Stack>
      <Group grow align="flex-start">
        <TokenClientSelect
          clients={clients}
          description="The token is issued to this client."
          value={clientId}
          onChange={setClientId}
          searchable
        />
        <TokenUserSelect
          users={users}
          description={
            exchanged
              ? 'Set by the subject token: the exchanged token is about its subject.'
              : 'Leave empty for a machine token (its subject is the client).'
          }
          value={exchanged ? null : username}
          onChange={setUsername}
          disabled={exchanged}
          searchable
        />
      </Group>
      <Group align="flex-end" gap="xl">
        <Choice label="Token kind" value={kind} onChange={setKind} data={choiceOptions(KIND_LABELS)} />
        {kind === 'access' && <AccessTokenFormatChoice client={client} value={format} onChange={setFormat} />}
      </Group>
      {idWithoutUser && (
        <Alert color="orange" title="An ID token needs a user">
          An ID token tells a client who signed in, so it is always about a user: choose one.
        </Alert>
      )}
      {kind === 'access' && <DpopFields value={dpop} onChange={setDpop} />}
      {kind !== 'access' && (
        <Text size="xs" c="dimmed">
          {kind === 'id' ? 'ID tokens are always JWTs.' : 'Refresh tokens are always opaque.'}
        </Text>
      )}
      <Group grow align="flex-start">
        <TextInput
          label="Scope"
          description={
            exchanged
              ? "Space-separated. Empty: the subject token's scope (an exchange can only narrow it)."
              : "Space-separated. Empty: the client's registered scope."
          }
          placeholder={exchanged ? "(the subject token's)" : defaultScope || '(none)'}
          value={scope}
          onChange={(event) => setScope(event.currentTarget.value)}
          error={
            scopeRefused
              ? `${client?.client_id} is not registered for ${unregistered.join(', ')}: no flow would issue it.`
              : undefined
          }
          inputContainer={(children) => (
            <Stack gap={4}>
              {children}
              {unregistered.length > 0 && (
                <Checkbox
                  size="xs"
                  label="Mint it anyway, on purpose (to see how an API treats such a token)"
                  checked={anyScope}
                  onChange={(event) => setAnyScope(event.currentTarget.checked)}
                />
              )}
            </Stack>
          )}
        />
        <TagsInput
          label="Audience"
          description="The APIs it is for. Empty: the client's audience, else its client_id."
          placeholder={defaultAudience.join(', ') || 'orders-api'}
          value={audience}
          onChange={setAudience}
          data={[...new Set(clients.flatMap((c) => c.audience))]}
        />
        <RangeNumberInput
          schema={TTL_SCHEMA}
          optional
          label="Lifetime (seconds)"
          description={lifetime ? `Empty: ${formatDuration(lifetime)} (the default)` : 'Empty: the default'}
          placeholder={lifetime ? String(lifetime) : undefined}
          value={ttl}
          onChange={setTtl}
        />
      </Group>
      <ExchangeFields clientId={clientId} value={exchange} onChange={setExchange} />
      <Fieldset legend="Extra claims (added to this token only)">
        <ClaimsEditor onChange={setClaims} />
      </Fieldset>
      <Group>
        <Button onClick={submit} loading={pending} disabled={blocked}>
          Mint token
        </Button>
        {problem && (
          <Text size="sm" c="orange">
            {problem}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
