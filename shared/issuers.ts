/**
 * A workspace holds several issuers: the root one (at the engine's origin, as every workspace had
 * before) and others reached by path on the same port, each with its own users, clients, keys,
 * tokens and settings. An issuer's profile gives it the URL layout and claim shapes of a provider.
 */
import { z } from 'zod';
import { ROOT_ISSUER_ID } from './root-issuer';

export { ROOT_ISSUER_ID };
/**
 * The scope of a list for every issuer at once (tokens.list, events.list): each issuer's answer merged,
 * newest first, each row naming its issuer.
 */
export const ALL_ISSUERS = '*';

export const ISSUER_PROFILES = ['generic', 'keycloak', 'entra', 'auth0', 'okta'] as const;
export const IssuerProfileSchema = z.enum(ISSUER_PROFILES);
export type IssuerProfile = z.infer<typeof IssuerProfileSchema>;

/** What each profile makes an issuer look like, for the UI and the docs. */
export const PROFILE_LABELS: Record<IssuerProfile, { label: string; issuer: string; summary: string }> = {
  generic: {
    label: 'Generic OpenID Connect',
    issuer: '/<name>',
    summary: "IDP Sandbox's own paths (/authorize, /token, /jwks…) and standard claims.",
  },
  keycloak: {
    label: 'Keycloak',
    issuer: '/realms/<name>',
    summary:
      'A realm: /protocol/openid-connect/* paths, realm_access and resource_access roles, preferred_username, azp, typ.',
  },
  entra: {
    label: 'Microsoft Entra ID',
    issuer: '/<name>/v2.0',
    summary:
      'A tenant (v2.0 endpoints): /oauth2/v2.0/* and /discovery/v2.0/keys, tid, oid, scp, roles, ver 2.0.',
  },
  auth0: {
    label: 'Auth0',
    issuer: '/<name>/',
    summary:
      'A tenant: issuer with a trailing slash, /oauth/token, /.well-known/jwks.json, namespaced custom claims, permissions.',
  },
  okta: {
    label: 'Okta',
    issuer: '/oauth2/<name>',
    summary: 'A custom authorization server: /v1/* paths, cid, uid, scp (array), ver 1.',
  },
};

/**
 * An issuer's name is its URL path segment. The names the root issuer's own routes use (and the
 * first segments of the Keycloak and Okta layouts) are not available.
 */
export const RESERVED_ISSUER_NAMES = new Set([
  ROOT_ISSUER_ID,
  ALL_ISSUERS,
  'admin',
  'ui',
  'authorize',
  'token',
  'userinfo',
  'jwks',
  'introspect',
  'revoke',
  'logout',
  'login',
  'resume',
  'device',
  'device_authorization',
  'register',
  'health',
  'favicon.ico',
  'realms',
  'oauth2',
  'oauth',
]);

export const IssuerNameSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'an issuer name is 1–63 lowercase letters, digits and hyphens (it becomes a URL path segment), not starting or ending with a hyphen',
  )
  .refine((name) => !RESERVED_ISSUER_NAMES.has(name), {
    message: `this name is taken by the root issuer's routes; reserved: ${[...RESERVED_ISSUER_NAMES].join(', ')}`,
  });

export const IssuerSummarySchema = z.object({
  /** Stable id (the root issuer's is "root"); admin calls select an issuer by it or by name. */
  id: z.string(),
  /** URL path segment; empty for the root issuer. */
  name: z.string(),
  display_name: z.string(),
  profile: IssuerProfileSchema,
  /** The issuer identifier (`iss`). */
  issuer: z.string(),
  discovery_url: z.string(),
  created_at: z.string().nullable(),
});
export type IssuerSummary = z.infer<typeof IssuerSummarySchema>;

export const IssuerCreateSchema = z.strictObject({
  name: IssuerNameSchema,
  display_name: z.string().trim().min(1).max(100).optional(),
  profile: IssuerProfileSchema.default('generic'),
});

export const IssuerUpdateSchema = z.strictObject({
  id: z.string().min(1),
  name: IssuerNameSchema.optional(),
  display_name: z.string().trim().min(1).max(100).optional(),
  profile: IssuerProfileSchema.optional(),
});

export const IssuerCloneSchema = z.strictObject({
  /** The issuer to copy: its users, clients and settings (not its keys, tokens or history). */
  id: z.string().min(1),
  name: IssuerNameSchema,
  display_name: z.string().trim().min(1).max(100).optional(),
  profile: IssuerProfileSchema.optional(),
});

/** Which issuer an admin call is for (its id or name); the root issuer when absent. */
export const AdminScopeSchema = z.strictObject({ issuer: z.string().min(1).max(200).optional() });
export type AdminScope = { issuer?: string | undefined };
