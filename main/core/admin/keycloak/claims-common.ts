import type { KeycloakProtocolMapper } from '../../../../shared/keycloak';
import type { ParsedWorkspace } from '../../../../shared/schemas';

export type JsonValue = NonNullable<ParsedWorkspace['users']>[number]['claims'][string];

/** The claim types of Keycloak's attribute mappers (jsonType.label) the sandbox writes. */
export type JsonType = 'String' | 'long' | 'boolean' | 'JSON';

/** The sandbox puts a custom claim in the ID token, the access token and userinfo (tokens/claims.ts). */
export const claimFlags = {
  'id.token.claim': 'true',
  'access.token.claim': 'true',
  'userinfo.token.claim': 'true',
  'introspection.token.claim': 'true',
} as const;

/** UserRepresentation's own fields, which Keycloak also answers as attributes of these names. */
export const ROOT_ATTRIBUTES = ['username', 'email', 'firstName', 'lastName'] as const;

/**
 * Standard claims (OIDC Core §5.1) that Keycloak's built-in profile and phone scopes read from a user
 * attribute: the claim goes to that attribute and needs no mapper of its own.
 */
export const STANDARD_ATTRIBUTES: Record<string, { attribute: string; type: 'string' | 'boolean' }> = {
  middle_name: { attribute: 'middleName', type: 'string' },
  nickname: { attribute: 'nickname', type: 'string' },
  profile: { attribute: 'profile', type: 'string' },
  picture: { attribute: 'picture', type: 'string' },
  website: { attribute: 'website', type: 'string' },
  gender: { attribute: 'gender', type: 'string' },
  birthdate: { attribute: 'birthdate', type: 'string' },
  zoneinfo: { attribute: 'zoneinfo', type: 'string' },
  locale: { attribute: 'locale', type: 'string' },
  phone_number: { attribute: 'phoneNumber', type: 'string' },
  phone_number_verified: { attribute: 'phoneNumberVerified', type: 'boolean' },
};

/** The address claim's members and the attributes Keycloak's address mapper builds them from. */
export const ADDRESS_ATTRIBUTES: Record<string, string> = {
  formatted: 'formatted',
  street_address: 'street',
  locality: 'locality',
  region: 'region',
  postal_code: 'postal_code',
  country: 'country',
};

/** Claims Keycloak computes itself (full name, username, last update): never a user attribute. */
export const DERIVED_CLAIMS: ReadonlySet<string> = new Set(['name', 'preferred_username', 'updated_at']);

/** Keycloak reads dots in claim.name as nesting; a claim whose name has a dot is escaped. */
export function escapeClaimName(claim: string): string {
  return claim.replaceAll('.', '\\.');
}

/** An OpenID Connect protocol mapper of the given type, as the admin console writes one. */
export function oidcMapper(
  name: string,
  protocolMapper: string,
  config: Record<string, string>,
): KeycloakProtocolMapper {
  return { name, protocol: 'openid-connect', protocolMapper, consentRequired: false, config };
}
