import {
  ActionIcon,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useId } from 'react';
import {
  type AuthMethod,
  CLIENT_KEY_ASSERTION_ALGS,
  CLIENT_SECRET_ASSERTION_ALGS,
  type Client,
  type ClientAssertionAlg,
  type ClientInput,
  type ClientJwks,
  JWT_BEARER_GRANT,
  type SubjectMatch,
  TOKEN_EXCHANGE_GRANT,
  type TrustedIssuer,
} from '../../../../shared/schemas';
import { CodeTextarea } from '../../components/CodeTextarea';
import { CloseIcon } from '../../components/icons';
import { parseJwksText } from '../../lib/client-keys';
import { SUBJECT_MATCH_LABELS } from './client-labels';

type KeySource = 'jwks' | 'jwks_uri';

/** Where a set of public keys is: pasted (JWKS) or fetched (JWKS URL), as the form edits it. */
interface KeySourceDraft {
  keySource: KeySource;
  jwksText: string;
  jwksUri: string;
}

/** One trusted assertion issuer of the jwt-bearer grant, as the form edits it. */
interface IssuerDraft extends KeySourceDraft {
  issuer: string;
  subjectMatch: SubjectMatch;
}

function keySourceDraft(keys: { jwks?: ClientJwks | null; jwks_uri?: string | null } | null): KeySourceDraft {
  return {
    keySource: keys?.jwks_uri ? 'jwks_uri' : 'jwks',
    jwksText: keys?.jwks ? JSON.stringify(keys.jwks, null, 2) : '',
    jwksUri: keys?.jwks_uri ?? '',
  };
}

const blankIssuer = (): IssuerDraft => ({
  issuer: '',
  subjectMatch: 'sub_then_username',
  ...keySourceDraft(null),
});

/** The keys of a draft as the contract has them, or what is wrong with the pasted JSON. */
function keySourceInput(
  draft: KeySourceDraft,
): { jwks: ClientJwks } | { jwks_uri: string } | { error: string } {
  return draft.keySource === 'jwks_uri' ? { jwks_uri: draft.jwksUri.trim() } : parseJwksText(draft.jwksText);
}

/** What the form edits of a client's JWT authentication, DPoP, token-exchange and jwt-bearer settings. */
export interface SecuritySettings extends KeySourceDraft {
  signingAlg: ClientAssertionAlg | null;
  dpopBound: boolean;
  dpopNonce: boolean;
  allowedAudiences: string[];
  mayImpersonate: boolean;
  allowRefreshSubject: boolean;
  trustedIssuers: IssuerDraft[];
  /** jwt_bearer.allowed_scopes; empty: every scope of the client. */
  assertionScopes: string[];
}

export function initialSecuritySettings(client: Client | null): SecuritySettings {
  const issuers = client?.jwt_bearer?.trusted_issuers ?? [];
  return {
    ...keySourceDraft(client),
    signingAlg: client?.token_endpoint_auth_signing_alg ?? null,
    dpopBound: client?.dpop_bound_access_tokens ?? false,
    dpopNonce: client?.dpop_nonce_required ?? false,
    allowedAudiences: client?.token_exchange?.allowed_audiences ?? [],
    mayImpersonate: client?.token_exchange?.may_impersonate ?? false,
    allowRefreshSubject: client?.token_exchange?.allow_refresh_token_subject ?? false,
    // With none yet, one blank issuer to fill in once the grant is chosen.
    trustedIssuers: issuers.length
      ? issuers.map((t) => ({ issuer: t.issuer, subjectMatch: t.subject_match, ...keySourceDraft(t) }))
      : [blankIssuer()],
    assertionScopes: client?.jwt_bearer?.allowed_scopes ?? [],
  };
}

/** The jwt_bearer policy of the drafts, or what is wrong with an issuer's pasted JWKS. */
function jwtBearerInput(settings: SecuritySettings): ClientInput['jwt_bearer'] | { error: string } {
  const trusted_issuers: TrustedIssuer[] = [];
  for (const draft of settings.trustedIssuers) {
    const keys = keySourceInput(draft);
    if ('error' in keys) return { error: `Trusted issuer "${draft.issuer.trim()}": ${keys.error}` };
    trusted_issuers.push({ issuer: draft.issuer.trim(), subject_match: draft.subjectMatch, ...keys });
  }
  return {
    trusted_issuers,
    ...(settings.assertionScopes.length ? { allowed_scopes: settings.assertionScopes } : {}),
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
): string | null {
  const method = input.token_endpoint_auth_method ?? 'client_secret_basic';
  const grants = input.grant_types ?? [];
  if (method === 'private_key_jwt') {
    const keys = keySourceInput(settings);
    if ('error' in keys) return keys.error;
    Object.assign(input, keys);
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
  if (grants.includes(TOKEN_EXCHANGE_GRANT)) {
    input.token_exchange = {
      allowed_audiences: settings.allowedAudiences,
      may_impersonate: settings.mayImpersonate,
      allow_refresh_token_subject: settings.allowRefreshSubject,
    };
  } else if (client?.token_exchange) {
    // The fields are hidden without the grant; a policy the client has is kept for when it returns.
    input.token_exchange = client.token_exchange;
  }
  if (grants.includes(JWT_BEARER_GRANT)) {
    const policy = jwtBearerInput(settings);
    if (policy && 'error' in policy) return policy.error;
    input.jwt_bearer = policy;
  } else if (client?.jwt_bearer) {
    input.jwt_bearer = client.jwt_bearer;
  }
  return null;
}

interface FieldsProps {
  settings: SecuritySettings;
  change: (patch: Partial<SecuritySettings>) => void;
}

interface KeySourceProps {
  value: KeySourceDraft;
  change: (patch: Partial<KeySourceDraft>) => void;
  /** What the field labels start with ("" for the client's own, "Issuer " for a trusted issuer's). */
  labelPrefix: string;
  /** Whose keys they are, for the descriptions ("the client's"). */
  whose: string;
  placeholderUri: string;
}

/** Public keys pasted as a JWK Set or fetched from a JWKS URL: private_key_jwt's, and trusted issuers'. */
function JwksSourceFields({ value, change, labelPrefix, whose, placeholderUri }: KeySourceProps) {
  const id = useId();
  return (
    <>
      <Text size="sm" fw={500} id={id}>
        {labelPrefix}Public keys
      </Text>
      <SegmentedControl
        aria-labelledby={id}
        value={value.keySource}
        onChange={(keySource) => change({ keySource: keySource as KeySource })}
        data={[
          { value: 'jwks', label: 'JWKS' },
          { value: 'jwks_uri', label: 'JWKS URL' },
        ]}
      />
      {value.keySource === 'jwks' ? (
        <CodeTextarea
          label={`${labelPrefix}JWKS`}
          description={`${whose} public keys as a JWK Set (or one JWK). Never a private key: the provider only verifies.`}
          placeholder='{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…"}]}'
          minRows={3}
          small
          value={value.jwksText}
          onChange={(jwksText) => change({ jwksText })}
        />
      ) : (
        <TextInput
          label={`${labelPrefix}JWKS URL`}
          description={`Where the provider fetches ${whose.toLowerCase()} public keys (jwks_uri)`}
          placeholder={placeholderUri}
          value={value.jwksUri}
          onChange={(event) => change({ jwksUri: event.currentTarget.value })}
        />
      )}
    </>
  );
}

/** private_key_jwt: the client's public keys; either JWT method: the one alg its assertions use. */
export function ClientKeyFields({ settings, change, method }: FieldsProps & { method: AuthMethod }) {
  const algs = assertionAlgs(method);
  if (algs.length === 0) return null;
  return (
    <Stack gap="xs">
      {method === 'private_key_jwt' && (
        <JwksSourceFields
          value={settings}
          change={change}
          labelPrefix=""
          whose="The client's"
          placeholderUri="https://client.example.com/jwks.json"
        />
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

/** RFC 7523 jwt-bearer: the issuers whose signed assertions the client may trade for a user's token. */
export function JwtBearerFields({ settings, change }: FieldsProps) {
  const issuers = settings.trustedIssuers;
  const changeIssuer = (index: number, patch: Partial<IssuerDraft>) =>
    change({ trustedIssuers: issuers.map((draft, i) => (i === index ? { ...draft, ...patch } : draft)) });
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Trusted assertion issuers
      </Text>
      <Text size="xs" c="dimmed">
        The jwt-bearer grant (RFC 7523) trades a JWT signed by one of these issuers for an access token of the
        user its sub names. Its iss must be the issuer, its aud this provider.
      </Text>
      {issuers.map((draft, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: drafts have no identity of their own; the list only grows or loses an entry by its button.
        <Paper key={index} withBorder p="sm">
          <Stack gap="xs">
            <Group align="flex-end" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                label="Issuer"
                description="The iss of its assertions"
                placeholder="https://issuer.example.com"
                value={draft.issuer}
                onChange={(event) => changeIssuer(index, { issuer: event.currentTarget.value })}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                aria-label={`Remove trusted issuer ${draft.issuer || index + 1}`}
                disabled={issuers.length === 1}
                onClick={() => change({ trustedIssuers: issuers.filter((_, i) => i !== index) })}
              >
                <CloseIcon />
              </ActionIcon>
            </Group>
            <JwksSourceFields
              value={draft}
              change={(patch) => changeIssuer(index, patch)}
              labelPrefix="Issuer "
              whose="The issuer's"
              placeholderUri="https://issuer.example.com/jwks.json"
            />
            <Select
              label="Subject matching"
              description="How the assertion's sub finds a test user"
              data={Object.entries(SUBJECT_MATCH_LABELS).map(([value, label]) => ({ value, label }))}
              value={draft.subjectMatch}
              onChange={(value) => value && changeIssuer(index, { subjectMatch: value as SubjectMatch })}
              allowDeselect={false}
            />
          </Stack>
        </Paper>
      ))}
      <Group>
        <Button
          size="xs"
          variant="light"
          onClick={() => change({ trustedIssuers: [...issuers, blankIssuer()] })}
        >
          Add trusted issuer
        </Button>
      </Group>
      <TagsInput
        label="Scopes for assertions"
        description="The scopes an assertion may be traded for; empty = every scope of the client"
        splitChars={[' ', ',']}
        value={settings.assertionScopes}
        onChange={(assertionScopes) => change({ assertionScopes })}
      />
    </Stack>
  );
}
