/**
 * What every bad-token recipe works from (the baseline, the keys, provider time) and the two ways a
 * bad token is made: a JWT built here from the baseline's claims and signed by jose (the forged and the
 * wrongly dated ones), or a real token issued by the TokenService (reference, ID and refresh tokens,
 * a narrower scope, a padded payload). Either way the result carries the record it is stored as.
 */
import { decodeJwt } from 'jose';
import type { BadToken, BadTokenVariant } from '../../../../shared/lab';
import { tokenId } from '../../lib/token-values';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { GrantRecord } from '../../store/grants';
import type { KeyRecord } from '../../store/keys';
import type { TokenRecord } from '../../store/tokens';
import type { UserRecord } from '../../store/users';
import { splitScope } from '../../tokens/claims';
import type { IssueRequest } from '../../tokens/service';
import { type ForgeKey, type JoseObject, signJws } from './forge';

export interface Factory {
  ctx: ProviderContext;
  client: ClientRecord;
  user: UserRecord | null;
  /** One grant for the baseline and its variants: the timeline shows them as one family. */
  grant: GrantRecord;
  scope: string;
  audience: string[];
  authTime: number | null;
  /** Scope values the API needs (input.required_scope, else the baseline's whole scope). */
  requiredScope: string[];
  baseline: TokenRecord;
  /** The baseline access token's claims as a JWT carries them, whatever the baseline's format. */
  claims: JoseObject;
  /** Provider time, Unix seconds. */
  now: number;
  /** The baseline's lifetime in seconds. */
  ttl: number;
  /** The key that signs now, and the same key imported for jose. */
  current: KeyRecord;
  currentKey: ForgeKey;
  /** A key of the current algorithm that no JWKS ever published. */
  throwaway: ForgeKey;
}

/** A bad token made, and the record it is stored as (null: a value the provider keeps no row for). */
export interface Made {
  value: string;
  format: BadToken['format'];
  record: TokenRecord | null;
  /** Replaces the table's title when the factory had to stand in for something (it says what). */
  title?: string;
  /** Revoked right after it is stored (revoked_reference). */
  revoke?: boolean;
}

export type Recipe = (f: Factory, variant: BadTokenVariant) => Promise<Made>;

/** How a JWT variant differs from the baseline; a member set to undefined removes it. */
export interface JwtRecipe {
  claims?: (f: Factory) => JoseObject;
  header?: (f: Factory) => JoseObject;
  /** Signs the final payload and header; default: the provider's current key. */
  sign?: (f: Factory, payload: JoseObject, header: JoseObject) => Promise<string>;
  kind?: 'access' | 'id';
  title?: (f: Factory) => string | undefined;
}

/** A JWT made from the baseline's claims with a fresh jti, changed as the recipe says, then signed. */
export function jwt(recipe: JwtRecipe): Recipe {
  return async (f, variant) => {
    const payload = { ...f.claims, jti: tokenId(f.ctx.clock.now()), ...recipe.claims?.(f) };
    const header = { alg: f.current.alg, kid: f.current.kid, typ: 'at+jwt', ...recipe.header?.(f) };
    const value = recipe.sign
      ? await recipe.sign(f, payload, header)
      : await signJws(payload, header, f.currentKey.key);
    const title = recipe.title?.(f);
    return {
      value,
      format: 'jwt',
      record: jwtRecord(f, variant, value, recipe.kind ?? 'access'),
      ...(title ? { title } : {}),
    };
  };
}

/**
 * The row of a JWT variant, from what its payload says (a tampered token's row shows the tampered
 * claims, as the value does). A JWT without exp still needs an expiry for retention and the Tokens
 * countdown: it gets the baseline's, and its flaw says the JWT itself has none.
 */
function jwtRecord(f: Factory, variant: BadTokenVariant, value: string, kind: 'access' | 'id'): TokenRecord {
  const payload = decodeJwt(value);
  const aud = payload.aud === undefined ? [] : [payload.aud].flat();
  return {
    ...f.baseline,
    id: String(payload.jti),
    kind,
    format: 'jwt',
    value_hash: null,
    secret_hash: null,
    jwt: value,
    scope: typeof payload.scope === 'string' ? payload.scope : '',
    audience: aud,
    claims: {},
    issued_at: typeof payload.iat === 'number' ? payload.iat : f.now,
    expires_at: typeof payload.exp === 'number' ? payload.exp : f.baseline.expires_at,
    flaws: [variant],
  };
}

/** A real token from the TokenService, for the baseline's client, user and grant unless `request` says otherwise. */
export function issue(
  request: (f: Factory) => Partial<IssueRequest>,
  title?: (f: Factory) => string | undefined,
): Recipe {
  return async (f, variant) => {
    const prepared = await f.ctx.tokenService.prepare({
      client: f.client,
      user: f.user,
      grant: f.grant,
      scope: f.scope,
      audience: f.audience,
      authTime: f.authTime,
      withRefresh: false,
      withIdToken: false,
      ...request(f),
    });
    const record = prepared.records[0] as TokenRecord;
    record.flaws = [variant];
    const note = title?.(f);
    return {
      value: prepared.values.get(record.id) as string,
      format: record.format,
      record,
      ...(note ? { title: note } : {}),
    };
  };
}

/** The baseline's scope without the values the API needs. */
export function scopeWithoutRequired(f: Factory): string {
  const required = new Set(f.requiredScope);
  return splitScope(f.scope)
    .filter((value) => !required.has(value))
    .join(' ');
}
