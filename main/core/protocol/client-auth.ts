import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { hashTokenValue, secretMatches } from '../lib/secrets';
import { AssertionRefused, CLIENT_ASSERTION_TYPE } from '../provider/client-assertions';
import type { ProviderContext } from '../provider/context';
import type { ClientRecord } from '../store/clients';
import { invalidClient, invalidRequest } from './errors';
import type { Params } from './params';

type ClientAuthContext = Pick<ProviderContext, 'clients' | 'issuer' | 'clientAssertions'>;

interface AuthenticatedClient {
  client: ClientRecord;
  usedBasic: boolean;
}

function decodeBasic(header: string): { id: string; secret: string } {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw invalidClient('The Basic credentials are malformed (expected "client_id:client_secret").', true);
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined. Most ids and secrets have
    // nothing encoded, and decoding them anyway was a third of authenticating a client.
    const form = (s: string) =>
      s.includes('%') || s.includes('+') ? decodeURIComponent(s.replace(/\+/g, ' ')) : s;
    return { id: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('The Basic credentials are not valid form-urlencoded text.', true);
  }
}

/**
 * The SHA-256 of each client's secret, made once per cached client record: a client whose secret
 * changes is a new record. Hashing the expected secret on every request was a third of the hashing of
 * a token request. Comparing hashes keeps the check constant-time and hides the secret's length.
 */
const secretHashes = new WeakMap<ClientRecord, string>();
function clientSecretMatches(given: string, client: ClientRecord): boolean {
  if (!client.client_secret) return false;
  let stored = secretHashes.get(client);
  if (stored === undefined) {
    stored = hashTokenValue(client.client_secret);
    secretHashes.set(client, stored);
  }
  return secretMatches(given, stored);
}

/** The client an assertion names (its sub, which must equal its iss), read before it is verified. */
function assertedClientId(assertion: string): string {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw invalidClient('client_assertion is not a JWT (header.payload.signature, base64url).', false);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw invalidClient('The client assertion has no "sub" claim; it must be the client_id.', false);
  }
  return claims.sub;
}

/**
 * RFC 7523 §2.2 / OIDC Core §9: the client proves itself with a JWT it signed (private_key_jwt) or
 * MACed with its secret (client_secret_jwt). Its aud may be the issuer, the token endpoint or the
 * endpoint being called, alone or in an array.
 */
async function authenticateByAssertion(
  request: FastifyRequest,
  params: Params,
  ctx: ClientAuthContext,
): Promise<AuthenticatedClient> {
  if (params.client_secret !== undefined || /^basic /i.test(request.headers.authorization ?? '')) {
    throw invalidRequest(
      'Use one client authentication method: a client assertion or a client secret, not both.',
    );
  }
  if (params.client_assertion_type !== CLIENT_ASSERTION_TYPE) {
    throw invalidClient(
      `client_assertion_type must be ${CLIENT_ASSERTION_TYPE} (got ${params.client_assertion_type === undefined ? 'none' : `"${params.client_assertion_type}"`}).`,
      false,
    );
  }
  const assertion = params.client_assertion;
  if (!assertion) throw invalidClient('client_assertion_type is set but client_assertion is missing.', false);
  const clientId = assertedClientId(assertion);
  if (params.client_id !== undefined && params.client_id !== clientId) {
    throw invalidClient(
      `client_id "${params.client_id}" does not match the client assertion's sub "${clientId}".`,
      false,
    );
  }
  const client = ctx.clients.find(clientId);
  if (!client) throw invalidClient(`Unknown client "${clientId}" (the client assertion's sub).`, false);
  const method = client.token_endpoint_auth_method;
  if (method !== 'private_key_jwt' && method !== 'client_secret_jwt') {
    throw invalidClient(
      `Client "${clientId}" is registered for ${method}, but the request used a client assertion.`,
      false,
    );
  }
  const issuer = ctx.issuer();
  const audiences = [...new Set([issuer, `${issuer}/token`, `${issuer}${request.routeOptions.url}`])];
  try {
    await ctx.clientAssertions.verify(client, assertion, audiences);
  } catch (error) {
    if (error instanceof AssertionRefused) throw invalidClient(error.message, false);
    throw error;
  }
  return { client, usedBasic: false };
}

/**
 * Authenticates the client at the token, introspection and revocation endpoints with exactly one
 * method, which must be the one the client registered: client_secret_basic, client_secret_post,
 * client_secret_jwt, private_key_jwt or none.
 */
export function authenticateClient(
  request: FastifyRequest,
  params: Params,
  ctx: ClientAuthContext,
): AuthenticatedClient | Promise<AuthenticatedClient> {
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    return authenticateByAssertion(request, params, ctx);
  }
  return authenticateWithSecret(request, params, ctx);
}

/** client_secret_basic, client_secret_post and none: answered without waiting (the hot path). */
function authenticateWithSecret(
  request: FastifyRequest,
  params: Params,
  ctx: ClientAuthContext,
): AuthenticatedClient {
  const header = request.headers.authorization;
  const usedBasic = typeof header === 'string' && /^basic /i.test(header);
  let clientId: string;
  let secret: string | undefined;
  let method: 'client_secret_basic' | 'client_secret_post' | 'none';
  if (usedBasic) {
    if (params.client_secret !== undefined) {
      throw invalidRequest(
        'Use one client authentication method: Basic header or client_secret in the body, not both.',
      );
    }
    const basic = decodeBasic(header as string);
    if (params.client_id !== undefined && params.client_id !== basic.id) {
      throw invalidRequest('client_id in the body does not match the Basic credentials.');
    }
    clientId = basic.id;
    secret = basic.secret;
    method = 'client_secret_basic';
  } else if (params.client_secret !== undefined) {
    clientId = params.client_id ?? '';
    secret = params.client_secret;
    method = 'client_secret_post';
  } else {
    clientId = params.client_id ?? '';
    method = 'none';
  }
  if (!clientId)
    throw invalidClient('Client authentication is missing: send client_id (and its secret).', usedBasic);

  const client = ctx.clients.find(clientId);
  if (!client) throw invalidClient(`Unknown client "${clientId}".`, usedBasic);
  if (client.token_endpoint_auth_method !== method) {
    throw invalidClient(
      `Client "${clientId}" is registered for ${client.token_endpoint_auth_method}, but the request used ${method}.`,
      usedBasic,
    );
  }
  if (method !== 'none' && !(secret !== undefined && clientSecretMatches(secret, client))) {
    throw invalidClient(`Wrong client secret for "${clientId}".`, usedBasic);
  }
  return { client, usedBasic };
}
