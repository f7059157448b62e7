/**
 * The claim shapes of provider profiles (shared/issuers.ts): what a Keycloak realm, an Entra ID tenant,
 * an Auth0 tenant or an Okta authorization server puts in its tokens that a standard provider does
 * not, so the vendor's own SDK or middleware finds what it reads. Applied after the scope and custom
 * claims and before the client's claim mappings (claim-mapping.ts), so a mapping can still change any
 * of it; protocol claims (iss, sub, aud, exp…) stay the token service's own.
 */
import { createHash } from 'node:crypto';
import type { IssuerProfile } from '../../../shared/issuers';
import type { ClaimTarget } from '../../../shared/schemas';
import { IDENTITY_SCOPES, STANDARD_CLAIMS } from './claims';

/** What of an issuer its profile's claims depend on (ProviderContext.claimProfile). */
export interface ClaimProfile {
  profile: IssuerProfile;
  /** The issuer identifier: Auth0's claim namespace. */
  issuer: string;
  /** The issuer's name: Entra's tenant (its `tid` when it is a GUID). */
  issuerName: string;
}

export interface ProfileClaimInput extends ClaimProfile {
  clientId: string | null;
  /** Null for a machine token. */
  user: { username: string; sub: string } | null;
  scopes: readonly string[];
}

type Add = (name: string, value: unknown, reason: string) => void;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stable GUID for a name (RFC 9562 layout, version 8: derived by a hash, not random). */
export function guidFor(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Okta's user ids look like 00u followed by 17 letters and digits; this one is derived from the subject. */
function oktaUserId(sub: string): string {
  return `00u${createHash('sha256').update(sub).digest('base64url').replace(/[-_]/g, 'x').slice(0, 17)}`;
}

/** The scopes an API's token lists (Entra `scp`, Okta `scp`): not the OpenID Connect ones. */
function apiScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !IDENTITY_SCOPES.has(scope));
}

const stringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function keycloak(input: ProfileClaimInput, target: ClaimTarget, claims: Record<string, unknown>, add: Add) {
  const why = 'shape of the Keycloak profile';
  if (input.user) add('preferred_username', input.user.username, `${why} (the username)`);
  if (target === 'userinfo') return;
  if (input.clientId) add('azp', input.clientId, `${why} (the client)`);
  if (target === 'id') {
    add('typ', 'ID', why);
    return;
  }
  add('typ', 'Bearer', why);
  // Keycloak's role claims: a user's `roles` are realm roles, `client_roles` ({ client: [roles] }) client roles.
  if (stringArray(claims.roles)) {
    add('realm_access', { roles: claims.roles }, `${why} (user claim \`roles\` → realm_access.roles)`);
    delete claims.roles;
  }
  const clientRoles = claims.client_roles;
  if (clientRoles && typeof clientRoles === 'object' && !Array.isArray(clientRoles)) {
    const access: Record<string, { roles: string[] }> = {};
    for (const [client, roles] of Object.entries(clientRoles))
      if (stringArray(roles)) access[client] = { roles };
    add('resource_access', access, `${why} (user claim \`client_roles\` → resource_access.<client>.roles)`);
    delete claims.client_roles;
  }
}

function entra(input: ProfileClaimInput, target: ClaimTarget, add: Add) {
  const why = 'shape of the Microsoft Entra ID profile';
  if (target === 'userinfo') return;
  const tid = GUID.test(input.issuerName) ? input.issuerName : guidFor(`tenant:${input.issuerName}`);
  add('tid', tid, `${why} (the tenant: the issuer's name when it is a GUID, else one derived from it)`);
  add('ver', '2.0', why);
  if (input.user) {
    add('oid', guidFor(`user:${input.user.sub}`), `${why} (object id derived from the subject)`);
    add('preferred_username', input.user.username, `${why} (the username)`);
  }
  if (target === 'id') return;
  if (input.clientId) add('azp', input.clientId, `${why} (the client)`);
  if (input.user) {
    const scp = apiScopes(input.scopes);
    // Entra names a scope by its API (api://orders/orders.read) in the request, by itself in `scp`.
    const names = scp.map((scope) => scope.slice(scope.lastIndexOf('/') + 1));
    if (names.length > 0)
      add('scp', names.join(' '), `${why} (the granted API scopes, without their API's URI)`);
  } else {
    add('idtyp', 'app', `${why} (an application token)`);
    if (input.clientId)
      add('oid', guidFor(`client:${input.clientId}`), `${why} (the application's object id)`);
  }
}

function auth0(input: ProfileClaimInput, target: ClaimTarget, claims: Record<string, unknown>, add: Add) {
  const why = 'shape of the Auth0 profile';
  // Auth0 keeps only namespaced custom claims: each becomes <issuer><name> (the issuer ends with "/").
  for (const name of Object.keys(claims)) {
    if (STANDARD_CLAIMS.has(name) || name.includes('://') || name === 'permissions') continue;
    const value = claims[name];
    delete claims[name];
    add(`${input.issuer}${name}`, value, `${why} (custom claim \`${name}\`, namespaced)`);
  }
  if (target !== 'access' && target !== 'introspection') return;
  if (input.clientId) add('azp', input.clientId, `${why} (the client)`);
  if (!input.user) add('gty', 'client-credentials', `${why} (a machine token)`);
}

function okta(input: ProfileClaimInput, target: ClaimTarget, add: Add) {
  const why = 'shape of the Okta profile';
  if (target === 'userinfo' || target === 'id') {
    if (input.user) add('preferred_username', input.user.username, `${why} (the username)`);
    if (target === 'id') add('ver', 1, why);
    return;
  }
  add('ver', 1, why);
  if (input.clientId) add('cid', input.clientId, `${why} (the client)`);
  if (input.user) add('uid', oktaUserId(input.user.sub), `${why} (user id derived from the subject)`);
  add('scp', [...input.scopes], `${why} (the granted scopes, as an array)`);
}

type Shaper = (
  input: ProfileClaimInput,
  target: ClaimTarget,
  claims: Record<string, unknown>,
  add: Add,
) => void;

/** One shaper per profile: a new profile does not compile until it has one. */
const SHAPERS: Record<IssuerProfile, Shaper> = {
  generic: () => {},
  keycloak,
  entra: (input, target, _claims, add) => entra(input, target, add),
  auth0,
  okta: (input, target, _claims, add) => okta(input, target, add),
};

/**
 * Adds (and for Keycloak and Auth0 moves) claims of `claims` in place, as the issuer's profile shapes
 * them for `target`; `add` records each with its reason. The generic profile changes nothing.
 */
export function shapeClaimsForProfile(
  input: ProfileClaimInput,
  target: ClaimTarget,
  claims: Record<string, unknown>,
  add: Add,
): void {
  SHAPERS[input.profile](input, target, claims, add);
}
