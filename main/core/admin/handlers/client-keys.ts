import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { AdminError } from '../../../../shared/errors';
import { jsQuote, shellQuote } from '../../../../shared/quote';
import {
  CLIENT_KEY_ASSERTION_ALGS,
  type Client,
  type ClientInput,
  ClientInputSchema,
} from '../../../../shared/schemas';
import { formatIssues } from '../../../../shared/validation';
import { publicPart } from '../../lib/jwk';
import type { ClientRecord } from '../../store/clients';

export type ClientKeyAlg = (typeof CLIENT_KEY_ASSERTION_ALGS)[number];

/**
 * ES256 unless the client pins another algorithm: P-256 keys are made at once (an RSA key takes a
 * noticeable fraction of a second), are short enough to read and paste, and every JOSE library and
 * profile (FAPI 2.0 included, which refuses RS256) accepts them.
 */
export const DEFAULT_CLIENT_KEY_ALG: ClientKeyAlg = 'ES256';

/** What a client's `jwks` may hold (ClientJwksSchema). */
const MAX_CLIENT_KEYS = 20;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface GeneratedKey {
  kid: string;
  alg: ClientKeyAlg;
  public_jwk: JWK;
  private_jwk: JWK;
  private_key_pem: string;
}

/** The client's pinned assertion algorithm when it is one a key can sign with. */
function pinnedKeyAlg(client: ClientRecord): ClientKeyAlg | undefined {
  const pinned = client.token_endpoint_auth_signing_alg;
  return (CLIENT_KEY_ASSERTION_ALGS as readonly string[]).includes(pinned ?? '')
    ? (pinned as ClientKeyAlg)
    : undefined;
}

/**
 * Which algorithm the new key is for, or why the client cannot take one: its keys are served from its
 * own jwks_uri (the provider cannot add one there), it is public, it already has the most keys a jwks
 * holds, or it authenticates with a secret and the caller did not ask to switch it. Called before the
 * key is made (so nothing slow is done for a refusal) and again in the transaction that stores it.
 */
export function keyAlgFor(client: ClientRecord, requested: ClientKeyAlg | undefined, switchMethod: boolean) {
  const id = client.client_id;
  const method = client.token_endpoint_auth_method;
  if (method === 'none') {
    throw new AdminError('conflict', `Client "${id}" is public (auth method "none"): it holds no key.`);
  }
  if (method === 'private_key_jwt' && client.jwks_uri !== undefined) {
    throw new AdminError(
      'conflict',
      `Client "${id}" publishes its keys at its jwks_uri (${client.jwks_uri}): add the new public key there, or give the client inline jwks instead.`,
    );
  }
  if (method !== 'private_key_jwt' && !switchMethod) {
    throw new AdminError(
      'conflict',
      `Client "${id}" authenticates with ${method}, not private_key_jwt: pass switch_auth_method: true to switch it to the new key (its secret is dropped).`,
    );
  }
  if (method === 'private_key_jwt' && (client.jwks?.keys.length ?? 0) >= MAX_CLIENT_KEYS) {
    throw new AdminError(
      'conflict',
      `Client "${id}" already has ${MAX_CLIENT_KEYS} keys, the most its jwks holds: remove one first.`,
    );
  }
  // A client switching methods drops a pinned HMAC algorithm, so only a private_key_jwt pin counts.
  const pinned = method === 'private_key_jwt' ? pinnedKeyAlg(client) : undefined;
  if (requested !== undefined && pinned !== undefined && requested !== pinned) {
    throw new AdminError(
      'invalid_input',
      `Client "${id}" accepts only ${pinned} assertions (token_endpoint_auth_signing_alg): a ${requested} key could not sign one.`,
    );
  }
  return requested ?? pinned ?? DEFAULT_CLIENT_KEY_ALG;
}

/** A new key pair for client assertions: the private part for the caller, once; the public one to store. */
export async function generateClientKey(alg: ClientKeyAlg): Promise<GeneratedKey> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const members = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    public_jwk: { ...publicPart(jwk), ...members },
    private_jwk: { ...jwk, ...members },
    private_key_pem: await exportPKCS8(privateKey),
  };
}

/**
 * The client with the new public key: added to its jwks, or, for a client switching from a secret, as
 * its only key. Parsed with the schema clients.update parses with, so it is held to the same rules.
 */
export function withPublicKey(
  client: ClientRecord,
  key: GeneratedKey,
): ReturnType<typeof ClientInputSchema.parse> {
  const {
    created_at: _created,
    updated_at: _updated,
    registered_at: _registered,
    client_secret: _secret,
    ...metadata
  } = client;
  const switching = client.token_endpoint_auth_method !== 'private_key_jwt';
  const input: ClientInput = {
    ...metadata,
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [...(switching ? [] : (client.jwks?.keys ?? [])), key.public_jwk] },
    token_endpoint_auth_signing_alg: switching ? undefined : client.token_endpoint_auth_signing_alg,
  };
  const parsed = ClientInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new AdminError(
      'invalid_input',
      `Client "${client.client_id}" cannot take the key: ${formatIssues(parsed.error).join('; ')}`,
    );
  }
  return parsed.data;
}

/** A curl call to an endpoint the client may use, authenticated by "$ASSERTION". */
function curlCall(client: Client, tokenEndpoint: string): string {
  const lines = [`curl -s ${shellQuote(tokenEndpoint)}`];
  if (client.grant_types.includes('client_credentials')) {
    lines.push('-d grant_type=client_credentials');
  } else if (client.grant_types.includes('authorization_code')) {
    lines.push(
      '-d grant_type=authorization_code',
      '--data-urlencode code="$CODE"',
      `--data-urlencode redirect_uri=${shellQuote(client.redirect_uris[0] ?? '')}`,
      '--data-urlencode code_verifier="$CODE_VERIFIER"',
    );
  } else {
    lines.push('-d grant_type=refresh_token', '--data-urlencode refresh_token="$REFRESH_TOKEN"');
  }
  lines.push(`-d client_assertion_type=${ASSERTION_TYPE}`, '--data-urlencode client_assertion="$ASSERTION"');
  return lines.join(' \\\n  ');
}

/**
 * A shell script, runnable as it is beside the private key saved as private-key.pem: Node (jose)
 * signs a client assertion (RFC 7523 §3: iss = sub = client_id, aud = the token endpoint, a fresh jti,
 * a short exp), then curl presents it at the token endpoint.
 */
export function assertionSnippet(client: Client, key: GeneratedKey, tokenEndpoint: string): string {
  const id = jsQuote(client.client_id);
  const js = [
    'import { randomUUID } from "node:crypto";',
    'import { readFileSync } from "node:fs";',
    'import { importPKCS8, SignJWT } from "jose";',
    '',
    `const key = await importPKCS8(readFileSync("private-key.pem", "utf8"), ${jsQuote(key.alg)});`,
    'const assertion = await new SignJWT({ jti: randomUUID() })',
    `  .setProtectedHeader({ alg: ${jsQuote(key.alg)}, kid: ${jsQuote(key.kid)} })`,
    `  .setIssuer(${id})`,
    `  .setSubject(${id})`,
    `  .setAudience(${jsQuote(tokenEndpoint)})`,
    '  .setIssuedAt()',
    '  .setExpirationTime("60s")',
    '  .sign(key);',
    'console.log(assertion);',
  ];
  return [
    '# Save the private key as private-key.pem in this folder; needs Node 18+ and `npm install jose`.',
    "cat > assertion.mjs <<'JS'",
    ...js,
    'JS',
    'ASSERTION=$(node assertion.mjs)',
    curlCall(client, tokenEndpoint),
    '',
  ].join('\n');
}
