import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_WRONG_ISSUER } from '../../../shared/faults';
import {
  AUTH_METHODS,
  CLIENT_KEY_ASSERTION_ALGS,
  CLIENT_SECRET_ASSERTION_ALGS,
  GRANT_TYPES,
} from '../../../shared/schemas';
import { DPOP_SIGNING_ALGS } from '../protocol/dpop';
import type { ProviderContext } from '../provider/context';
import { SCOPE_CLAIMS, STANDARD_SCOPES, splitScope } from '../tokens/claims';

export const ENDPOINTS = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
  endSession: '/logout',
  /** RFC 8628 §3.1, and §3.2's verification_uri: the page where the user enters the device's code. */
  deviceAuthorization: '/device_authorization',
  deviceVerification: '/device',
} as const;

const PROTOCOL_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'at_hash',
  'sid',
  'amr',
  'jti',
];

/** What private_key_jwt and client_secret_jwt assertions may be signed with, at every endpoint. */
const ASSERTION_ALGS = [...CLIENT_KEY_ASSERTION_ALGS, ...CLIENT_SECRET_ASSERTION_ALGS];

/**
 * OIDC Discovery / RFC 8414 metadata. It lists what the provider really does right now: the signing
 * algorithms of the published keys, the scopes clients may request, the claims users carry.
 */
export function discoveryDocument(ctx: ProviderContext): Record<string, unknown> {
  const issuer = ctx.issuer();
  const scopes = new Set<string>(STANDARD_SCOPES);
  for (const client of ctx.clients.list()) for (const scope of splitScope(client.scope)) scopes.add(scope);
  const claims = new Set<string>([...PROTOCOL_CLAIMS, ...Object.values(SCOPE_CLAIMS).flat()]);
  for (const user of ctx.users.list()) for (const name of Object.keys(user.claims)) claims.add(name);
  const algs = [...new Set(ctx.keys.published().map((key) => key.alg))];
  return {
    issuer,
    authorization_endpoint: `${issuer}${ENDPOINTS.authorization}`,
    token_endpoint: `${issuer}${ENDPOINTS.token}`,
    userinfo_endpoint: `${issuer}${ENDPOINTS.userinfo}`,
    jwks_uri: `${issuer}${ENDPOINTS.jwks}`,
    introspection_endpoint: `${issuer}${ENDPOINTS.introspection}`,
    revocation_endpoint: `${issuer}${ENDPOINTS.revocation}`,
    end_session_endpoint: `${issuer}${ENDPOINTS.endSession}`,
    device_authorization_endpoint: `${issuer}${ENDPOINTS.deviceAuthorization}`,
    scopes_supported: [...scopes],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANT_TYPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    code_challenge_methods_supported: ['S256'],
    claims_supported: [...claims],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS],
  };
}

/**
 * Memoises a JSON body derived from the stores: it is rebuilt only when the issuer or one of the
 * tables it reads has changed since (each store's cache counts its invalidations).
 */
function memoJson(ctx: ProviderContext, build: () => unknown): () => string {
  let key = '';
  let body = '';
  return () => {
    const now = `${ctx.issuer()} ${ctx.clients.cache.version} ${ctx.users.cache.version} ${ctx.keys.cache.version}`;
    if (now !== key) {
      body = JSON.stringify(build());
      key = now;
    }
    return body;
  };
}

/** Both names of the metadata document: OIDC Discovery's and RFC 8414's. */
export const DISCOVERY_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
];

/**
 * The documents as a content fault (QA lab, provider/faults.ts) changes them, built per request: the
 * memoised bodies stay what a request without a fault gets.
 */
function faultedDiscovery(ctx: ProviderContext, issuer: string | undefined): string {
  return JSON.stringify({ ...discoveryDocument(ctx), issuer: issuer ?? DEFAULT_WRONG_ISSUER });
}

function faultedJwks(ctx: ProviderContext): string {
  const published = ctx.keys.published().filter((key) => key.status !== 'current');
  return JSON.stringify({ keys: published.map((key) => key.public_jwk) });
}

export function registerDiscoveryRoutes(app: FastifyInstance, ctx: ProviderContext): void {
  const discovery = memoJson(ctx, () => discoveryDocument(ctx));
  const jwks = memoJson(ctx, () => ({ keys: ctx.keys.published().map((key) => key.public_jwk) }));
  const handler = async (_request: FastifyRequest, reply: FastifyReply) => {
    const fault = ctx.faults.size === 0 ? null : ctx.faults.inEndpoint('discovery');
    const body = fault?.kind === 'discovery_wrong_issuer' ? faultedDiscovery(ctx, fault.issuer) : discovery();
    return reply.header('content-type', 'application/json; charset=utf-8').send(body);
  };
  for (const path of DISCOVERY_PATHS) app.get(path, handler);
  app.get(ENDPOINTS.jwks, async (_request, reply) => {
    const fault = ctx.faults.size === 0 ? null : ctx.faults.inEndpoint('jwks');
    return reply
      .header('content-type', 'application/jwk-set+json; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(fault?.kind === 'jwks_missing_current_key' ? faultedJwks(ctx) : jwks());
  });
}
