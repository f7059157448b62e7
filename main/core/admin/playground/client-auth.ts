import {
  type CryptoKey,
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  SignJWT,
} from 'jose';
import type { PlaygroundStep } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { CLIENT_KEY_ASSERTION_ALGS } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import { randomToken } from '../../lib/secrets';
import { CLIENT_ASSERTION_TYPE } from '../../provider/client-assertions';
import type { ClientRecord } from '../../store/clients';

/** A private_key_jwt client's key as pasted for one run: it signs that client's assertions, nothing else. */
export interface PastedKey {
  key: CryptoKey | Uint8Array;
  alg: string;
  kid: string | undefined;
}

/** What a run needs to authenticate its clients: pasted keys by client_id, and what must never be shown. */
export interface ClientKeys {
  keys: Map<string, PastedKey>;
  /** The pasted texts and every private member of them: redacted from anything the run returns. */
  secrets: string[];
}

/** JWK members that hold private key material (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** The alg a key of this type signs with when neither the client nor the key names one. */
function defaultAlg(jwk: JWK): string | undefined {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  const byCurve: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
  return jwk.kty === 'EC' && jwk.crv ? byCurve[jwk.crv] : undefined;
}

const pasteHint =
  'paste the private JWK the client drawer showed when its key pair was generated (JSON with "kty" and "d")';

/**
 * Parses a pasted private JWK (`what` names it in errors, `hint` says what to paste instead). The text
 * and every private member go into `secrets`; errors never quote the text (it is a secret).
 */
export function parsePrivateJwk(text: string, what: string, hint: string, secrets: string[]): JWK {
  secrets.push(text);
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    // JSON.parse's message quotes the text, so it is not passed on.
    throw new AdminError('invalid_input', `${what} is not JSON: ${hint}.`);
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || typeof jwk.kty !== 'string') {
    throw new AdminError('invalid_input', `${what} is not a JWK: ${hint}.`);
  }
  for (const member of PRIVATE_MEMBERS) {
    const value = (jwk as Record<string, unknown>)[member];
    if (typeof value === 'string' && value) secrets.push(value);
  }
  if (jwk.kty === 'oct' || typeof jwk.d !== 'string') {
    throw new AdminError(
      'invalid_input',
      `${what} is not an asymmetric private key (it has no "d"): ${hint}.`,
    );
  }
  return jwk;
}

/**
 * The signing key of a parsed private JWK: with `alg` (the registered one), else the key's own, else
 * its type's usual one, which must be an asymmetric JWT assertion alg (RFC 7523 §3 item 9).
 */
export async function signingKey(jwk: JWK, alg: string | undefined, what: string): Promise<PastedKey> {
  const chosen = alg ?? jwk.alg ?? defaultAlg(jwk);
  if (!chosen || !(CLIENT_KEY_ASSERTION_ALGS as readonly string[]).includes(chosen)) {
    throw new AdminError(
      'invalid_input',
      `No assertion algorithm fits ${what} (kty "${jwk.kty}"${chosen ? `, alg "${chosen}"` : ''}): use one of ${CLIENT_KEY_ASSERTION_ALGS.join(', ')}.`,
    );
  }
  try {
    return { key: await importJWK(jwk, chosen), alg: chosen, kid: jwk.kid };
  } catch {
    throw new AdminError('invalid_input', `${what} is not a valid ${chosen} private key.`);
  }
}

/** Parses and imports a private_key_jwt client's pasted key. */
async function importPastedKey(client: ClientRecord, text: string, secrets: string[]): Promise<PastedKey> {
  const id = client.client_id;
  const jwk = parsePrivateJwk(text, `The private key for "${id}"`, pasteHint, secrets);
  const pasted = await signingKey(
    jwk,
    client.token_endpoint_auth_signing_alg ?? undefined,
    `the key pasted for "${id}"`,
  );
  // The kid of the registered public key it belongs to, so that the provider picks the right one.
  const kid = pasted.kid ?? (await registeredKey(client.jwks?.keys ?? [], jwk))?.kid;
  return { ...pasted, kid };
}

/** The registered public key (among `registered`) this private key belongs to, by JWK thumbprint. */
export async function registeredKey(registered: readonly unknown[], jwk: JWK): Promise<JWK | undefined> {
  const thumbprint = await calculateJwkThumbprint(jwk);
  for (const entry of registered) {
    const candidate = entry as JWK;
    if (candidate.kty !== jwk.kty) continue;
    if ((await calculateJwkThumbprint(candidate).catch(() => null)) === thumbprint) return candidate;
  }
  return undefined;
}

/**
 * The keys of the run's clients: a private_key_jwt client needs its pasted private key (refused before
 * any request when it is missing); a pasted key for any other client is refused as a mistake.
 */
export async function prepareClientKeys(
  pairs: { client: ClientRecord; pasted: string | undefined; field: string }[],
): Promise<ClientKeys> {
  const result: ClientKeys = { keys: new Map(), secrets: [] };
  for (const { client, pasted, field } of pairs) {
    if (result.keys.has(client.client_id)) continue;
    const method = client.token_endpoint_auth_method;
    if (method !== 'private_key_jwt') {
      if (pasted !== undefined) {
        result.secrets.push(pasted);
        throw new AdminError(
          'invalid_input',
          `Client "${client.client_id}" authenticates with ${method}, not private_key_jwt: leave ${field} empty.`,
        );
      }
      continue;
    }
    if (pasted === undefined) {
      throw new AdminError(
        'invalid_input',
        `Client "${client.client_id}" authenticates with private_key_jwt (RFC 7523): ${pasteHint}, in ${field}. It is used for this run only, never stored.`,
      );
    }
    result.keys.set(client.client_id, await importPastedKey(client, pasted, result.secrets));
  }
  return result;
}

/** What a client assertion is signed with and which alg: the pasted key, or the client secret (HMAC). */
function assertionKey(client: ClientRecord, keys: ClientKeys): PastedKey {
  if (client.token_endpoint_auth_method === 'client_secret_jwt') {
    return {
      key: new TextEncoder().encode(client.client_secret ?? ''),
      alg: client.token_endpoint_auth_signing_alg ?? 'HS256',
      kid: undefined,
    };
  }
  const pasted = keys.keys.get(client.client_id);
  if (!pasted) throw new AdminError('invalid_input', `No private key was given for "${client.client_id}".`);
  return pasted;
}

/**
 * A client assertion (RFC 7523 §2.2, §3; OIDC Core §9), one per request: iss = sub = client_id, aud the
 * issuer (the provider accepts it at every endpoint, and it cannot be mistaken for another server's
 * endpoint), a fresh jti, and a minute of life on the provider's clock.
 */
async function clientAssertion(
  client: ClientRecord,
  keys: ClientKeys,
  issuer: string,
  now: number,
): Promise<string> {
  const { key, alg, kid } = assertionKey(client, keys);
  const header: JWTHeaderParameters = { alg, typ: 'JWT', ...(kid ? { kid } : {}) };
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(client.client_id)
    .setSubject(client.client_id)
    .setAudience(issuer)
    .setJti(randomToken())
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

/** Where and as whom a request authenticates. */
export interface AuthTarget {
  client: ClientRecord;
  keys: ClientKeys;
  issuer: string;
  clock: { now(): number };
}

/** Client authentication as the client is registered (RFC 6749 §2.3, RFC 7523 §2.2, OIDC Core §9). */
export async function withClientAuth(
  target: AuthTarget,
  form: Record<string, string>,
): Promise<{ headers: Record<string, string>; body: string }> {
  const { client } = target;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const fields = { ...form };
  const method = client.token_endpoint_auth_method;
  if (method === 'client_secret_basic') {
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret ?? '')}`).toString('base64')}`;
  } else if (method === 'client_secret_post') {
    fields.client_id = client.client_id;
    fields.client_secret = client.client_secret ?? '';
  } else if (method === 'private_key_jwt' || method === 'client_secret_jwt') {
    fields.client_id = client.client_id;
    fields.client_assertion_type = CLIENT_ASSERTION_TYPE;
    fields.client_assertion = await clientAssertion(
      client,
      target.keys,
      target.issuer,
      seconds(target.clock),
    );
  } else {
    fields.client_id = client.client_id;
  }
  return { headers, body: new URLSearchParams(fields).toString() };
}

/** Shows the client assertion a step's request carried (header and payload) and where it is specified. */
export function annotateClientAssertion(step: PlaygroundStep): void {
  const body = step.http?.request.body;
  if (!body?.includes('client_assertion=')) return;
  const assertion = new URLSearchParams(body).get('client_assertion');
  if (!assertion) return;
  try {
    step.values.client_assertion = {
      header: decodeProtectedHeader(assertion) as PlaygroundStep['values'],
      payload: decodeJwt(assertion) as PlaygroundStep['values'],
    };
  } catch {
    return;
  }
  step.spec = `${step.spec}, RFC 7523 §2.2, OIDC Core §9`;
}

/** The shortest pasted text treated as key material when redacting. */
const MIN_SECRET_LENGTH = 16;

/** Replaces every secret in every string of `value` (a run's output), however deeply nested. */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  // Key material is never this short (a P-256 "d" is 43 characters); a stray paste of a few characters
  // is refused anyway, and scrubbing it would blank those letters in every message.
  const material = secrets.filter((secret) => secret.trim().length >= MIN_SECRET_LENGTH);
  if (material.length === 0) return value;
  const scrub = (item: unknown): unknown => {
    if (typeof item === 'string') {
      let text = item;
      for (const secret of material) if (text.includes(secret)) text = text.split(secret).join('[redacted]');
      return text;
    }
    if (Array.isArray(item)) return item.map(scrub);
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, scrub(v)]));
    }
    return item;
  };
  return scrub(value) as T;
}
