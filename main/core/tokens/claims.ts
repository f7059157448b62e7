import { STANDARD_SCOPES } from '../../../shared/schemas';

/**
 * Which user claims go where by default. OIDC Core §5.4 maps scopes to standard claims; any claim that
 * is not a standard one is a custom claim (roles, tenant, …) and is included in the ID token, userinfo
 * and the access token whatever the scope, since test users exist to exercise exactly those claims.
 * Claim mapping (claim-mapping.ts) changes this per client and per scope.
 */
export const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

export { STANDARD_SCOPES };

export const STANDARD_CLAIMS: ReadonlySet<string> = new Set(Object.values(SCOPE_CLAIMS).flat());

/** Scopes about a user; a machine token (client_credentials, a minted one without user) has none. */
export const IDENTITY_SCOPES: ReadonlySet<string> = new Set<string>(STANDARD_SCOPES);

/** A client's registered scope without the identity scopes: the default for machine tokens. */
export function machineScope(clientScope: string): string {
  return splitScope(clientScope)
    .filter((s) => !IDENTITY_SCOPES.has(s))
    .join(' ');
}

export function splitScope(scope: string | undefined | null): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}

export function standardClaimsForScopes(
  claims: Record<string, unknown>,
  scopes: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const scope of scopes) {
    // hasOwn: a scope named like an Object.prototype member ("constructor") must not match it.
    const names = Object.hasOwn(SCOPE_CLAIMS, scope) ? (SCOPE_CLAIMS[scope] ?? []) : [];
    for (const name of names) {
      if (name in claims) out[name] = claims[name];
    }
  }
  return out;
}

export function customClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (!STANDARD_CLAIMS.has(name)) out[name] = value;
  }
  return out;
}

/** Claims of the ID token and userinfo (besides the protocol ones). */
export function identityClaims(
  claims: Record<string, unknown>,
  scopes: readonly string[],
): Record<string, unknown> {
  return { ...standardClaimsForScopes(claims, scopes), ...customClaims(claims) };
}
