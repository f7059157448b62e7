import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_WRONG_ISSUER } from '../../../shared/faults';
import {
  AUTH_METHODS,
  CLIENT_KEY_ASSERTION_ALGS,
  CLIENT_SECRET_ASSERTION_ALGS,
  GRANT_TYPES,
} from '../../../shared/schemas';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers';
import { DPOP_SIGNING_ALGS } from '../protocol/dpop';
import type { ProviderContext } from '../provider/context';
import { SCOPE_CLAIMS, STANDARD_SCOPES, splitScope } from '../tokens/claims';

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
  // Claims clients map under names of their own (claim-mapping.ts), e.g. a namespaced one.
  for (const client of ctx.clients.list())
    for (const mapping of client.claim_mappings ?? []) claims.add(mapping.name);
  const algs = [...new Set(ctx.keys.published().map((key) => key.alg))];
  // No key yet: a fresh start answers while its first key is still being made (engine.ts), and that
  // key is of the configured algorithm.
  if (algs.length === 0) algs.push(ctx.settings.get().signing_alg);
  return {
    issuer,
    authorization_endpoint: ctx.endpoint('authorization'),
    token_endpoint: ctx.endpoint('token'),
    userinfo_endpoint: ctx.endpoint('userinfo'),
    jwks_uri: ctx.endpoint('jwks'),
    introspection_endpoint: ctx.endpoint('introspection'),
    revocation_endpoint: ctx.endpoint('revocation'),
    end_session_endpoint: ctx.endpoint('endSession'),
    device_authorization_endpoint: ctx.endpoint('deviceAuthorization'),
    // RFC 7591: listed only while dynamic registration is on for this issuer (Settings).
    ...(ctx.settings.get().dynamic_registration
      ? { registration_endpoint: ctx.endpoint('registration') }
      : {}),
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

/** A memoised JSON body: its bytes as sent, and the headers that go with them. */
export interface DocumentBody {
  bytes: Buffer;
  headers: Readonly<Record<string, string>>;
}

/**
 * Memoises a JSON body derived from the stores as the bytes sent: it is rebuilt only when the issuer or
 * one of the tables it reads has changed since (each store's cache counts its invalidations). Each
 * request compares those counters one by one: building a key string from them on every request, and
 * sending a string (encoded and copied into the header's string for every answer), cost more than
 * serving the document did.
 */
function memoBody(
  ctx: ProviderContext,
  contentType: string,
  extraHeaders: Record<string, string>,
  build: () => unknown,
): () => DocumentBody {
  let issuer = '';
  let clients = -1;
  let users = -1;
  let keys = -1;
  let registration: boolean | undefined;
  let body: DocumentBody = { bytes: Buffer.alloc(0), headers: {} };
  return () => {
    const now = ctx.issuer();
    const dynamic = ctx.settings.get().dynamic_registration;
    if (
      now !== issuer ||
      ctx.clients.cache.version !== clients ||
      ctx.users.cache.version !== users ||
      ctx.keys.cache.version !== keys ||
      dynamic !== registration
    ) {
      // Read before building, so a change made while building shows on the next request.
      issuer = now;
      clients = ctx.clients.cache.version;
      users = ctx.users.cache.version;
      keys = ctx.keys.cache.version;
      registration = dynamic;
      const bytes = Buffer.from(JSON.stringify(build()));
      body = {
        bytes,
        headers: {
          ...BASE_SECURITY_HEADERS,
          // What the CORS policy of these paths (http/cors.ts) answers to any GET.
          'access-control-allow-origin': '*',
          'content-type': contentType,
          ...extraHeaders,
          'content-length': String(bytes.length),
        },
      };
    }
    return body;
  };
}

const DISCOVERY_TYPE = 'application/json; charset=utf-8';
const JWKS_TYPE = 'application/jwk-set+json; charset=utf-8';

/** The discovery document and the JWK set of one issuer, each memoised (memoBody). */
export interface IssuerDocuments {
  discovery: () => DocumentBody;
  jwks: () => DocumentBody;
}

const documentsByIssuer = new WeakMap<ProviderContext, IssuerDocuments>();

/** The issuer's memoised documents: one pair per issuer, shared by its routes and the server's dispatch. */
export function issuerDocuments(ctx: ProviderContext): IssuerDocuments {
  let documents = documentsByIssuer.get(ctx);
  if (!documents) {
    documents = {
      discovery: memoBody(ctx, DISCOVERY_TYPE, {}, () => discoveryDocument(ctx)),
      jwks: memoBody(ctx, JWKS_TYPE, { 'cache-control': 'no-cache' }, () => ({
        keys: ctx.keys.published().map((key) => key.public_jwk),
      })),
    };
    documentsByIssuer.set(ctx, documents);
  }
  return documents;
}

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
  const documents = issuerDocuments(ctx);
  const handler = async (_request: FastifyRequest, reply: FastifyReply) => {
    const fault = ctx.faults.size === 0 ? null : ctx.faults.inEndpoint('discovery');
    if (fault?.kind === 'discovery_wrong_issuer') {
      return reply.header('content-type', DISCOVERY_TYPE).send(faultedDiscovery(ctx, fault.issuer));
    }
    return reply.header('content-type', DISCOVERY_TYPE).send(documents.discovery().bytes);
  };
  for (const path of ctx.paths.discovery) app.get(path, handler);
  app.get(ctx.paths.jwks, async (_request, reply) => {
    const fault = ctx.faults.size === 0 ? null : ctx.faults.inEndpoint('jwks');
    return reply
      .header('content-type', JWKS_TYPE)
      .header('cache-control', 'no-cache')
      .send(fault?.kind === 'jwks_missing_current_key' ? faultedJwks(ctx) : documents.jwks().bytes);
  });
}
