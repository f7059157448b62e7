import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import {
  CLIENT_KEY_ASSERTION_ALGS,
  CLIENT_SECRET_ASSERTION_ALGS,
  ClientJwksSchema,
} from '../../../shared/schemas';
import { type Clock, isoFromSeconds, seconds } from '../lib/clock';
import type { ClientRecord } from '../store/clients';

/**
 * RFC 7523 §2.2 / OIDC Core §9 client assertions: private_key_jwt (signed with the client's key,
 * verified with its registered `jwks` or `jwks_uri`) and client_secret_jwt (HMAC with its secret).
 */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * How long an assertion is accepted: at most this long after its iat (or, without iat, its exp at most
 * this far ahead). Clients make one per request (openid-client: exp = iat + 60 s; authlib: iat + 1 h,
 * hence iat counts rather than exp); five minutes leaves room for a slow clock and bounds how long the
 * replay cache must remember a jti.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Leeway for the client's clock, on exp, nbf and iat. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** A jwks_uri must answer within this, with at most this much, and is then reused for this long. */
export const JWKS_FETCH_TIMEOUT_MS = 3000;
const JWKS_MAX_BYTES = 64 * 1024;
const JWKS_CACHE_MS = 60_000;
/** An unknown kid refetches a cached set this old: the client may have just rotated its key. */
const JWKS_REFETCH_AFTER_MS = 5000;

/** Why an assertion was refused, in words fit for error_description (never a secret or a key). */
export class AssertionRefused extends Error {}

/**
 * The jti of every assertion accepted and not yet expired, per client: RFC 7523 §3 item 7 lets the
 * server refuse a replayed one. In memory, bounded: an entry is needed only while its assertion is
 * accepted, at most MAX_ASSERTION_LIFETIME_SECONDS. A restart forgets them, so an assertion captured in the five
 * minutes before one could be replayed once after it; for a local sandbox that is accepted rather
 * than writing every assertion to disk. A full cache drops its oldest entries first.
 */
export class AssertionReplayCache {
  /** `client_id NUL jti` → until when it is accepted (provider seconds), in about that order (by the bound). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly capacity = 50_000) {}

  get size(): number {
    return this.seen.size;
  }

  /** Records the jti; false when this client already used it and it has not expired. */
  claim(clientId: string, jti: string, acceptedUntil: number, now: number): boolean {
    const key = `${clientId}\u0000${jti}`;
    const known = this.seen.get(key);
    if (known !== undefined && known >= now) return false;
    this.evict(now);
    this.seen.delete(key);
    this.seen.set(key, acceptedUntil);
    return true;
  }

  private evict(now: number): void {
    for (const [key, exp] of this.seen) {
      if (exp >= now && this.seen.size < this.capacity) break;
      this.seen.delete(key);
    }
  }
}

interface CachedJwks {
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}

/** A response body as text, or null when it is longer than `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string | null> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) return null;
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Fetches a client's JWK Set: bounded in time and size, public keys only. */
async function fetchJwks(uri: string): Promise<JSONWebKeySet> {
  const failed = (why: string) => new AssertionRefused(`The client's jwks_uri ${uri} ${why}.`);
  const unreachable = (error: unknown) => {
    const name = (error as Error).name;
    return name === 'TimeoutError' || name === 'AbortError'
      ? failed(`did not answer within ${JWKS_FETCH_TIMEOUT_MS} ms`)
      : failed(`could not be fetched (${(error as Error).message})`);
  };
  let response: Response;
  try {
    response = await fetch(uri, {
      redirect: 'error',
      headers: { accept: 'application/jwk-set+json, application/json' },
      // Covers reading the body too.
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable(error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw failed(`answered HTTP ${response.status}`);
  }
  let text: string | null;
  try {
    text = await boundedText(response, JWKS_MAX_BYTES);
  } catch (error) {
    throw unreachable(error);
  }
  if (text === null) throw failed(`answered more than ${JWKS_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw failed('did not answer JSON');
  }
  const parsed = ClientJwksSchema.safeParse(json);
  if (!parsed.success) {
    throw failed(`did not answer a JWK Set of public keys (${parsed.error.issues[0]?.message})`);
  }
  return parsed.data as JSONWebKeySet;
}

/** The method's algorithms, or the one the client registered (token_endpoint_auth_signing_alg). */
export function allowedAssertionAlgs(client: ClientRecord): string[] {
  if (client.token_endpoint_auth_signing_alg) return [client.token_endpoint_auth_signing_alg];
  return client.token_endpoint_auth_method === 'client_secret_jwt'
    ? [...CLIENT_SECRET_ASSERTION_ALGS]
    : [...CLIENT_KEY_ASSERTION_ALGS];
}

const quote = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/** What an assertion's expected claims are, for the messages. */
interface Expected {
  clientId: string;
  audiences: string[];
  now: number;
}

function claimMessage(claim: string, reason: string, payload: JWTPayload, expected: Expected): string {
  if (reason === 'missing') return `The client assertion has no "${claim}" claim; it is required.`;
  switch (claim) {
    case 'iss':
    case 'sub':
      return `The client assertion's ${claim} must be the client_id ${quote(expected.clientId)} (got ${quote(payload[claim])}).`;
    case 'aud':
      return `The client assertion's aud must be one of ${expected.audiences.map(quote).join(', ')} (got ${quote(payload.aud)}).`;
    case 'nbf':
      return `The client assertion is not valid before ${isoFromSeconds(Number(payload.nbf))} (provider time is ${isoFromSeconds(expected.now)}).`;
    case 'iat':
      return `The client assertion's iat ${isoFromSeconds(Number(payload.iat))} is in the future (provider time is ${isoFromSeconds(expected.now)}).`;
    default:
      return `The client assertion's "${claim}" claim is not valid.`;
  }
}

/** Turns jose's errors into error_descriptions that say what was wrong with the assertion. */
function describe(error: unknown, client: ClientRecord, expected: Expected, kid: unknown): string {
  const withSecret = client.token_endpoint_auth_method === 'client_secret_jwt';
  if (error instanceof AssertionRefused) return error.message;
  if (error instanceof errors.JWTExpired) {
    return `The client assertion expired at ${isoFromSeconds(Number(error.payload.exp))} (provider time is ${isoFromSeconds(expected.now)}).`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimMessage(error.claim, error.reason, error.payload, expected);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return withSecret
      ? `The client assertion's signature does not verify with the secret of "${expected.clientId}".`
      : `The client assertion's signature does not verify with the registered key of "${expected.clientId}".`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return `No key registered for "${expected.clientId}" matches the assertion (kid ${kid === undefined ? 'absent' : quote(kid)}).`;
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return `Several keys registered for "${expected.clientId}" match the assertion: give it the kid of the key that signed it.`;
  }
  if (error instanceof errors.JOSEError || error instanceof TypeError) {
    return `The client assertion is not a valid JWT (${error.message}).`;
  }
  throw error;
}

/**
 * Verifies client assertions for one engine: keeps the replay cache and the fetched jwks_uri sets,
 * and reads provider time, so an assertion expires when the provider's clock says so.
 */
export class ClientAssertionVerifier {
  readonly replay = new AssertionReplayCache();
  private readonly remote = new Map<string, Promise<CachedJwks>>();
  private readonly local = new WeakMap<ClientRecord, JWTVerifyGetKey>();

  constructor(private readonly clock: Clock) {}

  private remoteJwks(uri: string, refresh: boolean): Promise<CachedJwks> {
    const cached = this.remote.get(uri);
    if (cached && !refresh) return cached;
    const fetching = fetchJwks(uri).then((jwks) => ({
      keys: createLocalJWKSet(jwks),
      fetchedAt: Date.now(),
    }));
    this.remote.set(uri, fetching);
    // A failure is not cached, and a set is refetched once stale.
    fetching.then(
      () => setTimeout(() => this.forget(uri, fetching), JWKS_CACHE_MS).unref(),
      () => this.forget(uri, fetching),
    );
    return fetching;
  }

  private forget(uri: string, entry: Promise<CachedJwks>): void {
    if (this.remote.get(uri) === entry) this.remote.delete(uri);
  }

  /** The key lookup for a private_key_jwt client: its inline jwks, or its jwks_uri's. */
  private clientKeys(client: ClientRecord): JWTVerifyGetKey {
    const uri = client.jwks_uri;
    if (uri) {
      return async (header, token) => {
        const entry = await this.remoteJwks(uri, false);
        try {
          return await entry.keys(header, token);
        } catch (error) {
          const stale = Date.now() - entry.fetchedAt > JWKS_REFETCH_AFTER_MS;
          if (!(error instanceof errors.JWKSNoMatchingKey) || !stale) throw error;
          return (await this.remoteJwks(uri, true)).keys(header, token);
        }
      };
    }
    let keys = this.local.get(client);
    if (!keys) {
      if (!client.jwks) throw new AssertionRefused(`Client "${client.client_id}" has no keys registered.`);
      keys = createLocalJWKSet(client.jwks as JSONWebKeySet);
      this.local.set(client, keys);
    }
    return keys;
  }

  /**
   * Verifies `assertion` as `client`'s: signature, alg, iss = sub = client_id, aud (the issuer, the
   * token endpoint or the endpoint called), exp present and not passed, accepted for at most
   * MAX_ASSERTION_LIFETIME_SECONDS (acceptedUntil), jti unused.
   * Throws AssertionRefused with what was wrong.
   */
  async verify(client: ClientRecord, assertion: string, audiences: string[]): Promise<void> {
    const now = seconds(this.clock);
    const expected: Expected = { clientId: client.client_id, audiences, now };
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new AssertionRefused('client_assertion is not a JWT (header.payload.signature, base64url).');
    }
    const algorithms = allowedAssertionAlgs(client);
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      throw new AssertionRefused(
        `The client assertion's alg ${quote(header.alg)} is not allowed for ${client.token_endpoint_auth_method} client "${client.client_id}" (allowed: ${algorithms.join(', ')}).`,
      );
    }
    const options = {
      algorithms,
      issuer: client.client_id,
      subject: client.client_id,
      audience: audiences,
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now * 1000),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    let payload: JWTPayload;
    try {
      if (client.token_endpoint_auth_method === 'client_secret_jwt') {
        const secret = new TextEncoder().encode(client.client_secret ?? '');
        payload = (await jwtVerify(assertion, secret, options)).payload;
      } else {
        payload = (await jwtVerify(assertion, this.clientKeys(client), options)).payload;
      }
    } catch (error) {
      throw new AssertionRefused(describe(error, client, expected, header.kid));
    }
    this.checkLifetimeAndReplay(payload, expected);
  }

  /**
   * How long the assertion is accepted: until its exp, and at most MAX_ASSERTION_LIFETIME_SECONDS
   * after its iat. With an iat, a long exp is fine (authlib signs exp = iat + 1 hour); without one,
   * exp itself must be that close.
   */
  private acceptedUntil(payload: JWTPayload, now: number): number {
    const exp = payload.exp as number;
    const limit = MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS;
    const iat = payload.iat;
    if (iat === undefined) {
      if (exp - now > limit) {
        throw new AssertionRefused(
          `The client assertion has no iat and is valid for ${exp - now} s more; without iat at most ${MAX_ASSERTION_LIFETIME_SECONDS} s is accepted (make one per request, with a short exp).`,
        );
      }
      return exp;
    }
    if (iat > now + CLOCK_TOLERANCE_SECONDS) {
      throw new AssertionRefused(
        `The client assertion's iat ${isoFromSeconds(iat)} is in the future (provider time is ${isoFromSeconds(now)}).`,
      );
    }
    if (now - iat > limit) {
      throw new AssertionRefused(
        `The client assertion was issued at ${isoFromSeconds(iat)}, more than ${MAX_ASSERTION_LIFETIME_SECONDS} s ago (provider time is ${isoFromSeconds(now)}): make one per request.`,
      );
    }
    return Math.min(exp, iat + limit);
  }

  private checkLifetimeAndReplay(payload: JWTPayload, expected: Expected): void {
    const acceptedUntil = this.acceptedUntil(payload, expected.now);
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti === '') {
      throw new AssertionRefused("The client assertion's jti must be a non-empty string.");
    }
    if (!this.replay.claim(expected.clientId, jti, acceptedUntil, expected.now)) {
      throw new AssertionRefused(
        `The client assertion with jti ${quote(jti)} was already used: make a new assertion (with a new jti) for each request.`,
      );
    }
  }
}
