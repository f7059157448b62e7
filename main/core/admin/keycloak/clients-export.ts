import { type KeycloakClient, SANDBOX_CLIENT_ATTRIBUTE } from '../../../../shared/keycloak';
import {
  ClientInputSchema,
  type ClientMetadata,
  DEVICE_CODE_GRANT,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
} from '../../../../shared/schemas';
import { ATTR, AUTHENTICATORS, KEYCLOAK_ONLY_SCOPES, URI_SEPARATOR } from './attributes';
import { oidcMapper } from './claims-common';
import { attributeMapper, type ClaimMapping } from './claims-export';
import { hardcodedMapper } from './client-claims';
import { nativeClient } from './clients-import';
import { extrasOf, sameSet } from './extras';

type WorkspaceClient = ClientMetadata;

/** Why a client field had to travel in the idp-sandbox.client attribute. */
const EXTRA_REASONS: Partial<Record<keyof WorkspaceClient, string>> = {
  token_endpoint_auth_method: 'Keycloak takes the secret in the header or the body alike (client-secret)',
  scope: "Keycloak grants the realm's default and optional client scopes",
  id_token_ttl: "Keycloak's ID tokens live as long as its access tokens",
  access_token_format: 'Keycloak issues JWT access tokens only',
  introspect_any_token: 'no Keycloak client setting',
  allow_loopback_port_variance: 'no Keycloak client setting',
  token_exchange:
    "Keycloak's standard token exchange takes its audiences from client scopes and audience mappers",
  jwt_bearer: 'Keycloak trusts assertion issuers through identity providers: add one per trusted issuer',
  dpop_nonce_required: 'no Keycloak client setting',
  grant_types: "Keycloak's flow switches cannot express this set of grants",
  claim_mappings:
    'Keycloak has a hardcoded-claim mapper for static values in every token kind listed; renamed user claims and scoped claims need attribute mappers or client scopes',
  custom_claims:
    "Keycloak puts only mapped attributes in tokens; the export leaves this client's custom-claim mappers out",
};

/** The defaults the sandbox gives an omitted field, as the way back would apply them. */
const {
  client_id: _id,
  grant_types: _grants,
  ...FIELD_DEFAULTS
} = ClientInputSchema.parse({
  client_id: 'defaults',
  grant_types: ['client_credentials'],
});

const has = (client: WorkspaceClient, grant: string) => (client.grant_types as string[]).includes(grant);

function clientAttributes(client: WorkspaceClient): Record<string, string> {
  const attributes: Record<string, string> = {};
  const set = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) attributes[key] = String(value);
  };
  if (client.post_logout_redirect_uris.length) {
    set(ATTR.postLogoutRedirectUris, client.post_logout_redirect_uris.join(URI_SEPARATOR));
  }
  // The sandbox requires PKCE (S256) of every public client using the code flow.
  if (client.token_endpoint_auth_method === 'none' && has(client, 'authorization_code'))
    set(ATTR.pkceMethod, 'S256');
  set(ATTR.deviceGrant, has(client, DEVICE_CODE_GRANT));
  set(ATTR.tokenExchange, has(client, TOKEN_EXCHANGE_GRANT));
  if (has(client, JWT_BEARER_GRANT)) set(ATTR.jwtBearerGrant, true);
  set(ATTR.useRefreshTokens, has(client, 'refresh_token'));
  set(ATTR.accessTokenLifespan, client.access_token_ttl);
  set(ATTR.clientSessionIdle, client.refresh_token_ttl);
  set(ATTR.clientSessionMax, client.refresh_token_ttl);
  set(ATTR.authSigningAlg, client.token_endpoint_auth_signing_alg);
  if (client.jwks_uri !== undefined) {
    set(ATTR.useJwksUrl, true);
    set(ATTR.jwksUrl, client.jwks_uri);
  } else if (client.jwks !== undefined) {
    set(ATTR.useJwksUrl, false);
    set(ATTR.useJwksString, true);
    set(ATTR.jwksString, JSON.stringify(client.jwks));
  }
  if (client.dpop_bound_access_tokens !== undefined) set(ATTR.dpopBound, client.dpop_bound_access_tokens);
  return attributes;
}

/** The ClientRepresentation of a client, with its custom claims' mappers; `notes` gets what is lost. */
export function clientToKeycloak(
  client: WorkspaceClient,
  mappings: ClaimMapping[],
  notes: string[],
): KeycloakClient {
  const method = client.token_endpoint_auth_method;
  const kc: KeycloakClient = {
    clientId: client.client_id,
    ...(client.client_name ? { name: client.client_name } : {}),
    enabled: true,
    protocol: 'openid-connect',
    publicClient: method === 'none',
    bearerOnly: false,
    ...(method !== 'none' ? { clientAuthenticatorType: AUTHENTICATORS[method] } : {}),
    ...(method !== 'none' && client.client_secret ? { secret: client.client_secret } : {}),
    redirectUris: client.redirect_uris,
    // "+": the origins of the redirect URIs, for a browser app's token requests.
    webOrigins: client.redirect_uris.length ? ['+'] : [],
    standardFlowEnabled: has(client, 'authorization_code'),
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: has(client, 'password'),
    serviceAccountsEnabled: has(client, 'client_credentials'),
    attributes: clientAttributes(client),
    protocolMappers: [
      ...client.audience.map((aud) =>
        oidcMapper(`audience ${aud}`, 'oidc-audience-mapper', {
          'included.custom.audience': aud,
          'access.token.claim': 'true',
          'id.token.claim': 'false',
          'introspection.token.claim': 'true',
        }),
      ),
      // "mapped_only": the user's custom claims reach this client only through its claim mappings.
      ...(client.custom_claims === 'mapped_only' ? [] : mappings.map(attributeMapper)),
      ...(client.claim_mappings ?? []).flatMap((mapping) => hardcodedMapper(mapping) ?? []),
    ],
  };
  // What Keycloak's fields give back, compared with the client: the difference travels as an attribute.
  const back = {
    ...FIELD_DEFAULTS,
    ...nativeClient(kc, { defaults: undefined, optional: undefined }, '', () => {}),
  };
  const extras = extrasOf(client, back as Partial<WorkspaceClient>, { grant_types: sameSet });
  for (const key of Object.keys(extras) as (keyof WorkspaceClient)[]) {
    notes.push(
      `clients "${client.client_id}" ${key}: ${EXTRA_REASONS[key] ?? 'no Keycloak field'}; kept in attribute ${SANDBOX_CLIENT_ATTRIBUTE}`,
    );
  }
  const custom = client.scope
    .split(' ')
    .filter(
      (s) =>
        s &&
        !['openid', 'profile', 'email', 'address', 'phone', 'offline_access'].includes(s) &&
        !KEYCLOAK_ONLY_SCOPES.has(s),
    );
  if (custom.length) {
    notes.push(
      `clients "${client.client_id}" scope: create client scopes ${custom.map((s) => `"${s}"`).join(', ')} in Keycloak and assign them to the client`,
    );
  }
  if (Object.keys(extras).length && kc.attributes)
    kc.attributes[SANDBOX_CLIENT_ATTRIBUTE] = JSON.stringify(extras);
  return kc;
}
