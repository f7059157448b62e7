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
  type ClientJwks,
  ClientJwksSchema,
  type TrustedIssuer,
} from '../../../shared/schemas';
import { type Clock, isoFromSeconds, seconds } from '../lib/clock';
import type { ClientRecord } from '../store/clients';

/**
 * RFC 7523 JWT assertions. §2.2 / OIDC Core §9 client assertions: private_key_jwt (signed with the
 * client's key, verified with its registered `jwks` or `jwks_uri`) and client_secret_jwt (HMAC with its
 * secret); §2.1 authorization grants (the jwt-bearer grant), signed by an issuer the client trusts. Both
 * share the checks, the replay cache and the fetched key sets here.
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

/** Why a jwks_uri gave no keys; the caller names whose it is. */
class JwksUnavailable extends Error {}

/** Fetches a JWK Set: bounded in time and size, public keys only. */
async function fetchJwks(uri: string): Promise<JSONWebKeySet> {
  const failed = (why: string) => new JwksUnavailable(why);
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

/** Where an assertion's signing keys are: inline, or at a URL (one of the two). */
interface KeySource {
  jwks?: ClientJwks | undefined;
  jwks_uri?: string | undefined;
}

/**
 * One kind of assertion as the shared checks see it: a client's own (client authentication) or a
 * trusted issuer's (the jwt-bearer grant). Messages are built from these names.
 */
interface AssertionSpec {
  /** How messages name the assertion: "The client assertion", "The assertion". */
  noun: string;
  /** The request parameter that carried it. */
  param: string;
  /** Whose keys verify it, for messages: `"svc"`, `trusted issuer "https://idp.example"`. */
  who: string;
  /** Verified with a shared secret (client_secret_jwt) rather than registered public keys. */
  withSecret: boolean;
  /** The alg allow-list, and what it belongs to for the message refusing another alg. */
  algorithms: string[];
  algsOf: string;
  key: JWTVerifyGetKey;
  /** The value iss and sub must have (and how a message names it), when it is fixed. */
  pinned?: { value: string; name: string };
  /** The issuer claim it must have, when only that is fixed. */
  issuer?: string;
  audiences: string[];
  requiredClaims: string[];
  /** The replay cache's namespace: jti values are unique per issuer. */
  replayScope: string;
  /**
   * RFC 7523 §3 makes jti optional for an authorization grant (Go's x/oauth2/jwt and authlib send
   * none); OIDC Core §9 requires it of a client assertion. Replay protection is tied to the jti
   * (§3 item 7): an assertion without one is accepted until it expires. Keying it on the assertion's
   * hash instead refused real clients: authlib signs RS256 (deterministic) with second-granular iat, so
   * two token requests within one second send byte-identical assertions.
   */
  jtiOptional: boolean;
  now: number;
}

function claimMessage(claim: string, reason: string, payload: JWTPayload, spec: AssertionSpec): string {
  const { noun, now } = spec;
  if (reason === 'missing') return `${noun} has no "${claim}" claim; it is required.`;
  switch (claim) {
    case 'iss':
    case 'sub':
      return `${noun}'s ${claim} must be ${spec.pinned?.name ?? quote(spec.issuer)} (got ${quote(payload[claim])}).`;
    case 'aud':
      return `${noun}'s aud must be one of ${spec.audiences.map(quote).join(', ')} (got ${quote(payload.aud)}).`;
    case 'nbf':
      return `${noun} is not valid before ${isoFromSeconds(Number(payload.nbf))} (provider time is ${isoFromSeconds(now)}).`;
    case 'iat':
      return `${noun}'s iat ${isoFromSeconds(Number(payload.iat))} is in the future (provider time is ${isoFromSeconds(now)}).`;
    default:
      return `${noun}'s "${claim}" claim is not valid.`;
  }
}

/** Turns jose's errors into error_descriptions that say what was wrong with the assertion. */
function describe(error: unknown, spec: AssertionSpec, kid: unknown): string {
  const { noun, who } = spec;
  if (error instanceof AssertionRefused) return error.message;
  if (error instanceof errors.JWTExpired) {
    return `${noun} expired at ${isoFromSeconds(Number(error.payload.exp))} (provider time is ${isoFromSeconds(spec.now)}).`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimMessage(error.claim, error.reason, error.payload, spec);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return spec.withSecret
      ? `${noun}'s signature does not verify with the secret of ${who}.`
      : `${noun}'s signature does not verify with the registered key of ${who}.`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return `No key registered for ${who} matches the assertion (kid ${kid === undefined ? 'absent' : quote(kid)}).`;
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return `Several keys registered for ${who} match the assertion: give it the kid of the key that signed it.`;
  }
  if (error instanceof errors.JOSEError || error instanceof TypeError) {
    return `${noun} is not a valid JWT (${error.message}).`;
  }
  throw error;
}

/**
 * The algorithms a trusted issuer's assertions may use (RFC 7523 §3 item 9): public-key ones only.
 * `none` is never accepted, and an HMAC alg would let anyone holding the published key forge one.
 */
export const GRANT_ASSERTION_ALGS: readonly string[] = CLIENT_KEY_ASSERTION_ALGS;

/**
 * Verifies JWT assertions for one engine, the client's own (private_key_jwt, client_secret_jwt) and a
 * trusted issuer's (the jwt-bearer grant): keeps the replay cache and the fetched jwks_uri sets, and
 * reads provider time, so an assertion expires when the provider's clock says so.
 */
export class ClientAssertionVerifier {
  readonly replay = new AssertionReplayCache();
  private readonly remote = new Map<string, Promise<CachedJwks>>();
  /** Inline key sets by the (frozen, cached) record holding them: a client, or one of its trusted issuers. */
  private readonly local = new WeakMap<KeySource, JWTVerifyGetKey>();

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

  /**
   * The key lookup for a key source: its inline jwks, or its jwks_uri's. `uriName` says whose jwks_uri
   * it is when that cannot be fetched ("The client's jwks_uri").
   */
  private keysOf(source: KeySource, uriName: string, none: string): JWTVerifyGetKey {
    const uri = source.jwks_uri;
    if (uri) {
      return async (header, token) => {
        try {
          const entry = await this.remoteJwks(uri, false);
          try {
            return await entry.keys(header, token);
          } catch (error) {
            const stale = Date.now() - entry.fetchedAt > JWKS_REFETCH_AFTER_MS;
            if (!(error instanceof errors.JWKSNoMatchingKey) || !stale) throw error;
            return (await this.remoteJwks(uri, true)).keys(header, token);
          }
        } catch (error) {
          if (error instanceof JwksUnavailable)
            throw new AssertionRefused(`${uriName} ${uri} ${error.message}.`);
          throw error;
        }
      };
    }
    let keys = this.local.get(source);
    if (!keys) {
      if (!source.jwks) throw new AssertionRefused(none);
      keys = createLocalJWKSet(source.jwks as JSONWebKeySet);
      this.local.set(source, keys);
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
    const withSecret = client.token_endpoint_auth_method === 'client_secret_jwt';
    const who = quote(client.client_id);
    const secret = new TextEncoder().encode(client.client_secret ?? '');
    await this.check(assertion, {
      noun: 'The client assertion',
      param: 'client_assertion',
      who,
      withSecret,
      algorithms: allowedAssertionAlgs(client),
      algsOf: `${client.token_endpoint_auth_method} client ${who}`,
      key: withSecret
        ? () => secret
        : this.keysOf(client, "The client's jwks_uri", `Client ${who} has no keys registered.`),
      pinned: { value: client.client_id, name: `the client_id ${who}` },
      audiences,
      requiredClaims: ['exp', 'jti'],
      replayScope: client.client_id,
      jtiOptional: false,
      now: seconds(this.clock),
    });
  }

  /**
   * Verifies a jwt-bearer grant's assertion (RFC 7523 §3) from `trusted`: signed by one of its keys with
   * a public-key alg, iss = its issuer, sub present, aud the provider, exp present and not passed,
   * accepted for at most MAX_ASSERTION_LIFETIME_SECONDS, jti unused (per issuer). Returns its claims.
   * Throws AssertionRefused with what was wrong.
   */
  verifyGrant(trusted: TrustedIssuer, assertion: string, audiences: string[]): Promise<JWTPayload> {
    const who = `trusted issuer ${quote(trusted.issuer)}`;
    return this.check(assertion, {
      noun: 'The assertion',
      param: 'assertion',
      who,
      withSecret: false,
      algorithms: [...GRANT_ASSERTION_ALGS],
      algsOf: who,
      key: this.keysOf(trusted, `The jwks_uri of ${who}:`, `No keys are registered for ${who}.`),
      issuer: trusted.issuer,
      audiences,
      requiredClaims: ['sub', 'exp'],
      // \u0001 never begins a client_id (printable ASCII), so an issuer's jti values and a client's
      // never meet, even where the issuer's name is a client_id.
      replayScope: `\u0001${trusted.issuer}`,
      jtiOptional: true,
      now: seconds(this.clock),
    });
  }

  private async check(assertion: string, spec: AssertionSpec): Promise<JWTPayload> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new AssertionRefused(`${spec.param} is not a JWT (header.payload.signature, base64url).`);
    }
    if (typeof header.alg !== 'string' || !spec.algorithms.includes(header.alg)) {
      throw new AssertionRefused(
        `${spec.noun}'s alg ${quote(header.alg)} is not allowed for ${spec.algsOf} (allowed: ${spec.algorithms.join(', ')}).`,
      );
    }
    const options = {
      algorithms: spec.algorithms,
      issuer: spec.pinned?.value ?? spec.issuer,
      subject: spec.pinned?.value,
      audience: spec.audiences,
      requiredClaims: spec.requiredClaims,
      currentDate: new Date(spec.now * 1000),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    let payload: JWTPayload;
    try {
      payload = (await jwtVerify(assertion, spec.key, options)).payload;
    } catch (error) {
      throw new AssertionRefused(describe(error, spec, header.kid));
    }
    this.checkLifetimeAndReplay(payload, spec);
    return payload;
  }

  /**
   * How long the assertion is accepted: until its exp, and at most MAX_ASSERTION_LIFETIME_SECONDS
   * after its iat. With an iat, a long exp is fine (authlib signs exp = iat + 1 hour); without one,
   * exp itself must be that close.
   */
  private acceptedUntil(payload: JWTPayload, { noun, now }: AssertionSpec): number {
    const exp = payload.exp as number;
    const limit = MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS;
    const iat = payload.iat;
    if (iat === undefined) {
      if (exp - now > limit) {
        throw new AssertionRefused(
          `${noun} has no iat and is valid for ${exp - now} s more; without iat at most ${MAX_ASSERTION_LIFETIME_SECONDS} s is accepted (make one per request, with a short exp).`,
        );
      }
      return exp;
    }
    if (iat > now + CLOCK_TOLERANCE_SECONDS) {
      throw new AssertionRefused(
        `${noun}'s iat ${isoFromSeconds(iat)} is in the future (provider time is ${isoFromSeconds(now)}).`,
      );
    }
    if (now - iat > limit) {
      throw new AssertionRefused(
        `${noun} was issued at ${isoFromSeconds(iat)}, more than ${MAX_ASSERTION_LIFETIME_SECONDS} s ago (provider time is ${isoFromSeconds(now)}): make one per request.`,
      );
    }
    return Math.min(exp, iat + limit);
  }

  private checkLifetimeAndReplay(payload: JWTPayload, spec: AssertionSpec): void {
    const acceptedUntil = this.acceptedUntil(payload, spec);
    if (payload.jti === undefined && spec.jtiOptional) return;
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti === '') {
      throw new AssertionRefused(`${spec.noun}'s jti must be a non-empty string.`);
    }
    if (!this.replay.claim(spec.replayScope, jti, acceptedUntil, spec.now)) {
      throw new AssertionRefused(
        `${spec.noun} with jti ${quote(jti)} was already used: make a new assertion (with a new jti) for each request.`,
      );
    }
  }
}
