import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Settings, SigningAlg } from '../../../shared/schemas';
import { type Clock, seconds } from '../clock';
import { customClaims, identityClaims, splitScope } from '../oauth/claims';
import type { ClientRecord } from '../store/clients';
import type { GrantRecord } from '../store/grants';
import type { KeyRecord, KeyStore } from '../store/keys';
import { hashTokenValue, type TokenRecord, type TokenStore, tokenState } from '../store/tokens';
import type { UserRecord } from '../store/users';

/** ≥128 bits of randomness for every opaque value (we use 256). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** OIDC Core §3.1.3.6 at_hash: left half of the hash of the token, the hash matching the signing alg. */
export function leftHalfHash(value: string, alg: SigningAlg): string {
  // Ed25519 signatures use SHA-512, the others here SHA-256.
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export interface IssueRequest {
  client: ClientRecord;
  /** null for client_credentials: the client itself is the subject. */
  user: UserRecord | null;
  grant: GrantRecord;
  scope: string;
  audience: string[];
  parentId?: string | null;
  nonce?: string | null;
  authTime?: number | null;
  sid?: string | null;
  amr?: string[] | null;
  withRefresh: boolean;
  withIdToken: boolean;
}

export interface PreparedTokens {
  records: TokenRecord[];
  access: TokenRecord;
  refresh: TokenRecord | null;
  idToken: TokenRecord | null;
  /** The RFC 6749 §5.1 response body. */
  response: Record<string, unknown>;
}

export interface TokenServiceDeps {
  keys: KeyStore;
  tokens: TokenStore;
  clock: Clock;
  issuer(): string;
  settings(): Settings;
}

export type ResolvedToken = { record: TokenRecord; claims: Record<string, unknown> };

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
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
      .sign(await this.deps.keys.signingKey(key));
    return { jwt, key };
  }

  async prepare(request: IssueRequest): Promise<PreparedTokens> {
    const settings = this.deps.settings();
    const now = seconds(this.deps.clock);
    const issuer = this.deps.issuer();
    const { client, user, grant } = request;
    const subject = user ? user.sub : client.client_id;
    const base = {
      client_id: client.client_id,
      user_id: user?.id ?? null,
      username: user?.username ?? null,
      subject,
      grant_id: grant.id,
      scope: request.scope,
      issued_at: now,
      revoked_at: null,
      revoked_reason: null,
      rotated_at: null,
      last_used_at: null,
    };

    // Access token (RFC 9068 claims for both formats; a reference token keeps them for introspection).
    const accessTtl = client.access_token_ttl ?? settings.access_token_ttl;
    const accessId = randomId();
    const accessClaims: Record<string, unknown> = {
      ...(user ? customClaims(user.claims) : {}),
      iss: issuer,
      sub: subject,
      aud: request.audience.length === 1 ? request.audience[0] : request.audience,
      exp: now + accessTtl,
      iat: now,
      jti: accessId,
      client_id: client.client_id,
      scope: request.scope,
      ...(user && request.authTime ? { auth_time: request.authTime } : {}),
      ...(request.sid ? { sid: request.sid } : {}),
    };
    let accessValue: string;
    let accessRecord: TokenRecord;
    if (client.access_token_format === 'jwt') {
      const { jwt } = await this.sign(accessClaims, 'at+jwt');
      accessValue = jwt;
      accessRecord = {
        ...base,
        id: accessId,
        kind: 'access',
        format: 'jwt',
        value_hash: null,
        jwt,
        parent_id: request.parentId ?? null,
        audience: request.audience,
        claims: accessClaims,
        expires_at: now + accessTtl,
      };
    } else {
      accessValue = randomToken();
      accessRecord = {
        ...base,
        id: accessId,
        kind: 'access',
        format: 'reference',
        value_hash: hashTokenValue(accessValue),
        jwt: null,
        parent_id: request.parentId ?? null,
        audience: request.audience,
        claims: accessClaims,
        expires_at: now + accessTtl,
      };
    }
    const records: TokenRecord[] = [accessRecord];
    const response: Record<string, unknown> = {
      access_token: accessValue,
      token_type: 'Bearer',
      expires_in: accessTtl,
      scope: request.scope,
    };

    let refresh: TokenRecord | null = null;
    if (request.withRefresh) {
      const refreshTtl = client.refresh_token_ttl ?? settings.refresh_token_ttl;
      const refreshValue = randomToken();
      refresh = {
        ...base,
        id: randomId(),
        kind: 'refresh',
        format: 'opaque',
        value_hash: hashTokenValue(refreshValue),
        jwt: null,
        parent_id: request.parentId ?? null,
        audience: request.audience,
        claims: {
          ...(request.authTime ? { auth_time: request.authTime } : {}),
          ...(request.sid ? { sid: request.sid } : {}),
          ...(request.amr ? { amr: request.amr } : {}),
        },
        expires_at: now + refreshTtl,
      };
      records.push(refresh);
      response.refresh_token = refreshValue;
    }

    let idToken: TokenRecord | null = null;
    if (request.withIdToken && user) {
      const idTtl = client.id_token_ttl ?? settings.id_token_ttl;
      const key = this.currentKey();
      const idId = randomId();
      const idClaims: Record<string, unknown> = {
        ...identityClaims(user.claims, splitScope(request.scope)),
        iss: issuer,
        sub: user.sub,
        aud: client.client_id,
        exp: now + idTtl,
        iat: now,
        jti: idId,
        ...(request.authTime ? { auth_time: request.authTime } : {}),
        ...(request.nonce ? { nonce: request.nonce } : {}),
        at_hash: leftHalfHash(accessValue, key.alg),
        ...(request.sid ? { sid: request.sid } : {}),
        ...(request.amr ? { amr: request.amr } : {}),
      };
      const { jwt } = await this.sign(idClaims, 'JWT');
      idToken = {
        ...base,
        id: idId,
        kind: 'id',
        format: 'jwt',
        value_hash: null,
        jwt,
        parent_id: request.parentId ?? null,
        audience: [client.client_id],
        claims: idClaims,
        expires_at: now + idTtl,
      };
      records.push(idToken);
      response.id_token = jwt;
    }

    return { records, access: accessRecord, refresh, idToken, response };
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
    if (value.split('.').length === 3) {
      const published = this.deps.keys.published();
      if (published.length === 0) return null;
      try {
        const { payload } = await jwtVerify(
          value,
          createLocalJWKSet({ keys: published.map((k) => k.public_jwk) }),
          {
            algorithms: [...new Set(published.map((k) => k.alg))],
            issuer: this.deps.issuer(),
            typ: 'at+jwt',
            currentDate: new Date(this.deps.clock.now()),
            requiredClaims: ['jti', 'exp', 'iat', 'sub', 'client_id'],
          },
        );
        const record = this.deps.tokens.findById(String(payload.jti));
        if (record?.kind !== 'access' || record.format !== 'jwt') return null;
        return { record, claims: payload as Record<string, unknown> };
      } catch {
        return null;
      }
    }
    const record = this.deps.tokens.findByValue(value);
    if (record?.kind !== 'access') return null;
    return { record, claims: record.claims };
  }

  /** Any token we issued that a client may introspect or revoke: access (either format) or refresh. */
  async resolveAnyToken(value: string, hint?: string): Promise<ResolvedToken | null> {
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

  isActive(record: TokenRecord): boolean {
    return tokenState(record, seconds(this.deps.clock)) === 'active';
  }

  /** The RFC 7662 response for a token; `{ active: false }` and nothing else when it is not active. */
  introspection(resolved: ResolvedToken | null): Record<string, unknown> {
    if (!resolved || !this.isActive(resolved.record)) return { active: false };
    const { record } = resolved;
    const base: Record<string, unknown> = {
      active: true,
      scope: record.scope,
      client_id: record.client_id,
      ...(record.username ? { username: record.username } : {}),
      token_type: record.kind === 'refresh' ? 'refresh_token' : 'Bearer',
      exp: record.expires_at,
      iat: record.issued_at,
      sub: record.subject,
      iss: this.deps.issuer(),
      jti: record.id,
    };
    if (record.kind === 'access') {
      const aud = record.audience.length === 1 ? record.audience[0] : record.audience;
      return { ...resolved.claims, ...base, aud };
    }
    return base;
  }
}
