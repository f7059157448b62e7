import type { PlaygroundFlow, PlaygroundInput, PlaygroundScenario } from '../../../../../shared/contract';
import {
  type Client,
  DEVICE_CODE_GRANT,
  type GrantType,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
  type TrustedIssuer,
} from '../../../../../shared/schemas';

export type Flow = PlaygroundFlow;
export type ExchangeMode = NonNullable<PlaygroundInput['exchange_mode']>;

interface FlowMeta {
  label: string;
  /** The client must have one of these grants (null: any client). */
  grants: GrantType[] | null;
  /** Who signs in or approves: required, optional (none: a token of the client itself), or not asked. */
  user: 'required' | 'optional' | null;
  token: string | null;
  scope: boolean;
  summary: string;
}

/** Every flow of the contract: a flow added there and not offered here does not compile. */
export const FLOWS: Record<Flow, FlowMeta> = {
  authorization_code: {
    label: 'Authorization code + PKCE',
    grants: ['authorization_code'],
    user: 'required',
    token: null,
    scope: true,
    summary:
      'A user signs in through the browser; the client gets a one-time code and redeems it, proving with PKCE that it started the request.',
  },
  refresh_token: {
    label: 'Refresh',
    grants: ['refresh_token'],
    user: null,
    token: 'Refresh token',
    scope: false,
    summary: 'The client trades its refresh token for fresh tokens; the refresh token is rotated.',
  },
  client_credentials: {
    label: 'Client credentials',
    grants: ['client_credentials'],
    user: null,
    token: null,
    scope: true,
    summary: 'A service gets a token for itself, no user involved; an API then introspects it.',
  },
  revocation: {
    label: 'Revocation',
    grants: null,
    user: null,
    token: 'Token to revoke',
    scope: false,
    summary: 'The client tells the provider it is done with a token; introspection then says inactive.',
  },
  token_exchange: {
    label: 'Token exchange',
    grants: ['password', 'authorization_code', 'client_credentials'],
    user: 'optional',
    token: null,
    scope: true,
    summary:
      'RFC 8693: the client gets a token (for the user, or for itself); a second client exchanges it, with its own token as actor (delegation: act) or without (impersonation), then introspects the result.',
  },
  device_code: {
    label: 'Device',
    grants: [DEVICE_CODE_GRANT],
    user: 'required',
    token: null,
    scope: true,
    summary:
      'RFC 8628: a device without a browser gets a user code, polls too early (authorization_pending), the user approves, the next poll gets the tokens.',
  },
  dpop: {
    label: 'DPoP',
    grants: ['password', 'authorization_code'],
    user: 'required',
    token: null,
    scope: true,
    summary:
      'RFC 9449: the client makes a key pair, gets a token bound to it (token_type DPoP, cnf.jkt), calls userinfo with a proof, then without one and is refused.',
  },
  jwt_bearer: {
    label: 'JWT bearer',
    grants: [JWT_BEARER_GRANT],
    user: 'required',
    token: null,
    scope: true,
    summary:
      'RFC 7523: an issuer the client trusts signs an assertion about the user; the client trades it for an access token (no refresh token), an API introspects it, and the same assertion sent again is refused as a replay.',
  },
};

/** The built-in mistakes of the authorization code flow, each with the spec section that forbids it. */
export const SCENARIOS: Record<PlaygroundScenario, string> = {
  wrong_verifier: 'Wrong code_verifier (RFC 7636 §4.6)',
  reused_code: 'Code redeemed twice (RFC 6749 §4.1.2, §10.5)',
  expired_code: 'Expired code (RFC 6749 §4.1.2, §5.2)',
};

/**
 * Parameters typed as name=value, one a line; an empty value removes that parameter from the request.
 * Null when a line has no name.
 */
export function parseParams(text: string): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    if (at < 0 || !name) return null;
    params[name] = line.slice(at + 1).trim();
  }
  return params;
}

/** Clients that may run a flow (revocation: any client, for its own tokens). */
export function clientsFor(flow: Flow, clients: Client[]): Client[] {
  const grants = FLOWS[flow].grants;
  return grants ? clients.filter((c) => grants.some((g) => c.grant_types.includes(g))) : clients;
}

/** Clients that may exchange a token: the second client of a token exchange. */
export function exchangingClients(clients: Client[]): Client[] {
  return clients.filter((c) => c.grant_types.includes(TOKEN_EXCHANGE_GRANT));
}

export const EXCHANGE_MODES: Record<ExchangeMode, string> = {
  delegation: 'Delegation (actor token → act)',
  impersonation: 'Impersonation (no actor token)',
};

/** The assertion issuers a client trusts (jwt_bearer.trusted_issuers), the first being the default. */
export const trustedIssuers = (client: Client | undefined): TrustedIssuer[] =>
  client?.jwt_bearer?.trusted_issuers ?? [];

/** A private_key_jwt client signs its assertions with a key only the user has: they paste it for the run. */
export const needsPrivateKey = (client: Client | undefined): boolean =>
  client?.token_endpoint_auth_method === 'private_key_jwt';

/** What the form holds, with a choice already made for every select that has options. */
export interface FlowForm {
  flow: Flow;
  client: Client | undefined;
  user: string | null;
  scope: string;
  token: string;
  actor: Client | undefined;
  mode: ExchangeMode;
  clientKey: string;
  actorKey: string;
  /** jwt_bearer: the trusted issuer whose assertion is signed, and its pasted private key. */
  issuer: string | null;
  issuerKey: string;
  /** authorization_code: a deliberate mistake (none: a normal run). */
  scenario?: PlaygroundScenario | null;
  /** authorization_code: override parameters of /authorize and of the token request, name=value lines. */
  authorizeParams?: string;
  tokenParams?: string;
}

/** The second client's own key is asked for only when it is another private_key_jwt client. */
export const actorNeedsKey = (form: FlowForm): boolean =>
  form.flow === 'token_exchange' &&
  form.actor?.client_id !== form.client?.client_id &&
  needsPrivateKey(form.actor);

/** What is still to be chosen or pasted before the flow can run, or null. */
export function missingInput(form: FlowForm): string | null {
  const meta = FLOWS[form.flow];
  if (!form.client) return 'a client';
  if (meta.user === 'required' && !form.user) return 'a user';
  if (meta.token && !form.token.trim()) return 'a token';
  if (form.flow === 'token_exchange' && !form.actor) return 'a second client (allowed token exchange)';
  if (needsPrivateKey(form.client) && !form.clientKey.trim())
    return `the private key of ${form.client.client_id}`;
  if (actorNeedsKey(form) && !form.actorKey.trim()) return `the private key of ${form.actor?.client_id}`;
  if (form.flow === 'jwt_bearer' && !form.issuer) return 'a trusted issuer';
  if (form.flow === 'jwt_bearer' && !form.issuerKey.trim()) return `the private key of issuer ${form.issuer}`;
  if (form.flow === 'authorization_code') {
    for (const text of [form.authorizeParams ?? '', form.tokenParams ?? '']) {
      if (!parseParams(text)) return 'parameters as name=value, one a line,';
    }
  }
  return null;
}

/** The playground.run input of a complete form (see missingInput). */
export function flowInput(form: FlowForm): PlaygroundInput {
  const meta = FLOWS[form.flow];
  const exchange = form.flow === 'token_exchange';
  return {
    flow: form.flow,
    client_id: form.client?.client_id ?? '',
    ...(meta.user && form.user ? { username: form.user } : {}),
    ...(meta.scope && form.scope.trim() ? { scope: form.scope.trim() } : {}),
    ...(meta.token ? { token: form.token.trim() } : {}),
    ...(exchange && form.actor ? { actor_client_id: form.actor.client_id, exchange_mode: form.mode } : {}),
    ...(needsPrivateKey(form.client) ? { client_private_jwk: form.clientKey.trim() } : {}),
    ...(actorNeedsKey(form) ? { actor_private_jwk: form.actorKey.trim() } : {}),
    ...(form.flow === 'jwt_bearer' && form.issuer
      ? { assertion_issuer: form.issuer, assertion_private_jwk: form.issuerKey.trim() }
      : {}),
    ...(form.flow === 'authorization_code' ? codeFlowExtras(form) : {}),
  };
}

/** The scenario and override parameters of an authorization code run, where the form has any. */
function codeFlowExtras(form: FlowForm): Partial<PlaygroundInput> {
  const authorize = parseParams(form.authorizeParams ?? '') ?? {};
  const token = parseParams(form.tokenParams ?? '') ?? {};
  return {
    ...(form.scenario ? { scenario: form.scenario } : {}),
    ...(Object.keys(authorize).length ? { authorize_params: authorize } : {}),
    ...(Object.keys(token).length ? { token_params: token } : {}),
  };
}
