import { ClientSchema, type ParsedWorkspace } from '../../../../shared/schemas';
import { isoFromSeconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { KeyRecord } from '../../store/keys';
import type { Json } from './common';

/**
 * The workspace export is meant to be kept in git: the same state always gives the same bytes, however
 * it was reached (records made in another order, claims typed in another order). So records are sorted
 * by name, keys by age, free-form objects (claims, JWKs, object settings) by member name, the sets
 * (grant types, allowed audiences and scopes, trusted issuers) sorted. Arrays whose order means
 * something stay as stored: redirect_uris and post_logout_redirect_uris (the first is the default),
 * audience (the first is the `aud` a recipe shows) and claim values (a user's data).
 */

/** By UTF-16 code unit, as JSON text compares; not locale-dependent, so every machine sorts alike. */
function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An object with its members in `keys` order; defineProperty keeps a "__proto__" claim a plain member. */
function withKeys(keys: string[], value: (key: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(out, key, {
      value: value(key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A JSON value with every object's members sorted by name, at any depth; arrays keep their order. */
function sortedMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedMembers);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  return withKeys(Object.keys(source).sort(byCode), (key) => sortedMembers(source[key]));
}

function sortedStrings(list: unknown): unknown {
  return Array.isArray(list) ? [...(list as string[])].sort(byCode) : list;
}

/** A client's members in the order the admin API shows them (client_id first), unknown ones after. */
const CLIENT_ORDER = Object.keys(ClientSchema.shape);
function clientRank(key: string): number {
  const index = CLIENT_ORDER.indexOf(key);
  return index === -1 ? CLIENT_ORDER.length : index;
}

/** The policies nested in a client, with their sets sorted. */
function exportedPolicy(key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const policy = sortedMembers(value) as Record<string, unknown>;
  if (key === 'token_exchange') policy.allowed_audiences = sortedStrings(policy.allowed_audiences);
  if (key === 'jwt_bearer') {
    if (policy.allowed_scopes) policy.allowed_scopes = sortedStrings(policy.allowed_scopes);
    const issuers = policy.trusted_issuers as { issuer: string }[] | undefined;
    if (issuers) policy.trusted_issuers = [...issuers].sort((a, b) => byCode(a.issuer, b.issuer));
  }
  return policy;
}

function exportedClient(record: ClientRecord): Record<string, unknown> {
  const { created_at: _c, updated_at: _u, ...metadata } = record;
  const fields = metadata as Record<string, unknown>;
  // When a client registered itself (RFC 7591) is a fact about the engine, not metadata an import takes.
  delete fields.registered_at;
  const keys = Object.keys(fields)
    .filter((key) => fields[key] !== undefined)
    .sort((a, b) => clientRank(a) - clientRank(b) || byCode(a, b));
  return withKeys(keys, (key) => {
    const value = fields[key];
    if (key === 'grant_types') return sortedStrings(value);
    if (key === 'jwks') return sortedMembers(value);
    if (key === 'token_exchange' || key === 'jwt_bearer') return exportedPolicy(key, value);
    return value;
  });
}

function exportedKey(k: KeyRecord) {
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    created_at: new Date(k.created_at * 1000).toISOString(),
    ...(k.activates_at === null ? {} : { activates_at: isoFromSeconds(k.activates_at) }),
    ...(k.activated_at === null ? {} : { activated_at: isoFromSeconds(k.activated_at) }),
    private_jwk: sortedMembers(k.private_jwk) as Json,
  };
}

/** The workspace as a document workspace.import takes back; private keys only when asked for. */
export function exportWorkspace(ctx: ProviderContext, includeKeys: boolean): ParsedWorkspace {
  const workspace: ParsedWorkspace = {
    // The settings' own order (DEFAULT_SETTINGS), with the members of a setting that is an object sorted.
    settings: Object.fromEntries(
      Object.entries(ctx.settings.get()).map(([key, value]) => [key, sortedMembers(value)]),
    ) as ParsedWorkspace['settings'],
    users: [...ctx.users.list()]
      .sort((a, b) => byCode(a.username, b.username))
      .map((u) => ({
        username: u.username,
        ...(u.password !== null ? { password: u.password } : {}),
        sub: u.sub,
        claims: sortedMembers(u.claims) as Json,
      })),
    clients: [...ctx.clients.list()]
      .sort((a, b) => byCode(a.client_id, b.client_id))
      .map(exportedClient) as ParsedWorkspace['clients'],
  };
  if (includeKeys) {
    workspace.keys = ctx.keys
      .list()
      .filter((k) => k.status !== 'retired')
      .sort((a, b) => a.created_at - b.created_at || byCode(a.kid, b.kid))
      .map(exportedKey);
  }
  return workspace;
}
