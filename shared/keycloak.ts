/**
 * The part of Keycloak's realm representation (what `kc.sh export` writes and `kc.sh import` reads)
 * that the sandbox converts to and from a workspace. Field names are Keycloak's (org.keycloak.
 * representations.idm.*Representation); every object is loose, so the many fields the sandbox does not
 * read pass through validation and are reported as not carried over instead of being refused.
 */
import { z } from 'zod';

/**
 * Keycloak keeps client attributes and mapper configs as Map<String, String>, but hand-written realm
 * files often hold booleans or numbers there (Jackson coerces them). Accepted, and read as strings.
 */
const AttributeValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const StringMap = z.record(z.string(), AttributeValue.nullable());

export const KeycloakProtocolMapperSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  protocol: z.string().optional(),
  protocolMapper: z.string(),
  consentRequired: z.boolean().optional(),
  config: StringMap.optional(),
});
export type KeycloakProtocolMapper = z.output<typeof KeycloakProtocolMapperSchema>;

export const KeycloakCredentialSchema = z.looseObject({
  type: z.string().optional(),
  /** Plain text, hashed by Keycloak on import. */
  value: z.string().optional(),
  temporary: z.boolean().optional(),
  userLabel: z.string().optional(),
  /** What a Keycloak export holds instead of `value`: the hash and its salt, and the algorithm. */
  secretData: z.string().optional(),
  credentialData: z.string().optional(),
});
export type KeycloakCredential = z.output<typeof KeycloakCredentialSchema>;

export const KeycloakUserSchema = z.looseObject({
  id: z.string().optional(),
  username: z.string().optional(),
  enabled: z.boolean().optional(),
  email: z.string().optional(),
  emailVerified: z.boolean().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** Map<String, List<String>>; Keycloak also reads a single string as a one-value list. */
  attributes: z.record(z.string(), z.union([z.array(AttributeValue), AttributeValue])).optional(),
  credentials: z.array(KeycloakCredentialSchema).optional(),
  requiredActions: z.array(z.string()).optional(),
  realmRoles: z.array(z.string()).optional(),
  clientRoles: z.record(z.string(), z.array(z.string())).optional(),
  groups: z.array(z.string()).optional(),
  serviceAccountClientId: z.string().optional(),
});
export type KeycloakUser = z.output<typeof KeycloakUserSchema>;

export const KeycloakClientSchema = z.looseObject({
  id: z.string().optional(),
  clientId: z.string(),
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  protocol: z.string().optional(),
  publicClient: z.boolean().optional(),
  bearerOnly: z.boolean().optional(),
  clientAuthenticatorType: z.string().optional(),
  secret: z.string().optional(),
  redirectUris: z.array(z.string()).optional(),
  webOrigins: z.array(z.string()).optional(),
  standardFlowEnabled: z.boolean().optional(),
  implicitFlowEnabled: z.boolean().optional(),
  directAccessGrantsEnabled: z.boolean().optional(),
  serviceAccountsEnabled: z.boolean().optional(),
  attributes: StringMap.optional(),
  protocolMappers: z.array(KeycloakProtocolMapperSchema).optional(),
  defaultClientScopes: z.array(z.string()).optional(),
  optionalClientScopes: z.array(z.string()).optional(),
});
export type KeycloakClient = z.output<typeof KeycloakClientSchema>;

export const KeycloakClientScopeSchema = z.looseObject({
  name: z.string(),
  protocol: z.string().optional(),
  protocolMappers: z.array(KeycloakProtocolMapperSchema).optional(),
});

const Seconds = z.number().int();

export const KeycloakRealmSchema = z.looseObject({
  realm: z.string().min(1, 'a Keycloak realm needs its name ("realm")'),
  enabled: z.boolean().optional(),
  defaultSignatureAlgorithm: z.string().optional(),
  accessTokenLifespan: Seconds.optional(),
  accessCodeLifespan: Seconds.optional(),
  ssoSessionIdleTimeout: Seconds.optional(),
  ssoSessionMaxLifespan: Seconds.optional(),
  clientSessionIdleTimeout: Seconds.optional(),
  clientSessionMaxLifespan: Seconds.optional(),
  revokeRefreshToken: z.boolean().optional(),
  refreshTokenMaxReuse: Seconds.optional(),
  attributes: StringMap.optional(),
  users: z.array(KeycloakUserSchema).optional(),
  clients: z.array(KeycloakClientSchema).optional(),
  clientScopes: z.array(KeycloakClientScopeSchema).optional(),
  defaultDefaultClientScopes: z.array(z.string()).optional(),
  defaultOptionalClientScopes: z.array(z.string()).optional(),
});
export type KeycloakRealm = z.output<typeof KeycloakRealmSchema>;

/** A realm's name: also a path segment of its URLs in Keycloak (/realms/NAME). */
export const KeycloakRealmNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._-]+$/, 'a realm name of letters, digits, ".", "_" and "-"');

/** One thing of a Keycloak realm the import could not carry into the workspace, and why. */
export const KeycloakSkippedSchema = z.object({
  /** JSON path in the realm file: `users[2].credentials[0]`, `identityProviders`. */
  path: z.string(),
  reason: z.string(),
});
export type KeycloakSkipped = z.infer<typeof KeycloakSkippedSchema>;

/**
 * Attribute keys (realm and client) holding what Keycloak has no field for, so a workspace that goes to
 * Keycloak and comes back loses nothing. Keycloak stores them and does not act on them.
 */
export const SANDBOX_REALM_ATTRIBUTE = 'idp-sandbox.settings';
export const SANDBOX_CLIENT_ATTRIBUTE = 'idp-sandbox.client';
