import type { KeycloakClient, KeycloakProtocolMapper } from '../../../../shared/keycloak';
import {
  type ClientInput,
  ClientInputSchema,
  DEVICE_CODE_GRANT,
  type GrantType,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
  TtlSchema,
} from '../../../../shared/schemas';
import { ATTR, KEYCLOAK_ONLY_SCOPES, URI_SEPARATOR } from './attributes';
import { staticClaimMappings } from './client-claims';
import type { Skip } from './skipped';

/** What a client's conversion needs from the rest of the realm. */
export interface RealmScopes {
  /** The realm's default and optional client scopes: what a client without its own lists gets. */
  defaults: string[] | undefined;
  optional: string[] | undefined;
}

const DEFAULT_SCOPE = 'openid profile email offline_access';
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function isTrue(value: string | null | undefined): boolean {
  return value === 'true';
}

/** A lifetime from a client attribute; 0 or absent is Keycloak's "the realm's". */
function attributeTtl(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return n > 0 && TtlSchema.safeParse(n).success ? n : undefined;
}

function authMethod(client: KeycloakClient): string {
  if (client.publicClient) return 'none';
  switch (client.clientAuthenticatorType ?? 'client-secret') {
    case 'client-secret':
      return 'client_secret_basic';
    case 'client-jwt':
      return 'private_key_jwt';
    case 'client-secret-jwt':
      return 'client_secret_jwt';
    default:
      return client.clientAuthenticatorType ?? 'client-secret';
  }
}

/** A redirect URI the sandbox can match exactly: absolute, no wildcard, no fragment. */
function exactUri(uri: string): boolean {
  if (uri.includes('*')) return false;
  try {
    return !new URL(uri).hash;
  } catch {
    return false;
  }
}

function redirectUris(list: string[], path: string, skip: Skip): string[] {
  const kept: string[] = [];
  list.forEach((uri, index) => {
    if (exactUri(uri)) kept.push(uri);
    else {
      skip(
        `${path}[${index}]`,
        `"${uri}": the sandbox matches redirect URIs exactly; register each absolute URI (no wildcards, no relative paths)`,
      );
    }
  });
  return kept;
}

function grantTypes(client: KeycloakClient, attrs: Record<string, string | null>): GrantType[] {
  const grants: GrantType[] = [];
  if (client.standardFlowEnabled ?? true) grants.push('authorization_code');
  if (client.directAccessGrantsEnabled) grants.push('password');
  if (client.serviceAccountsEnabled) grants.push('client_credentials');
  if (isTrue(attrs[ATTR.deviceGrant])) grants.push(DEVICE_CODE_GRANT);
  if (isTrue(attrs[ATTR.tokenExchange])) grants.push(TOKEN_EXCHANGE_GRANT);
  if (isTrue(attrs[ATTR.jwtBearerGrant])) grants.push(JWT_BEARER_GRANT);
  const userFlows: GrantType[] = ['authorization_code', 'password', DEVICE_CODE_GRANT, JWT_BEARER_GRANT];
  if (attrs[ATTR.useRefreshTokens] !== 'false' && grants.some((g) => userFlows.includes(g))) {
    grants.push('refresh_token');
  }
  return grants;
}

/** The scope string: the client's (or the realm's) client scopes a client can ask for by name. */
function scopeOf(client: KeycloakClient, realm: RealmScopes): string {
  const named =
    client.defaultClientScopes || client.optionalClientScopes
      ? [...(client.defaultClientScopes ?? []), ...(client.optionalClientScopes ?? [])]
      : [...(realm.defaults ?? []), ...(realm.optional ?? [])];
  if (!named.length) return DEFAULT_SCOPE;
  const scopes = ['openid', ...named.filter((s) => !KEYCLOAK_ONLY_SCOPES.has(s) && SCOPE_TOKEN.test(s))];
  return [...new Set(scopes)].join(' ');
}

function audiences(mappers: KeycloakProtocolMapper[]): string[] {
  const out: string[] = [];
  for (const mapper of mappers) {
    if (mapper.protocolMapper !== 'oidc-audience-mapper') continue;
    const aud = mapper.config?.['included.custom.audience'] || mapper.config?.['included.client.audience'];
    if (aud && !out.includes(aud)) out.push(aud);
  }
  return out;
}

function clientKeys(attrs: Record<string, string | null>, path: string, skip: Skip): Partial<ClientInput> {
  const url = attrs[ATTR.jwksUrl];
  if (isTrue(attrs[ATTR.useJwksUrl]) && url) return { jwks_uri: url };
  const jwks = attrs[ATTR.jwksString];
  if (isTrue(attrs[ATTR.useJwksString]) && jwks) {
    try {
      return { jwks: JSON.parse(jwks) };
    } catch {
      skip(`${path}.attributes["${ATTR.jwksString}"]`, 'not JSON: a JWK Set was expected');
    }
  }
  if (attrs['jwt.credential.certificate']) {
    skip(
      `${path}.attributes["jwt.credential.certificate"]`,
      "a certificate is not a key the sandbox reads: register the client's public keys as jwks or jwks_uri",
    );
  }
  return {};
}

/**
 * The client Keycloak's own fields describe, without the idp-sandbox attribute, or null when the sandbox
 * cannot have it at all (SAML, bearer-only, disabled, mutual TLS). Each loss is reported through `skip`.
 */
export function nativeClient(
  client: KeycloakClient,
  realm: RealmScopes,
  path: string,
  skip: Skip,
): ClientInput | null {
  if (client.protocol !== undefined && client.protocol !== 'openid-connect') {
    skip(path, `${client.protocol} client "${client.clientId}": the sandbox speaks OpenID Connect only`);
    return null;
  }
  if (client.bearerOnly) {
    skip(
      path,
      `bearer-only client "${client.clientId}": it gets no tokens; use its client_id as an audience`,
    );
    return null;
  }
  if (client.enabled === false) {
    skip(path, `disabled client "${client.clientId}"`);
    return null;
  }
  const method = authMethod(client);
  if (method === 'client-x509') {
    skip(
      path,
      `client "${client.clientId}" authenticates with mutual TLS (client-x509), which the sandbox has not`,
    );
    return null;
  }
  if (!['none', 'client_secret_basic', 'private_key_jwt', 'client_secret_jwt'].includes(method)) {
    skip(`${path}.clientAuthenticatorType`, `"${method}" is not a client authentication the sandbox knows`);
    return null;
  }
  const attrs = { ...client.attributes };
  let grants = grantTypes(client, attrs);
  const redirects = redirectUris(client.redirectUris ?? [], `${path}.redirectUris`, skip);
  if (grants.includes('authorization_code') && redirects.length === 0) {
    skip(`${path}.standardFlowEnabled`, 'the authorization code flow needs at least one exact redirect URI');
    grants = grants.filter((g) => g !== 'authorization_code');
  }
  if (method === 'none' && grants.includes('client_credentials')) {
    skip(`${path}.serviceAccountsEnabled`, 'a public client cannot use client_credentials in the sandbox');
    grants = grants.filter((g) => g !== 'client_credentials');
  }
  if (client.implicitFlowEnabled) skip(`${path}.implicitFlowEnabled`, 'the sandbox has no implicit flow');
  if (method !== 'none' && attrs[ATTR.pkceMethod]) {
    skip(
      `${path}.attributes["${ATTR.pkceMethod}"]`,
      'the sandbox accepts PKCE from a confidential client but requires it only of public ones',
    );
  }
  // "+" stands for the client's redirect URIs; "-" for none.
  const postLogout = (attrs[ATTR.postLogoutRedirectUris] ?? '')
    .split(URI_SEPARATOR)
    .flatMap((uri) => (uri === '+' ? redirects : uri && uri !== '-' ? [uri] : []));
  const accessTtl = attributeTtl(attrs[ATTR.accessTokenLifespan]);
  const refreshTtl = [attrs[ATTR.clientSessionIdle], attrs[ATTR.clientSessionMax]]
    .map(attributeTtl)
    .filter((v): v is number => v !== undefined);
  const signingAlg = attrs[ATTR.authSigningAlg];
  const claimMappings = staticClaimMappings(client.protocolMappers ?? [], path, skip);
  return {
    client_id: client.clientId,
    ...(client.name ? { client_name: client.name } : {}),
    ...(method !== 'none' && client.secret ? { client_secret: client.secret } : {}),
    redirect_uris: redirects,
    post_logout_redirect_uris: redirectUris(
      [...new Set(postLogout)],
      `${path}.attributes["${ATTR.postLogoutRedirectUris}"]`,
      skip,
    ),
    grant_types: grants,
    token_endpoint_auth_method: method as ClientInput['token_endpoint_auth_method'],
    ...clientKeys(attrs, path, skip),
    ...(signingAlg
      ? { token_endpoint_auth_signing_alg: signingAlg as ClientInput['token_endpoint_auth_signing_alg'] }
      : {}),
    scope: scopeOf(client, realm),
    audience: audiences(client.protocolMappers ?? []),
    ...(accessTtl !== undefined ? { access_token_ttl: accessTtl } : {}),
    ...(refreshTtl.length ? { refresh_token_ttl: Math.min(...refreshTtl) } : {}),
    ...(isTrue(attrs[ATTR.dpopBound]) ? { dpop_bound_access_tokens: true } : {}),
    ...(claimMappings.length ? { claim_mappings: claimMappings } : {}),
  };
}

/** The sandbox's reading of a client input, or the first problem with it as one line. */
export function checkClient(
  input: ClientInput,
): { ok: true; value: ClientInput } | { ok: false; reason: string } {
  const parsed = ClientInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: input };
  return {
    ok: false,
    reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'client'}: ${i.message}`).join('; '),
  };
}
