import { decodeJwt } from 'jose';
import { TOKEN_EXCHANGE_GRANT, type TokenExchangePolicy } from '../../../../shared/schemas';
import { invalidRequest, invalidTarget } from '../../protocol/errors';
import { type Params, readRepeated, required } from '../../protocol/params';
import { defaultAudience, parseResource } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { TokenRecord } from '../../store/tokens';
import type { PreparedTokens } from '../../tokens/service';
import {
  assertExchangeable,
  assertOwnActorToken,
  assertOwnRefreshToken,
  delegatedAct,
  type Exchange,
  exchangedScope,
  issueExchanged,
  type Presented,
  priorAct,
} from './exchanged';
import type { GrantHandler } from './types';

/** RFC 8693 §3: the token type identifiers this provider understands. */
const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  refresh_token: 'urn:ietf:params:oauth:token-type:refresh_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;
type TokenTypeName = keyof typeof TOKEN_TYPES;

/** A client without a stated policy gets these: no extra audiences, no impersonation, no refresh subjects. */
const DEFAULT_POLICY: TokenExchangePolicy = {
  allowed_audiences: [],
  may_impersonate: false,
  allow_refresh_token_subject: false,
};

function tokenTypeName(params: Params, name: string, allowed: readonly TokenTypeName[]): TokenTypeName {
  const value = required(params, name);
  const found = allowed.find((type) => TOKEN_TYPES[type] === value);
  if (!found) {
    throw invalidRequest(
      `${name} "${value}" is not supported here; use one of ${allowed.map((t) => TOKEN_TYPES[t]).join(', ')}.`,
    );
  }
  return found;
}

const KIND_NAMES: Record<TokenRecord['kind'], string> = {
  access: 'an access token',
  refresh: 'a refresh token',
  id: 'an ID token',
};

/** The kinds of stored token each type may be (a `jwt` is an access token in JWT format or an ID token). */
const KINDS_OF_TYPE: Record<TokenTypeName, readonly TokenRecord['kind'][]> = {
  access_token: ['access'],
  refresh_token: ['refresh'],
  id_token: ['id'],
  jwt: ['access', 'id'],
};

/** The stored row of a value, whatever its kind or state (to say why it was refused). */
function storedRecordOf(ctx: ProviderContext, value: string): TokenRecord | undefined {
  if (value.split('.').length === 3) {
    try {
      const record = ctx.tokens.findById(String(decodeJwt(value).jti));
      return record?.jwt === value ? record : undefined;
    } catch {
      return undefined;
    }
  }
  return ctx.tokens.findByValue(value);
}

/** Finds a presented token of the stated type; RFC 8693 §2.2.2 answers a bad one with invalid_request. */
async function resolvePresented(
  ctx: ProviderContext,
  role: 'subject_token' | 'actor_token',
  value: string,
  type: TokenTypeName,
): Promise<Presented> {
  const service = ctx.tokenService;
  let resolved: Presented | null;
  if (type === 'access_token') resolved = await service.resolveAccessToken(value);
  else if (type === 'id_token') resolved = await service.resolveIdToken(value);
  else if (type === 'refresh_token') resolved = service.resolveRefreshToken(value);
  // A JWT this provider issued is either an access token in JWT format or an ID token.
  else if (value.split('.').length !== 3) resolved = null;
  else resolved = (await service.resolveAccessToken(value)) ?? (await service.resolveIdToken(value));
  const record = resolved?.record ?? storedRecordOf(ctx, value);
  if (!record) {
    throw invalidRequest(
      `${role} is not a token this provider issued (unknown, forged, of another issuer, or signed by a key it does not publish).`,
    );
  }
  assertExchangeable(ctx, role, record);
  if (!resolved) {
    if (record.format === 'jwt' && KINDS_OF_TYPE[type].includes(record.kind))
      noLongerVerifies(ctx, role, value);
    throw invalidRequest(`${role} is ${KIND_NAMES[record.kind]}, not of the type ${TOKEN_TYPES[type]}.`);
  }
  return resolved;
}

/**
 * A stored, active JWT of the right kind that fails verification all the same. A retired key's tokens
 * are revoked with it, so what is left is an issuer whose URL changed since (a renamed issuer).
 */
function noLongerVerifies(ctx: ProviderContext, role: string, value: string): never {
  const { iss } = decodeJwt(value);
  if (iss !== ctx.issuer()) {
    throw invalidRequest(
      `${role} was issued under this issuer's earlier URL "${String(iss)}"; it is now "${ctx.issuer()}" (the issuer was renamed or moved). Get a new token.`,
    );
  }
  throw invalidRequest(`${role} no longer verifies with the keys this issuer publishes. Get a new token.`);
}

/** The subject token, and the policy checks that depend on it alone. */
async function subjectOf(
  ctx: ProviderContext,
  client: ClientRecord,
  params: Params,
  policy: TokenExchangePolicy,
): Promise<Presented> {
  const value = required(params, 'subject_token');
  const type = tokenTypeName(params, 'subject_token_type', [
    'access_token',
    'jwt',
    'id_token',
    'refresh_token',
  ]);
  if (type === 'refresh_token' && !policy.allow_refresh_token_subject) {
    throw invalidRequest(
      `Client "${client.client_id}" may not exchange refresh tokens (token_exchange.allow_refresh_token_subject).`,
    );
  }
  const subject = await resolvePresented(ctx, 'subject_token', value, type);
  assertOwnRefreshToken(subject.record, client);
  return subject;
}

/** RFC 8693 §4.4 may_act: when the subject token names who may act for it, that party must be the one. */
function checkMayAct(subject: Presented, party: { sub: string; client_id: string }, who: string): void {
  const mayAct = subject.claims.may_act;
  if (mayAct === undefined) return;
  const allowed = typeof mayAct === 'object' && mayAct !== null ? (mayAct as Record<string, unknown>) : null;
  const matches =
    allowed !== null &&
    (allowed.sub === undefined || allowed.sub === party.sub) &&
    (allowed.client_id === undefined || allowed.client_id === party.client_id);
  if (!matches) {
    throw invalidRequest(
      `subject_token's may_act (${JSON.stringify(mayAct)}) does not allow ${who} (sub "${party.sub}", client_id "${party.client_id}") to act for its subject.`,
    );
  }
}

/**
 * Delegation (an actor_token) gives the new token an `act` naming the actor, nesting the subject
 * token's own `act` (RFC 8693 §4.1). Impersonation (none) needs the client's policy and keeps an
 * `act` the subject token already had, so a chain of actors is never washed out.
 */
async function actorClaim(
  ctx: ProviderContext,
  client: ClientRecord,
  params: Params,
  policy: TokenExchangePolicy,
  subject: Presented,
): Promise<Pick<Exchange, 'act' | 'actor'>> {
  const value = params.actor_token;
  if (value === undefined || value === '') {
    if (params.actor_token_type !== undefined) {
      throw invalidRequest('actor_token_type was sent without an actor_token.');
    }
    if (!policy.may_impersonate) {
      throw invalidRequest(
        `An actor_token is required: client "${client.client_id}" may not impersonate (token_exchange.may_impersonate).`,
      );
    }
    checkMayAct(subject, { sub: client.client_id, client_id: client.client_id }, 'the client');
    return { act: priorAct(subject), actor: null };
  }
  const type = tokenTypeName(params, 'actor_token_type', ['access_token', 'jwt', 'id_token']);
  const actor = (await resolvePresented(ctx, 'actor_token', value, type)).record;
  assertOwnActorToken(actor, client);
  const party = { sub: actor.subject, client_id: actor.client_id };
  checkMayAct(subject, party, 'the actor');
  return { act: delegatedAct(party, subject), actor: { ...party, token_id: actor.id } };
}

/** `audience` and `resource` (RFC 8693 §2.1), each allowed by the client's policy; else its own audience. */
function exchangedAudience(params: Params, client: ClientRecord, policy: TokenExchangePolicy): string[] {
  const targets = [
    ...new Set([...readRepeated(params, 'audience'), ...parseResource(readRepeated(params, 'resource'))]),
  ];
  const own = defaultAudience(client);
  if (targets.length === 0) return own;
  const allowed = new Set([...own, ...policy.allowed_audiences]);
  const refused = targets.filter((t) => !allowed.has(t));
  if (refused.length) {
    throw invalidTarget(
      `Client "${client.client_id}" may not exchange a token for ${refused.map((t) => `"${t}"`).join(', ')}: allowed are ${[...allowed].map((t) => `"${t}"`).join(', ')} (its audience and token_exchange.allowed_audiences).`,
    );
  }
  return targets;
}

/** RFC 8693 §2.2.1: the issued token is in access_token whatever its type; N_A when it is no access token. */
function exchangeResponse(prepared: PreparedTokens, requested: TokenTypeName): Record<string, unknown> {
  const token = prepared.access ?? prepared.idToken ?? prepared.refresh;
  if (!token) throw new Error('A token exchange prepared no token');
  const isAccess = token.kind === 'access';
  return {
    access_token: prepared.values.get(token.id),
    issued_token_type: TOKEN_TYPES[requested],
    // The access token's own type: DPoP when the request carried a proof (RFC 9449 §5).
    token_type: isAccess ? prepared.response.token_type : 'N_A',
    expires_in: token.expires_at - token.issued_at,
    scope: token.scope,
  };
}

/**
 * RFC 8693 token exchange. The new token belongs to the subject token's grant and is its child
 * (parent_id), so revoking the subject's family (logout, tokens.revokeGrant, tokens.revokeUser)
 * revokes what was exchanged from it.
 */
export const tokenExchange: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const policy = client.token_exchange ?? DEFAULT_POLICY;
  const subject = await subjectOf(ctx, client, params, policy);
  const { act, actor } = await actorClaim(ctx, client, params, policy, subject);
  const requested =
    params.requested_token_type === undefined
      ? 'access_token'
      : tokenTypeName(params, 'requested_token_type', ['access_token', 'jwt', 'id_token', 'refresh_token']);
  const prepared = await issueExchanged(ctx, {
    client,
    subject,
    actor,
    act,
    requested,
    scope: exchangedScope(params.scope, subject),
    audience: exchangedAudience(params, client, policy),
    dpopJkt: dpop?.jkt ?? null,
    grantType: TOKEN_EXCHANGE_GRANT,
  });
  return exchangeResponse(prepared, requested);
};
