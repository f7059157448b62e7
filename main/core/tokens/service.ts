import { createHash } from 'node:crypto';
import { decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import type { AccessTokenFormat, Settings, SigningAlg } from '../../../shared/schemas';
import { type Clock, seconds } from '../lib/clock';
import { envelopeOpaqueValue, opaqueValue, tokenId } from '../lib/token-values';
import type { ClientRecord } from '../store/clients';
import type { GrantRecord } from '../store/grants';
import type { KeyRecord, KeyStore } from '../store/keys';
import { type TokenRecord, type TokenStore, tokenState } from '../store/tokens';
import type { UserRecord } from '../store/users';
import { type ClaimContext, decideClaims, introspectionClaims } from './claim-mapping';
import { splitScope } from './claims';
import type { ClaimProfile } from './profile-claims';
import type { JwtSigner } from './signer';
import { verificationKeys } from './verification-keys';

/** The `aud` claim for an audience list: a single audience as a string (RFC 7519 §4.1.3 allows both). */
export function audClaim(audience: string[]): string | string[] {
  return audience.length === 1 ? (audience[0] as string) : audience;
}

/** Whether `claims` has no property of its own (JSON.parse's objects have no enumerable inherited ones). */
function hasNoClaims(claims: Record<string, unknown>): boolean {
  for (const _ in claims) return false;
  return true;
}

/** OIDC Core §3.1.3.6 at_hash: left half of the hash of the token, the hash matching the signing alg. */
export function leftHalfHash(value: string, alg: SigningAlg): string {
  // Ed25519 signatures use SHA-512, the others here SHA-256.
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

interface TokenOverrides {
  /** Access token format instead of the client's. */
  accessFormat?: AccessTokenFormat;
  /** Lifetimes (seconds) instead of the client's or the global ones. */
  accessTtl?: number;
  idTtl?: number;
  refreshTtl?: number;
  /** Extra claims for the access and ID token (minting); protocol claims always win. */
  extraClaims?: Record<string, unknown>;
}

export interface IssueRequest {
  client: ClientRecord;
  /** null for client_credentials: the client itself is the subject. */
  user: UserRecord | null;
  /** The authorization the tokens belong to; null for client_credentials (one token, no family). */
  grant: GrantRecord | null;
  /**
   * The `sub` when it is not the user's or the client's own: a token exchanged from a client_credentials
   * token keeps that token's subject (the other client), not the exchanging client's id.
   */
  subject?: string;
  /**
   * RFC 8693 §4.1 `act`: who acts for the subject (token exchange with an actor token), nested for a
   * chain. Carried by the access token, the ID token and the refresh token (so a refresh keeps it).
   */
  act?: Record<string, unknown> | null;
  /**
   * RFC 9449: the thumbprint of the DPoP proof key of the token request. The access token is bound to
   * it (`cnf.jkt`, token_type DPoP), and so is a public client's refresh token (§5).
   */
  dpopJkt?: string | null;
  scope: string;
  audience: string[];
  parentId?: string | null;
  /** The grant type issuing these tokens (or "mint"), stored with each so the UI can tell how it came to be. */
  grantType?: string;
  nonce?: string | null;
  authTime?: number | null;
  sid?: string | null;
  amr?: string[] | null;
  /** Defaults to true; minting an ID or refresh token alone turns it off. */
  withAccess?: boolean;
  withRefresh: boolean;
  withIdToken: boolean;
  overrides?: TokenOverrides;
}

export interface PreparedTokens {
  records: TokenRecord[];
  access: TokenRecord | null;
  refresh: TokenRecord | null;
  idToken: TokenRecord | null;
  /** The RFC 6749 §5.1 response body (minus what was not issued). */
  response: Record<string, unknown>;
  /** The token values by record id (the response holds the same values). */
  values: Map<string, string>;
}

interface TokenServiceDeps {
  /** The issuer's provider profile, for the claims it shapes; none: standard claims only. */
  claimProfile?: () => ClaimProfile;
  keys: KeyStore;
  tokens: TokenStore;
  clock: Clock;
  issuer(): string;
  settings(): Settings;
  /** Signs in process or in worker threads (engine option `signingWorkers`). */
  signer: JwtSigner;
}

/** What differs between the tokens of one issue; the rest of a record is common to them. */
type OwnFields = Pick<
  TokenRecord,
  'id' | 'kind' | 'format' | 'secret_hash' | 'jwt' | 'audience' | 'claims' | 'expires_at'
>;

/** One call of `prepare`: what its tokens share, and the list they are collected in. */
interface Issuance {
  request: IssueRequest;
  settings: Settings;
  overrides: NonNullable<IssueRequest['overrides']>;
  extra: Record<string, unknown>;
  nowMs: number;
  now: number;
  issuer: string;
  /** Who and what the claims are decided for (claim-mapping.ts). */
  claimContext: ClaimContext;
  subject: string;
  records: TokenRecord[];
  values: Map<string, string>;
  response: Record<string, unknown>;
  record(own: OwnFields): TokenRecord;
  add(record: TokenRecord, value: string): void;
}

/**
 * A token found from its value, with its claims: a JWT's verified payload, or a stored record's own
 * claims (for a reference token, those that no column of its row holds: see `storedClaims`).
 */
type ResolvedToken = { record: TokenRecord; claims: Record<string, unknown> };

/**
 * Whether a value has the compact JWS shape (three parts, two dots), as `value.split('.').length === 3`
 * says without making the parts: introspection asks for every token presented.
 */
function isCompactJws(value: string): boolean {
  const first = value.indexOf('.');
  if (first < 0) return false;
  const second = value.indexOf('.', first + 1);
  return second >= 0 && value.indexOf('.', second + 1) < 0;
}

/** Claims of a reference access token that its row holds in columns (iss is the provider's own issuer). */
const COLUMN_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope']);

/**
 * What a token's row keeps in its claims column: for a JWT, whose claims are the JWT's payload, only
 * its `act` (if any), and for a reference token only what no column holds (custom claims, auth_time, sid).
 * Storing each claim once made rows of a reference token about a third smaller.
 */
function storedClaims(claims: Record<string, unknown>, format: 'jwt' | 'reference'): Record<string, unknown> {
  // `act` twice (payload and row) so that token lists and the timeline show who acts without decoding JWTs.
  if (format === 'jwt') return claims.act === undefined ? {} : { act: claims.act };
  const own: Record<string, unknown> = {};
  for (const name in claims) if (!COLUMN_CLAIMS.has(name)) own[name] = claims[name];
  return own;
}

/**
 * Makes and recognises tokens. Preparing is async (JWT signing) and touches no table; the caller
 * stores the prepared records in its own synchronous transaction, so signing never happens inside one.
 */
export class TokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  private currentKey(): KeyRecord {
    const key = this.deps.keys.current();
    if (!key) throw new Error('No current signing key');
    return key;
  }

  private async sign(payload: JWTPayload, typ: string): Promise<{ jwt: string; key: KeyRecord }> {
    const key = this.currentKey();
    const jwt = await this.deps.signer.sign(payload, { alg: key.alg, kid: key.kid, typ }, key);
    return { jwt, key };
  }

  async prepare(request: IssueRequest): Promise<PreparedTokens> {
    const job = this.issuance(request);
    const issued = (request.withAccess ?? true) ? await this.prepareAccess(job) : null;
    const refresh = request.withRefresh ? this.prepareRefresh(job) : null;
    const idToken =
      request.withIdToken && request.user
        ? await this.prepareIdToken(job, request.user, issued?.value ?? null)
        : null;
    const { records, response, values } = job;
    return { records, access: issued?.access ?? null, refresh, idToken, response, values };
  }

  /** What every token of one issuance shares, and where the prepared tokens are collected. */
  private issuance(request: IssueRequest): Issuance {
    const settings = this.deps.settings();
    const nowMs = this.deps.clock.now();
    // Clock skew moves what is issued (iat, exp, nbf), not the ids, which stay in time order.
    const now = Math.floor(nowMs / 1000) + settings.clock_skew_seconds;
    const { client, user, grant } = request;
    const overrides = request.overrides ?? {};
    const subject = request.subject ?? (user ? user.sub : client.client_id);
    const records: TokenRecord[] = [];
    const values = new Map<string, string>();
    return {
      request,
      settings,
      overrides,
      extra: overrides.extraClaims ?? {},
      nowMs,
      now,
      issuer: this.deps.issuer(),
      claimContext: {
        user,
        client,
        scopes: splitScope(request.scope),
        scopeClaims: settings.scope_claims,
        profile: this.deps.claimProfile?.(),
      },
      subject,
      records,
      values,
      response: {},
      // Every record is built by this one literal, so all have one shape (hidden class): spreading a
      // shared part into each record's own literal was an eighth of issuing a reference token.
      record: (own: OwnFields): TokenRecord => ({
        id: own.id,
        kind: own.kind,
        format: own.format,
        value_hash: null,
        secret_hash: own.secret_hash,
        jwt: own.jwt,
        client_id: client.client_id,
        user_id: user?.id ?? null,
        username: user?.username ?? null,
        subject,
        grant_id: grant?.id ?? null,
        parent_id: request.parentId ?? null,
        scope: request.scope,
        audience: own.audience,
        claims: own.claims,
        issued_at: now,
        expires_at: own.expires_at,
        revoked_at: null,
        revoked_reason: null,
        rotated_at: null,
        last_used_at: null,
        flaws: null,
        grant_type: request.grantType ?? null,
      }),
      add: (record: TokenRecord, value: string) => {
        records.push(record);
        values.set(record.id, value);
      },
    };
  }

  /** Access token: RFC 9068 claims for both formats; a reference token keeps them for introspection. */
  private async prepareAccess(job: Issuance): Promise<{ access: TokenRecord; value: string }> {
    const ttl =
      job.overrides.accessTtl ?? job.request.client.access_token_ttl ?? job.settings.access_token_ttl;
    const id = tokenId(job.nowMs);
    const claims: Record<string, unknown> = {
      ...decideClaims(job.claimContext, 'access').claims,
      ...job.extra,
      iss: job.issuer,
      sub: job.subject,
      aud: audClaim(job.request.audience),
      exp: job.now + ttl,
      iat: job.now,
      jti: id,
      client_id: job.request.client.client_id,
      scope: job.request.scope,
    };
    // Assigned, not spread from `cond ? {…} : {}`: the same claims in the same order, without an object
    // made and copied for each (issuing pays for every allocation).
    if (job.request.user && job.request.authTime) claims.auth_time = job.request.authTime;
    if (job.request.sid) claims.sid = job.request.sid;
    if (job.request.act) claims.act = job.request.act;
    if (job.request.dpopJkt) claims.cnf = { jkt: job.request.dpopJkt };
    const format = job.overrides.accessFormat ?? job.request.client.access_token_format;
    const jwt = format === 'jwt' ? (await this.sign(claims, 'at+jwt')).jwt : null;
    const opaque = jwt ? null : opaqueValue(id);
    const value = jwt ?? (opaque as { value: string }).value;
    const access = job.record({
      id,
      kind: 'access',
      format: jwt ? 'jwt' : 'reference',
      secret_hash: opaque?.secretHash ?? null,
      jwt,
      audience: job.request.audience,
      claims: storedClaims(claims, jwt ? 'jwt' : 'reference'),
      expires_at: job.now + ttl,
    });
    job.add(access, value);
    Object.assign(job.response, {
      access_token: value,
      token_type: job.request.dpopJkt ? 'DPoP' : 'Bearer',
      expires_in: ttl,
      scope: job.request.scope,
    });
    return { access, value };
  }

  private prepareRefresh(job: Issuance): TokenRecord {
    const ttl =
      job.overrides.refreshTtl ?? job.request.client.refresh_token_ttl ?? job.settings.refresh_token_ttl;
    const id = tokenId(job.nowMs);
    const { value, secretHash } = opaqueValue(id);
    const claims: Record<string, unknown> = {};
    if (job.request.authTime) claims.auth_time = job.request.authTime;
    if (job.request.sid) claims.sid = job.request.sid;
    if (job.request.amr) claims.amr = job.request.amr;
    if (job.request.act) claims.act = job.request.act;
    // RFC 9449 §5: a confidential client's refresh token is already bound by its authentication.
    if (job.request.dpopJkt && job.request.client.token_endpoint_auth_method === 'none')
      claims.cnf = { jkt: job.request.dpopJkt };
    const refresh = job.record({
      id,
      kind: 'refresh',
      format: 'opaque',
      secret_hash: secretHash,
      jwt: null,
      audience: job.request.audience,
      claims,
      expires_at: job.now + ttl,
    });
    // keycloak-js reads a Keycloak refresh token's payload (its expiry): that profile's is enveloped.
    const answered =
      job.claimContext.profile?.profile === 'keycloak'
        ? envelopeOpaqueValue(value, {
            exp: job.now + ttl,
            iat: job.now,
            jti: id,
            iss: job.issuer,
            aud: job.issuer,
            sub: job.subject,
            typ: 'Refresh',
            azp: job.request.client.client_id,
            scope: job.request.scope,
            ...(job.request.sid ? { sid: job.request.sid } : {}),
          })
        : value;
    job.add(refresh, answered);
    job.response.refresh_token = answered;
    return refresh;
  }

  private async prepareIdToken(
    job: Issuance,
    user: UserRecord,
    accessValue: string | null,
  ): Promise<TokenRecord> {
    const ttl = job.overrides.idTtl ?? job.request.client.id_token_ttl ?? job.settings.id_token_ttl;
    const key = this.currentKey();
    const id = tokenId(job.nowMs);
    const claims: Record<string, unknown> = {
      ...decideClaims(job.claimContext, 'id').claims,
      ...job.extra,
      iss: job.issuer,
      sub: user.sub,
      aud: job.request.client.client_id,
      exp: job.now + ttl,
      iat: job.now,
      jti: id,
    };
    // Assigned in this order, as in prepareAccess.
    if (job.request.authTime) claims.auth_time = job.request.authTime;
    if (job.request.nonce) claims.nonce = job.request.nonce;
    if (accessValue !== null) claims.at_hash = leftHalfHash(accessValue, key.alg);
    if (job.request.sid) claims.sid = job.request.sid;
    if (job.request.amr) claims.amr = job.request.amr;
    if (job.request.act) claims.act = job.request.act;
    const { jwt } = await this.sign(claims, 'JWT');
    const idToken = job.record({
      id,
      kind: 'id',
      format: 'jwt',
      secret_hash: null,
      jwt,
      audience: [job.request.client.client_id],
      claims: storedClaims(claims, 'jwt'),
      expires_at: job.now + ttl,
    });
    job.add(idToken, jwt);
    job.response.id_token = jwt;
    return idToken;
  }

  /** Stores prepared tokens; call inside the caller's transaction. */
  store(prepared: PreparedTokens): void {
    for (const record of prepared.records) this.deps.tokens.insert(record);
  }

  /**
   * Finds what an access token presented to userinfo or introspection refers to. JWTs are verified
   * with jose against the published keys (algorithm allow-list, issuer and `typ: at+jwt`), then looked
   * up by `jti`; anything forged, foreign or an ID token fails here. Returns null when unknown.
   */
  async resolveAccessToken(value: string): Promise<ResolvedToken | null> {
    if (isCompactJws(value)) {
      return this.resolveOwnJwt(value, 'access', 'at+jwt', ['jti', 'exp', 'iat', 'sub', 'client_id']);
    }
    const record = this.deps.tokens.findByValue(value);
    if (record?.kind !== 'access') return null;
    return { record, claims: record.claims };
  }

  /**
   * An ID token this provider issued (token exchange accepts one as subject or actor token): verified
   * like an access JWT, but with the ID token's `typ: JWT`, then looked up by `jti`.
   */
  async resolveIdToken(value: string): Promise<ResolvedToken | null> {
    if (!isCompactJws(value)) return null;
    return this.resolveOwnJwt(value, 'id', 'JWT', ['jti', 'exp', 'iat', 'sub', 'aud']);
  }

  private async resolveOwnJwt(
    value: string,
    kind: 'access' | 'id',
    typ: string,
    requiredClaims: string[],
  ): Promise<ResolvedToken | null> {
    const published = this.deps.keys.published();
    if (published.length === 0) return null;
    try {
      const { keyFor, algorithms } = verificationKeys(published);
      const key = keyFor(value);
      if (!key) return null;
      // jose checks the signature (an allow-listed algorithm, the published key the header names) and
      // the claims; the key is imported once per key list rather than searched for in a JWK set.
      const { payload } = await jwtVerify(value, await key, {
        algorithms,
        issuer: this.deps.issuer(),
        typ,
        currentDate: new Date(this.deps.clock.now()),
        requiredClaims,
      });
      const claims = payload as Record<string, unknown>;
      const record = this.deps.tokens.findById(String(claims.jti));
      if (record?.kind !== kind || record.format !== 'jwt') return null;
      // Only the very token issued counts: a copy re-signed with the same key (an engine seeded with
      // exported keys) that keeps a known jti but changes aud or adds claims is not ours.
      if (record.jwt !== value) return null;
      return { record, claims };
    } catch {
      return null;
    }
  }

  /**
   * Any token we issued that a client may introspect or revoke: access (either format) or refresh.
   * An opaque value is answered at once, without a promise (its lookup is synchronous, and
   * introspection meets one with every reference token); a JWT's signature check gives a promise.
   */
  resolveAnyToken(value: string, hint?: string): ResolvedToken | null | Promise<ResolvedToken | null> {
    if (!isCompactJws(value)) {
      // An opaque value is one row whatever its kind: one lookup answers both questions below (for a
      // refresh token without a hint it was two, each hashing the secret again).
      const record = this.deps.tokens.findByValue(value);
      if (record?.kind !== 'access' && record?.kind !== 'refresh') return null;
      return { record, claims: record.claims };
    }
    return this.resolveAnyJwt(value, hint);
  }

  private async resolveAnyJwt(value: string, hint?: string): Promise<ResolvedToken | null> {
    if (hint === 'refresh_token') {
      const refresh = this.resolveRefreshToken(value);
      if (refresh) return refresh;
    }
    const access = await this.resolveAccessToken(value);
    if (access) return access;
    return this.resolveRefreshToken(value);
  }

  resolveRefreshToken(value: string): ResolvedToken | null {
    const record = this.deps.tokens.findByValue(value);
    if (record?.kind !== 'refresh') return null;
    return { record, claims: record.claims };
  }

  /**
   * A stored token resolved exactly as if its value had been presented to /introspect: a JWT is
   * verified again against the published keys (so one signed by a retired key resolves to nothing),
   * an opaque token is its row. The admin view's "what introspection answers" goes through here and
   * introspection() below, the same two steps as the endpoint.
   */
  async resolveStored(record: TokenRecord): Promise<ResolvedToken | null> {
    if (record.kind === 'id') return null;
    if (record.jwt) return this.resolveAccessToken(record.jwt);
    return { record, claims: record.claims };
  }

  /** Every claim a token carries, as the UI shows it: the JWT's payload, or rebuilt from the row. */
  claimsOf(record: TokenRecord): Record<string, unknown> {
    if (record.jwt) return decodeJwt(record.jwt);
    if (record.kind !== 'access') return record.claims;
    return {
      ...record.claims,
      iss: this.deps.issuer(),
      sub: record.subject,
      aud: audClaim(record.audience),
      exp: record.expires_at,
      iat: record.issued_at,
      jti: record.id,
      client_id: record.client_id,
      scope: record.scope,
    };
  }

  isActive(record: TokenRecord): boolean {
    return tokenState(record, seconds(this.deps.clock)) === 'active';
  }

  /**
   * The RFC 7662 response for a token; `{ active: false }` and nothing else when it is not active.
   * `claimContext` (the token's user, client and scope: claim-mapping.ts tokenClaimContext) applies
   * the client's introspection mappings; without it the answer is the token's own claims.
   */
  introspection(resolved: ResolvedToken | null, claimContext?: ClaimContext): Record<string, unknown> {
    if (!resolved || !this.isActive(resolved.record)) return { active: false };
    const { record } = resolved;
    const claims =
      claimContext && record.kind === 'access'
        ? introspectionClaims(
            resolved.claims,
            decideClaims(claimContext, 'access'),
            decideClaims(claimContext, 'introspection'),
          )
        : resolved.claims;
    const cnf = claims.cnf;
    // Built in place, in the answer's order: an access token's claims first (the protocol claims below
    // replace any of the same name where they stand), then these, then `aud`. A reference token usually
    // has no claims of its own, and then this object is the answer, with no copy of it or into it.
    const base: Record<string, unknown> = { active: true, scope: record.scope, client_id: record.client_id };
    if (record.username) base.username = record.username;
    base.token_type = record.kind === 'refresh' ? 'refresh_token' : cnf ? 'DPoP' : 'Bearer';
    base.exp = record.expires_at;
    base.iat = record.issued_at;
    base.sub = record.subject;
    base.iss = this.deps.issuer();
    base.jti = record.id;
    if (record.kind === 'access') {
      base.aud = audClaim(record.audience);
      return hasNoClaims(claims) ? base : { ...claims, ...base };
    }
    // RFC 9449 §6.2: a DPoP-bound refresh token says which key it is bound to, too.
    if (cnf) base.cnf = cnf;
    return base;
  }
}
