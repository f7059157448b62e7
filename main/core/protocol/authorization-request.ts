import type { ClientRecord, ClientStore } from '../store/clients';
import { splitScope } from '../tokens/claims';
import { invalidRequest, OAuthError, unauthorizedClient, unsupportedResponseType } from './errors';
import { checkParameterSizes } from './parameter-limits';
import type { Params } from './params';
import { readRepeated } from './params';
import { checkResources, grantedScope, parseResource } from './policy';
import { matchRedirectUri, redirectMismatchMessage } from './redirect-uri';

export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  responseMode: 'query';
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  prompt: Set<string>;
  maxAge: number | null;
  loginHint: string | null;
  resources: string[];
}

/** Shown as a page, never redirected: the client or redirect URI cannot be trusted. */
export class UntrustedRedirectError extends Error {}

export function resolveClientAndRedirect(
  clients: ClientStore,
  params: Params,
): { client: ClientRecord; redirectUri: string } {
  const clientId = params.client_id;
  if (!clientId) throw new UntrustedRedirectError('The request has no client_id.');
  const client = clients.find(clientId);
  if (!client)
    throw new UntrustedRedirectError(
      `Unknown client "${clientId}". Register it first (Clients page or admin API).`,
    );
  const requested = params.redirect_uri;
  if (!requested) {
    // OIDC requires redirect_uri; plain OAuth may omit it when exactly one is registered.
    if (client.redirect_uris.length === 1 && !splitScope(params.scope).includes('openid')) {
      return { client, redirectUri: client.redirect_uris[0] as string };
    }
    throw new UntrustedRedirectError('The request has no redirect_uri.');
  }
  if (!matchRedirectUri(client, requested)) {
    throw new UntrustedRedirectError(redirectMismatchMessage(client, requested));
  }
  return { client, redirectUri: requested };
}

export function validateRequest(
  params: Params,
  client: ClientRecord,
  redirectUri: string,
): AuthorizationRequest {
  checkParameterSizes(params);
  if (params.request !== undefined || params.request_uri !== undefined) {
    throw new OAuthError(400, 'request_not_supported', 'Request objects are not supported.');
  }
  const responseType = params.response_type;
  if (!responseType) throw invalidRequest('The "response_type" parameter is missing.');
  if (responseType !== 'code') throw unsupportedResponseType('Only response_type=code is supported.');
  if (params.response_mode !== undefined && params.response_mode !== 'query') {
    throw invalidRequest('Only response_mode=query is supported.');
  }
  if (!client.grant_types.includes('authorization_code')) {
    throw unauthorizedClient(`Client "${client.client_id}" is not allowed the authorization_code grant.`);
  }
  const scope = grantedScope(client, params.scope);

  const method = params.code_challenge_method;
  const challenge = params.code_challenge;
  if (method !== undefined && method !== 'S256') {
    throw invalidRequest(`code_challenge_method "${method}" is not supported; use S256.`);
  }
  if (challenge === undefined && method !== undefined)
    throw invalidRequest('code_challenge_method without code_challenge.');
  if (challenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) {
    throw invalidRequest('code_challenge must be 43-128 characters of [A-Z a-z 0-9 - . _ ~].');
  }
  if (client.token_endpoint_auth_method === 'none' && challenge === undefined) {
    throw invalidRequest('Public clients must use PKCE: send code_challenge and code_challenge_method=S256.');
  }

  const prompt = new Set(splitScope(params.prompt));
  for (const value of prompt) {
    if (!['none', 'login', 'consent', 'select_account'].includes(value)) {
      throw invalidRequest(`prompt "${value}" is not supported.`);
    }
  }
  if (prompt.has('none') && prompt.size > 1)
    throw invalidRequest('prompt=none cannot be combined with other values.');

  let maxAge: number | null = null;
  if (params.max_age !== undefined) {
    if (!/^\d{1,10}$/.test(params.max_age))
      throw invalidRequest('max_age must be a non-negative whole number of seconds.');
    maxAge = Number(params.max_age);
  }
  const resources = parseResource(readRepeated(params, 'resource'));
  checkResources(client, resources);

  return {
    client,
    redirectUri,
    responseMode: 'query',
    scope,
    state: params.state ?? null,
    nonce: params.nonce ?? null,
    codeChallenge: challenge ?? null,
    codeChallengeMethod: challenge ? 'S256' : null,
    prompt,
    maxAge,
    loginHint: params.login_hint ?? null,
    resources,
  };
}
