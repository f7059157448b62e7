/**
 * Keycloak client attribute keys the conversion reads and writes (the names the Keycloak admin console
 * stores; org.keycloak.protocol.oidc.OIDCConfigAttributes and friends).
 */
export const ATTR = {
  postLogoutRedirectUris: 'post.logout.redirect.uris',
  pkceMethod: 'pkce.code.challenge.method',
  deviceGrant: 'oauth2.device.authorization.grant.enabled',
  /** Standard token exchange (Keycloak 26.2+). */
  tokenExchange: 'standard.token.exchange.enabled',
  /** RFC 7523 JWT authorization grant (Keycloak 26.5+, with an identity provider per issuer). */
  jwtBearerGrant: 'oauth2.jwt.authorization.grant.enabled',
  useRefreshTokens: 'use.refresh.tokens',
  accessTokenLifespan: 'access.token.lifespan',
  clientSessionIdle: 'client.session.idle.timeout',
  clientSessionMax: 'client.session.max.lifespan',
  authSigningAlg: 'token.endpoint.auth.signing.alg',
  useJwksUrl: 'use.jwks.url',
  jwksUrl: 'jwks.url',
  useJwksString: 'use.jwks.string',
  jwksString: 'jwks.string',
  dpopBound: 'dpop.bound.access.tokens',
} as const;

/** Keycloak's list separator in post.logout.redirect.uris. */
export const URI_SEPARATOR = '##';

/** clientAuthenticatorType ⇄ RFC 7591 token_endpoint_auth_method. */
export const AUTHENTICATORS = {
  client_secret_basic: 'client-secret',
  client_secret_post: 'client-secret',
  client_secret_jwt: 'client-secret-jwt',
  private_key_jwt: 'client-jwt',
} as const;

/** Clients every Keycloak realm has; an import leaves them out. */
export const BUILT_IN_CLIENTS: ReadonlySet<string> = new Set([
  'account',
  'account-console',
  'admin-cli',
  'broker',
  'realm-management',
  'security-admin-console',
]);

/** Keycloak's own client scopes that are not scopes a client asks for by name. */
export const KEYCLOAK_ONLY_SCOPES: ReadonlySet<string> = new Set([
  'acr',
  'basic',
  'roles',
  'role_list',
  'web-origins',
  'microprofile-jwt',
  'organization',
  'saml_organization',
  'service_account',
]);
