import { ClientInputSchema, type ClientMetadata, type ProtectedResource } from '../../../shared/schemas';
import { validateInput } from '../../../shared/validation';
import type { ClientRecord } from '../store/clients';
import { splitScope } from '../tokens/claims';
import { OAuthError } from './errors';

// RFC 7591 §2 client metadata → the engine's client model, and back for the client information
// response (§3.2.1, RFC 7592 §3). Registration goes through ClientInputSchema, the admin API's schema,
// so a registered client is held to exactly the rules of one made in the UI.

/** RFC 7591 §3.2.2: one of the two metadata errors, with every problem found in the description. */
export const invalidClientMetadata = (description: string) =>
  new OAuthError(400, 'invalid_client_metadata', description);
const invalidRedirectUri = (description: string) => new OAuthError(400, 'invalid_redirect_uri', description);

/**
 * The members a registration sets. Anything else a client sends (client_uri, logo_uri, contacts,
 * application_type, …) is ignored and not echoed, as §2 asks of metadata a server does not use; the
 * engine's own fields (audience, lifetimes, token exchange policy, …) are the admin's to set.
 */
const REGISTERED_MEMBERS = [
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'jwks',
  'jwks_uri',
  'client_name',
  'scope',
  'dpop_bound_access_tokens',
] as const;

/** Only "code" (the authorization code flow) is a response type the engine answers. */
function checkResponseTypes(body: Record<string, unknown>, grantTypes: unknown): void {
  const given = body.response_types;
  if (given === undefined) return;
  if (!Array.isArray(given) || given.some((type) => typeof type !== 'string')) {
    throw invalidClientMetadata('response_types must be an array of strings, e.g. ["code"].');
  }
  const unsupported = given.filter((type) => type !== 'code');
  if (unsupported.length) {
    throw invalidClientMetadata(
      `response_types ${unsupported.map((t) => `"${t}"`).join(', ')} is not supported: the only response type is "code".`,
    );
  }
  // RFC 7591 §2.1: "code" goes with the authorization_code grant, and that grant with "code".
  const hasCodeGrant = Array.isArray(grantTypes) && grantTypes.includes('authorization_code');
  if (hasCodeGrant !== given.includes('code')) {
    throw invalidClientMetadata(
      hasCodeGrant
        ? 'grant_types has "authorization_code", so response_types must have "code" (RFC 7591 section 2.1).'
        : 'response_types has "code", so grant_types must have "authorization_code" (RFC 7591 section 2.1).',
    );
  }
}

export interface RegistrationDefaults {
  /** Scopes a client registering without a `scope` gets besides the engine's default scope. */
  resources: readonly ProtectedResource[];
}

/**
 * Validates a registration (or an RFC 7592 update) as the client `clientId`. Throws
 * invalid_redirect_uri when a redirect URI is among the problems, invalid_client_metadata otherwise.
 */
export function registeredMetadata(
  body: unknown,
  clientId: string,
  defaults: RegistrationDefaults,
): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidClientMetadata('Send the client metadata as one JSON object (RFC 7591 section 3.1).');
  }
  const fields = body as Record<string, unknown>;
  if (fields.software_statement !== undefined) {
    throw new OAuthError(
      400,
      'unapproved_software_statement',
      'This server does not accept software statements: send the metadata as plain members of the JSON object.',
    );
  }
  // RFC 7591 §2: grant_types defaults to ["authorization_code"] (not the admin API's default).
  const input: Record<string, unknown> = { client_id: clientId, grant_types: ['authorization_code'] };
  for (const member of REGISTERED_MEMBERS) {
    if (fields[member] !== undefined && fields[member] !== null) input[member] = fields[member];
  }
  checkResponseTypes(fields, input.grant_types);
  const parsed = validateInput(ClientInputSchema, input);
  if (!parsed.success) {
    const redirect = parsed.problems.some((problem) => /^(post_logout_)?redirect_uris\b/.test(problem));
    const description = `Invalid client metadata: ${parsed.problems.join('; ')}`;
    throw redirect ? invalidRedirectUri(description) : invalidClientMetadata(description);
  }
  const metadata = parsed.data;
  if (fields.scope === undefined) {
    // An MCP client learns its scopes from a resource's metadata (RFC 9728) after registering.
    const extra = defaults.resources.flatMap((resource) => resource.scopes_supported ?? []);
    metadata.scope = [...new Set([...splitScope(metadata.scope), ...extra])].join(' ');
  }
  return metadata;
}

/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): what was registered, the secret
 * (when the auth method uses one; it never expires), and how to manage the registration.
 */
export function clientInformation(
  client: ClientRecord,
  management: { registration_client_uri: string; registration_access_token: string },
): Record<string, unknown> {
  const optional = {
    client_name: client.client_name,
    jwks: client.jwks,
    jwks_uri: client.jwks_uri,
    token_endpoint_auth_signing_alg: client.token_endpoint_auth_signing_alg,
    dpop_bound_access_tokens: client.dpop_bound_access_tokens,
  };
  return {
    client_id: client.client_id,
    client_id_issued_at: client.registered_at ?? client.created_at,
    ...(client.client_secret ? { client_secret: client.client_secret, client_secret_expires_at: 0 } : {}),
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    grant_types: client.grant_types,
    response_types: client.grant_types.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    scope: client.scope,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    ...management,
  };
}
