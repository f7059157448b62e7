import {
  Alert,
  Button,
  Fieldset,
  Group,
  NumberInput,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import type { MintInput } from '../../../../../shared/contract';
import type { Client, Settings, TokenKind, User } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import { ClaimsEditor } from '../../../components/ClaimsEditor';
import type { ClaimsResult } from '../../../lib/claims';
import { formatDuration } from '../../../lib/time';
import {
  AccessTokenFormatChoice,
  type FormatChoice,
  TokenClientSelect,
  TokenUserSelect,
} from '../TokenSelects';

const IDENTITY_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
const KIND_LABELS: Record<TokenKind, string> = { access: 'Access', id: 'ID', refresh: 'Refresh' };

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
  const [ttl, setTtl] = useState<number | ''>('');
  const [claims, setClaims] = useState<ClaimsResult>({ ok: true, claims: {} });

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
  const idWithoutUser = kind === 'id' && !username;

  const submit = () => {
    if (!clientId || !claims.ok || idWithoutUser) return;
    const input: MintInput = { client_id: clientId, kind };
    if (username) input.username = username;
    if (kind === 'access' && format !== 'client') input.format = format;
    if (scope.trim()) input.scope = scope.trim().split(/\s+/).join(' ');
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
          description="Leave empty for a machine token (its subject is the client)."
          value={username}
          onChange={setUsername}
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
      {kind !== 'access' && (
        <Text size="xs" c="dimmed">
          {kind === 'id' ? 'ID tokens are always JWTs.' : 'Refresh tokens are always opaque.'}
        </Text>
      )}
      <Group grow align="flex-start">
        <TextInput
          label="Scope"
          description="Space-separated. Empty: the client's registered scope."
          placeholder={defaultScope || '(none)'}
          value={scope}
          onChange={(event) => setScope(event.currentTarget.value)}
        />
        <TagsInput
          label="Audience"
          description="The APIs it is for. Empty: the client's audience, else its client_id."
          placeholder={defaultAudience.join(', ') || 'orders-api'}
          value={audience}
          onChange={setAudience}
          data={[...new Set(clients.flatMap((c) => c.audience))]}
        />
        <NumberInput
          label="Lifetime (seconds)"
          description={lifetime ? `Empty: ${formatDuration(lifetime)} (the default)` : 'Empty: the default'}
          placeholder={lifetime ? String(lifetime) : undefined}
          min={1}
          max={31_536_000}
          value={ttl}
          onChange={(value) => setTtl(typeof value === 'number' ? value : '')}
        />
      </Group>
      <Fieldset legend="Extra claims (added to this token only)">
        <ClaimsEditor onChange={setClaims} />
      </Fieldset>
      <Group>
        <Button onClick={submit} loading={pending} disabled={!clientId || !claims.ok || idWithoutUser}>
          Mint token
        </Button>
      </Group>
    </Stack>
  );
}
