import { Badge, Button, Drawer, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import {
  type Client,
  JWT_BEARER_GRANT,
  type Settings,
  TOKEN_EXCHANGE_GRANT,
} from '../../../../shared/schemas';
import { ConfirmButton } from '../../components/Confirm';
import { CopyButton } from '../../components/CopyButton';
import { type Fact, FactsTable } from '../../components/FactsTable';
import { TabbedPanels } from '../../components/TabbedPanels';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../data/contract-queries';
import { formatDuration } from '../../lib/time';
import { ClientKeys } from './ClientKeyPair';
import { ClientRecipes } from './ClientRecipes';
import { ClientSnippet } from './ClientSnippet';
import { GRANT_TYPE_LABELS, SUBJECT_MATCH_LABELS } from './client-labels';

function lifetime(value: number | null, fallback: number | undefined): string {
  if (value !== null) return formatDuration(value);
  return fallback === undefined ? 'default' : `default (${formatDuration(fallback)})`;
}

/** The JWT authentication facts, for the methods that have them. */
function clientAuthFacts(client: Client): Fact[] {
  const method = client.token_endpoint_auth_method;
  if (method !== 'private_key_jwt' && method !== 'client_secret_jwt') return [];
  const alg: Fact = ['Assertion algorithm', client.token_endpoint_auth_signing_alg ?? "any of the method's"];
  if (method === 'client_secret_jwt') return [alg];
  return [['Public keys', describeKeys(client)], alg];
}

/** "JWKS with 2 keys: k1, k2" or "JWKS URL …", for a client's keys and a trusted issuer's alike. */
function describeKeys(holder: {
  jwks?: Client['jwks'] | undefined;
  jwks_uri?: string | null | undefined;
}): string {
  if (!holder.jwks) return `JWKS URL ${holder.jwks_uri ?? '—'}`;
  const kids = holder.jwks.keys.map((key, index) => (typeof key.kid === 'string' ? key.kid : `key ${index}`));
  return `JWKS with ${kids.length} key${kids.length === 1 ? '' : 's'}: ${kids.join(', ')}`;
}

/** RFC 7523 §2.1: whose assertions the client may trade, with which keys, and for which user. */
function jwtBearerFacts(client: Client): Fact[] {
  if (!client.grant_types.includes(JWT_BEARER_GRANT)) return [];
  const policy = client.jwt_bearer;
  return [
    ...(policy?.trusted_issuers ?? []).map(
      (trusted): Fact => [
        `Trusted issuer ${trusted.issuer}`,
        `${describeKeys(trusted)} · ${SUBJECT_MATCH_LABELS[trusted.subject_match]}`,
      ],
    ),
    [
      'Scopes for assertions',
      policy?.allowed_scopes?.length ? policy.allowed_scopes.join(' ') : 'Every scope of the client',
    ],
  ];
}

function tokenExchangeFacts(client: Client): Fact[] {
  if (!client.grant_types.includes(TOKEN_EXCHANGE_GRANT)) return [];
  const policy = client.token_exchange;
  return [
    [
      'Exchange audiences',
      policy?.allowed_audiences.length ? policy.allowed_audiences.join(', ') : 'Only its own audience',
    ],
    ['Impersonation', policy?.may_impersonate ? 'Allowed (exchange without an actor)' : 'Not allowed'],
    [
      'Refresh token as subject',
      policy?.allow_refresh_token_subject ? 'Allowed (its own refresh tokens)' : 'Not allowed',
    ],
  ];
}

function clientFacts(client: Client, defaults: Partial<Settings>): Fact[] {
  return [
    [
      'Client ID',
      <Text key="id" ff="monospace" size="sm" span>
        {client.client_id}
      </Text>,
    ],
    [
      'Grant types',
      <Group key="grants" gap={4}>
        {client.grant_types.map((grant) => (
          <Badge key={grant} variant="light">
            {GRANT_TYPE_LABELS[grant]}
          </Badge>
        ))}
      </Group>,
    ],
    ['Auth method', client.token_endpoint_auth_method],
    ...clientAuthFacts(client),
    ['Redirect URIs', client.redirect_uris.join(', ') || '—'],
    ['Post-logout redirect URIs', client.post_logout_redirect_uris.join(', ') || '—'],
    ['Scope', client.scope || '—'],
    ['Audience', client.audience.join(', ') || '—'],
    ...tokenExchangeFacts(client),
    ...jwtBearerFacts(client),
    [
      'DPoP',
      client.dpop_bound_access_tokens
        ? 'Required: every token request carries a proof (DPoP-bound access tokens)'
        : 'Optional',
    ],
    ['DPoP nonce', client.dpop_nonce_required ? 'Required' : 'Not required'],
    [
      'Loopback redirect port',
      client.allow_loopback_port_variance
        ? 'Any port on its http://127.0.0.1 and http://[::1] redirect URIs (RFC 8252 §7.3)'
        : 'Exactly as registered',
    ],
    [
      'Introspection',
      client.introspect_any_token
        ? 'Any token (gateway)'
        : 'Tokens issued to it, and access tokens with it in their aud',
    ],
    ['Access token format', client.access_token_format === 'jwt' ? 'JWT' : 'Reference'],
    ['Access token lifetime', lifetime(client.access_token_ttl, defaults.access_token_ttl)],
    ['ID token lifetime', lifetime(client.id_token_ttl, defaults.id_token_ttl)],
    ['Refresh token lifetime', lifetime(client.refresh_token_ttl, defaults.refresh_token_ttl)],
    [
      'Claims',
      `${client.claim_mappings?.length ? client.claim_mappings.map((m) => m.name).join(', ') : 'No mappings'}; ${
        client.custom_claims === 'mapped_only'
          ? 'only mapped custom claims'
          : 'every custom claim of the user'
      }`,
    ],
  ];
}

function Snippet({ client }: { client: Client }) {
  const info = useEngineInfo();
  if (!info.data) return null;
  return <ClientSnippet client={client} issuer={info.data.issuer} discoveryUrl={info.data.discoveryUrl} />;
}

function Recipes({ client }: { client: Client }) {
  const info = useEngineInfo();
  if (!info.data) return null;
  // Over https the recipes name the local CA their client must trust.
  const caFile = info.data.https.enabled ? (info.data.https.caCertPath ?? undefined) : undefined;
  return <ClientRecipes client={client} issuer={info.data.issuer} caFile={caFile} />;
}

function Secret({ client }: { client: Client }) {
  const regenerate = useAdminMutation('clients.regenerateSecret', {
    success: (_, { client_id }) => `New secret for ${client_id}`,
  });
  if (client.token_endpoint_auth_method === 'none') {
    return (
      <Text size="sm" c="dimmed">
        Public client: no secret. It proves itself with PKCE.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <PasswordInput
        label="Client secret"
        readOnly
        value={client.client_secret ?? ''}
        visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the client secret' }}
      />
      <Group>
        <CopyButton value={client.client_secret ?? ''} label="Copy client secret" size="xs" />
        <ConfirmButton
          size="xs"
          confirm={{
            title: 'Regenerate the client secret?',
            message: `Services using the current secret of ${client.client_id} will fail to authenticate until they get the new one.`,
            confirmLabel: 'Regenerate secret',
          }}
          onConfirm={() => regenerate.mutateAsync({ client_id: client.client_id })}
        >
          Regenerate secret
        </ConfirmButton>
      </Group>
    </Stack>
  );
}

interface ClientDrawerProps {
  client: Client | null;
  onClose: () => void;
  onEdit: (client: Client) => void;
}

export function ClientDrawer({ client, onClose, onEdit }: ClientDrawerProps) {
  const settings = useAdminQuery('settings.get');
  const remove = useAdminMutation('clients.delete', {
    success: (_, { client_id }) => `Deleted client ${client_id}`,
  });
  return (
    <Drawer
      opened={client !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={client ? `Client ${client.client_name ?? client.client_id}` : ''}
    >
      {client && (
        <Stack>
          <TabbedPanels
            panelPadding="sm"
            panels={[
              { value: 'configuration', label: 'Configuration', content: <Snippet client={client} /> },
              {
                value: 'recipes',
                label: 'Recipes',
                content: <Recipes key={client.client_id} client={client} />,
              },
            ]}
          />
          {/* A key client has no secret. ClientKeys keeps its place either way, so a client switched
              to a key pair still shows the new private key. */}
          <Title order={4}>
            {client.token_endpoint_auth_method === 'private_key_jwt' ? 'Keys' : 'Secret'}
          </Title>
          {client.token_endpoint_auth_method !== 'private_key_jwt' && <Secret client={client} />}
          <ClientKeys key={client.client_id} client={client} />
          <Title order={4}>Details</Title>
          <FactsTable
            label="Client details"
            labelWidth={200}
            facts={clientFacts(client, settings.data ?? {})}
          />
          <Group>
            <Button variant="light" onClick={() => onEdit(client)}>
              Edit client
            </Button>
            <ConfirmButton
              confirm={{
                title: `Delete client ${client.client_id}?`,
                message: 'Services using this client can no longer get tokens. This cannot be undone.',
                confirmLabel: 'Delete client',
              }}
              onConfirm={async () => {
                await remove.mutateAsync({ client_id: client.client_id });
                onClose();
              }}
            >
              Delete client
            </ConfirmButton>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
