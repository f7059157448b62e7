import { SegmentedControl, Select, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import {
  type AuthMethod,
  CLIENT_KEY_ASSERTION_ALGS,
  CLIENT_SECRET_ASSERTION_ALGS,
  type Client,
  type ClientAssertionAlg,
  type ClientInput,
} from '../../../../shared/schemas';
import { CodeTextarea } from '../../components/CodeTextarea';
import { parseJwksText } from '../../lib/client-keys';

type KeySource = 'jwks' | 'jwks_uri';

/** What the form edits of a client's JWT authentication, DPoP and token-exchange settings. */
export interface SecuritySettings {
  keySource: KeySource;
  jwksText: string;
  jwksUri: string;
  signingAlg: ClientAssertionAlg | null;
  dpopBound: boolean;
  dpopNonce: boolean;
  allowedAudiences: string[];
  mayImpersonate: boolean;
  allowRefreshSubject: boolean;
}

export function initialSecuritySettings(client: Client | null): SecuritySettings {
  return {
    keySource: client?.jwks_uri ? 'jwks_uri' : 'jwks',
    jwksText: client?.jwks ? JSON.stringify(client.jwks, null, 2) : '',
    jwksUri: client?.jwks_uri ?? '',
    signingAlg: client?.token_endpoint_auth_signing_alg ?? null,
    dpopBound: client?.dpop_bound_access_tokens ?? false,
    dpopNonce: client?.dpop_nonce_required ?? false,
    allowedAudiences: client?.token_exchange?.allowed_audiences ?? [],
    mayImpersonate: client?.token_exchange?.may_impersonate ?? false,
    allowRefreshSubject: client?.token_exchange?.allow_refresh_token_subject ?? false,
  };
}

function assertionAlgs(method: AuthMethod): readonly ClientAssertionAlg[] {
  if (method === 'private_key_jwt') return CLIENT_KEY_ASSERTION_ALGS;
  if (method === 'client_secret_jwt') return CLIENT_SECRET_ASSERTION_ALGS;
  return [];
}

/**
 * Adds the settings to the client input. Returns an error for a JWKS that is not JSON; the keys
 * themselves (public only) are checked by ClientInputSchema, like every other field.
 */
export function applySecuritySettings(
  input: ClientInput,
  settings: SecuritySettings,
  client: Client | null,
  hasExchangeGrant: boolean,
): string | null {
  const method = input.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method === 'private_key_jwt') {
    if (settings.keySource === 'jwks_uri') {
      input.jwks_uri = settings.jwksUri.trim();
    } else {
      const parsed = parseJwksText(settings.jwksText);
      if ('error' in parsed) return parsed.error;
      input.jwks = parsed.jwks;
    }
  }
  // An alg chosen for the other JWT method no longer applies once the method changes.
  if (settings.signingAlg && assertionAlgs(method).includes(settings.signingAlg)) {
    input.token_endpoint_auth_signing_alg = settings.signingAlg;
  }
  // Stated when on, or when the client stated it already (an edit turning it off says so).
  if (settings.dpopBound || client?.dpop_bound_access_tokens !== undefined) {
    input.dpop_bound_access_tokens = settings.dpopBound;
  }
  if (settings.dpopNonce || client?.dpop_nonce_required !== undefined) {
    input.dpop_nonce_required = settings.dpopNonce;
  }
  if (hasExchangeGrant) {
    input.token_exchange = {
      allowed_audiences: settings.allowedAudiences,
      may_impersonate: settings.mayImpersonate,
      allow_refresh_token_subject: settings.allowRefreshSubject,
    };
  } else if (client?.token_exchange) {
    // The fields are hidden without the grant; a policy the client has is kept for when it returns.
    input.token_exchange = client.token_exchange;
  }
  return null;
}

interface FieldsProps {
  settings: SecuritySettings;
  change: (patch: Partial<SecuritySettings>) => void;
}

/** private_key_jwt: the client's public keys; either JWT method: the one alg its assertions use. */
export function ClientKeyFields({ settings, change, method }: FieldsProps & { method: AuthMethod }) {
  const algs = assertionAlgs(method);
  if (algs.length === 0) return null;
  return (
    <Stack gap="xs">
      {method === 'private_key_jwt' && (
        <>
          <Text size="sm" fw={500} id="client-public-keys">
            Public keys
          </Text>
          <SegmentedControl
            aria-labelledby="client-public-keys"
            value={settings.keySource}
            onChange={(value) => change({ keySource: value as KeySource })}
            data={[
              { value: 'jwks', label: 'JWKS' },
              { value: 'jwks_uri', label: 'JWKS URL' },
            ]}
          />
          {settings.keySource === 'jwks' ? (
            <CodeTextarea
              label="JWKS"
              description="The client's public keys as a JWK Set (or one JWK). Never its private key: the provider only verifies."
              placeholder='{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…"}]}'
              minRows={3}
              small
              value={settings.jwksText}
              onChange={(jwksText) => change({ jwksText })}
            />
          ) : (
            <TextInput
              label="JWKS URL"
              description="Where the provider fetches the client's public keys (jwks_uri)"
              placeholder="https://client.example.com/jwks.json"
              value={settings.jwksUri}
              onChange={(event) => change({ jwksUri: event.currentTarget.value })}
            />
          )}
        </>
      )}
      <Select
        label="Assertion signing algorithm"
        description="token_endpoint_auth_signing_alg; empty = any of the method's algorithms"
        placeholder="Any"
        data={[...algs]}
        value={settings.signingAlg && algs.includes(settings.signingAlg) ? settings.signingAlg : null}
        onChange={(value) => change({ signingAlg: value as ClientAssertionAlg | null })}
        clearable
      />
    </Stack>
  );
}

type SwitchField = 'dpopBound' | 'dpopNonce' | 'mayImpersonate' | 'allowRefreshSubject';

/** Each on/off setting with what turning it on means. */
const SWITCHES: Record<SwitchField, { label: string; description: string }> = {
  dpopBound: {
    label: 'Require DPoP-bound access tokens',
    description:
      'RFC 9449 §5.2: every token request must carry a DPoP proof, so its tokens are always sender-constrained.',
  },
  dpopNonce: {
    label: 'Require a DPoP nonce',
    description: 'RFC 9449 §8: its proofs must carry a nonce the provider hands out in DPoP-Nonce.',
  },
  mayImpersonate: {
    label: 'May impersonate',
    description: "Exchange without an actor_token: the new token is the subject's alone, with no act claim.",
  },
  allowRefreshSubject: {
    label: 'Allow a refresh token as subject',
    description: 'May present one of its own refresh tokens as the subject_token.',
  },
};

function SettingSwitches({ settings, change, fields }: FieldsProps & { fields: SwitchField[] }) {
  return fields.map((field) => (
    <Switch
      key={field}
      {...SWITCHES[field]}
      checked={settings[field]}
      onChange={(event) => change({ [field]: event.currentTarget.checked })}
    />
  ));
}

export function DpopFields({ settings, change }: FieldsProps) {
  return <SettingSwitches settings={settings} change={change} fields={['dpopBound', 'dpopNonce']} />;
}

export function TokenExchangeFields({ settings, change }: FieldsProps) {
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Token exchange policy
      </Text>
      <TagsInput
        label="Allowed audiences"
        description="Audiences it may exchange tokens for, besides its own audience; press Enter after each"
        splitChars={[' ', ',']}
        placeholder="billing-api"
        value={settings.allowedAudiences}
        onChange={(allowedAudiences) => change({ allowedAudiences })}
      />
      <SettingSwitches
        settings={settings}
        change={change}
        fields={['mayImpersonate', 'allowRefreshSubject']}
      />
    </Stack>
  );
}
