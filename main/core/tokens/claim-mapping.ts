/**
 * The one place that decides which of a user's claims (and which static values) go into a token kind,
 * under which name, and why. Token issuing, userinfo, introspection, the claims preview and the token
 * drawer all ask `decideClaims`, so they cannot disagree.
 *
 * The layers, later ones winning on a name:
 *  1. OIDC Core §5.4 scope claims (ID token and userinfo only), as without any mapping;
 *  2. the user's custom claims ("all custom claims"), unless the client says `custom_claims: "mapped_only"`,
 *     leaving out those a workspace scope releases (3) and those the client maps (4);
 *  3. workspace scope claims (settings.scope_claims): a custom scope releases the user claims it lists;
 *  4. the client's claim mappings: a user claim under a name of its choice, or a static value, into the
 *     token kinds it lists, when one of its scopes (if any) is granted. A machine token (no user) gets
 *     only static values marked `machine`.
 * Protocol claims (iss, sub, aud, exp, …) are the callers' own and always win over all of these.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type ClaimMapping,
  type ClaimTarget,
  type CustomClaimsMode,
  PROTOCOL_CLAIMS,
  type ScopeClaims,
} from '../../../shared/schemas';
import { SCOPE_CLAIMS, STANDARD_CLAIMS } from './claims';
import { type ClaimProfile, shapeClaimsForProfile } from './profile-claims';

export interface ClaimContext {
  /** The user's claims; null for a machine token (client_credentials, or exchanged from one). */
  user: { claims: Record<string, unknown>; username?: string; sub?: string } | null;
  /** The client the token is for; null when unknown (a preview without one, a deleted client). */
  client: {
    client_id: string;
    claim_mappings?: ClaimMapping[] | undefined;
    custom_claims?: CustomClaimsMode | undefined;
  } | null;
  /** The granted scopes. */
  scopes: readonly string[];
  /** Workspace scope claims (settings.scope_claims). */
  scopeClaims: ScopeClaims | undefined;
  /** The issuer's provider profile (profile-claims.ts); absent or generic: no profile shapes. */
  profile?: ClaimProfile | undefined;
}

export interface DecidedClaims {
  claims: Record<string, unknown>;
  /** Why each claim is there, by claim name; filled only when asked (`explain`), as issuing does not need it. */
  reasons: Record<string, string>;
}

export const PROTOCOL_REASON = 'protocol claim';
export const ALL_CUSTOM_REASON = 'custom claim of the user (all custom claims)';
const PROTOCOL = new Set(PROTOCOL_CLAIMS);
const NONE: ReadonlySet<string | undefined> = new Set();

/** Sets a member even when it is named "__proto__" (a user claim may be), without touching the prototype. */
export function put(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true });
  else target[name] = value;
}

const quoted = (scopes: readonly string[]) => scopes.map((s) => `\`${s}\``).join(' or ');

function mappingReason(clientId: string, mapping: ClaimMapping, machine: boolean): string {
  const { user_claim } = mapping.source;
  const what =
    user_claim === undefined
      ? `static value of client \`${clientId}\``
      : `mapped by client \`${clientId}\` (user claim \`${user_claim}\`${user_claim === mapping.name ? '' : ` → \`${mapping.name}\``})`;
  const gate = mapping.scopes ? `, with scope ${quoted(mapping.scopes)}` : '';
  return `${what}${gate}${machine ? ', for machine tokens' : ''}`;
}

/** Claims a workspace scope releases: they reach a token only with that scope. */
function scopeReleased(scopeClaims: ScopeClaims): Set<string> {
  const released = new Set<string>();
  for (const names of Object.values(scopeClaims)) for (const name of names) released.add(name);
  return released;
}

export function decideClaims(context: ClaimContext, target: ClaimTarget, explain = false): DecidedClaims {
  const claims: Record<string, unknown> = {};
  const reasons: Record<string, string> = {};
  const add = (name: string, value: unknown, reason: () => string) => {
    put(claims, name, value);
    if (explain) put(reasons, name, reason());
  };
  const { user, client, scopes, scopeClaims } = context;
  const mappings = client?.claim_mappings ?? [];
  if (user) {
    const own = user.claims;
    if (target === 'id' || target === 'userinfo') {
      for (const scope of scopes) {
        // hasOwn: a scope named like an Object.prototype member ("constructor") must not match it.
        const names = Object.hasOwn(SCOPE_CLAIMS, scope) ? (SCOPE_CLAIMS[scope] ?? []) : [];
        for (const name of names)
          if (Object.hasOwn(own, name)) add(name, own[name], () => `from scope \`${scope}\``);
      }
    }
    if (client?.custom_claims !== 'mapped_only') {
      // Both empty for a workspace and client without mappings: issuing pays nothing for them.
      const released = scopeClaims ? scopeReleased(scopeClaims) : NONE;
      const mapped = mappings.length ? new Set(mappings.map((m) => m.source.user_claim)) : NONE;
      for (const name of Object.keys(own)) {
        if (STANDARD_CLAIMS.has(name) || released.has(name) || mapped.has(name)) continue;
        add(name, own[name], () => ALL_CUSTOM_REASON);
      }
    }
    for (const scope of scopes) {
      const names = scopeClaims && Object.hasOwn(scopeClaims, scope) ? (scopeClaims[scope] ?? []) : [];
      for (const name of names) {
        if (Object.hasOwn(own, name))
          add(name, own[name], () => `from scope \`${scope}\` (workspace scope claims)`);
      }
    }
  }
  if (context.profile && context.profile.profile !== 'generic')
    shapeForProfile(context, context.profile, target, claims, reasons, add);
  for (const mapping of mappings) {
    if (!mapping.tokens.includes(target)) continue;
    if (mapping.scopes && !mapping.scopes.some((scope) => scopes.includes(scope))) continue;
    if (!user && !mapping.machine) continue;
    const { user_claim, value } = mapping.source;
    if (user_claim === undefined) {
      add(mapping.name, value, () => mappingReason(client?.client_id ?? '', mapping, !user));
    } else if (user && Object.hasOwn(user.claims, user_claim)) {
      add(mapping.name, user.claims[user_claim], () =>
        mappingReason(client?.client_id ?? '', mapping, false),
      );
    }
  }
  return { claims, reasons };
}

/**
 * The profile layer: between the user's claims and the client's mappings, so a mapping can still change
 * anything a profile adds. A claim the profile moves (Keycloak's `roles`) leaves with its reason.
 */
function shapeForProfile(
  context: ClaimContext,
  profile: ClaimProfile,
  target: ClaimTarget,
  claims: Record<string, unknown>,
  reasons: Record<string, string>,
  add: (name: string, value: unknown, reason: () => string) => void,
): void {
  const { user, client, scopes } = context;
  shapeClaimsForProfile(
    {
      ...profile,
      clientId: client?.client_id ?? null,
      user: user ? { username: user.username ?? '', sub: user.sub ?? '' } : null,
      scopes,
    },
    target,
    claims,
    (name, value, reason) => add(name, value, () => reason),
  );
  for (const name of Object.keys(reasons)) if (!Object.hasOwn(claims, name)) delete reasons[name];
}

/**
 * Introspection (RFC 7662) tells what an access token carries: the token's own claims, less the mapped
 * ones that go into access tokens but not introspection, plus those that go into introspection only.
 * Without such mappings both decisions name the same claims and the token's claims come back unchanged.
 */
export function introspectionClaims(
  tokenClaims: Record<string, unknown>,
  access: DecidedClaims,
  introspection: DecidedClaims,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(tokenClaims)) {
    if (Object.hasOwn(access.claims, name) && !Object.hasOwn(introspection.claims, name)) continue;
    put(out, name, tokenClaims[name]);
  }
  for (const name of Object.keys(introspection.claims)) {
    if (!Object.hasOwn(access.claims, name)) put(out, name, introspection.claims[name]);
  }
  return out;
}

/**
 * Whether introspectionClaims can answer anything but the token's own claims for a token of `client`:
 * only a mapping into access or introspection tokens, or a provider profile (shapeForProfile), makes
 * decideClaims differ between those two targets; every other layer is the same for both. Keep in step
 * with decideClaims. Introspection asks this for every token, and deciding twice for nothing was most
 * of its own work after the lookup.
 */
export function introspectionMayReshape(
  client: Pick<NonNullable<ClaimContext['client']>, 'claim_mappings'> | null | undefined,
  profile: ClaimProfile['profile'],
): boolean {
  if (profile !== 'generic') return true;
  const mappings = client?.claim_mappings ?? [];
  return mappings.some((m) => m.tokens.includes('access') || m.tokens.includes('introspection'));
}

/**
 * Why each claim of an issued token (or answer) is there, by the current configuration: the token's
 * claims against a fresh decision for its user, client and scope. A claim the decision no longer
 * produces (or with another value) was put there under a configuration that has changed since.
 */
export function explainClaims(
  claims: Record<string, unknown>,
  decided: DecidedClaims,
  options: { minted?: boolean; introspection?: boolean } = {},
): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const name of Object.keys(claims)) {
    const reason = Object.hasOwn(decided.reasons, name) ? decided.reasons[name] : undefined;
    if (reason !== undefined && isDeepStrictEqual(decided.claims[name], claims[name]))
      put(reasons, name, reason);
    else if (PROTOCOL.has(name) || (options.introspection && name === 'username')) {
      put(reasons, name, PROTOCOL_REASON);
    } else if (options.minted) put(reasons, name, 'extra claim given when the token was minted');
    else if (reason !== undefined) put(reasons, name, `${reason}; the value has changed since it was issued`);
    else {
      put(
        reasons,
        name,
        'not from the current configuration: the user, the client or the scope claims changed since it was issued',
      );
    }
  }
  return reasons;
}

/** Where the configuration of an issued token is found (ProviderContext has all three). */
export interface ClaimSources {
  users: { findById(id: string): { claims: Record<string, unknown> } | undefined };
  clients: { find(clientId: string): ClaimContext['client'] | undefined };
  settings: { get(): { scope_claims?: ScopeClaims | undefined } };
  /** The issuer's provider profile (ProviderContext.claimProfile). */
  claimProfile(): ClaimProfile;
}

/** The claim context of an issued token: its user (null when none or deleted), client and scope. */
export function tokenClaimContext(
  sources: ClaimSources,
  token: { user_id: string | null; client_id: string; scope: string },
): ClaimContext {
  return {
    user: token.user_id ? (sources.users.findById(token.user_id) ?? null) : null,
    client: sources.clients.find(token.client_id) ?? null,
    scopes: token.scope.split(' ').filter(Boolean),
    scopeClaims: sources.settings.get().scope_claims,
    profile: sources.claimProfile(),
  };
}
