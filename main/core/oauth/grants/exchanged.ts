import { seconds } from '../../lib/clock';
import { invalidRequest, invalidScope } from '../../protocol/errors';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import { type TokenRecord, tokenState } from '../../store/tokens';
import { splitScope } from '../../tokens/claims';
import type { IssueRequest, PreparedTokens } from '../../tokens/service';
import { assertStillIssuable, recordIssued } from './issue';

// How a token exchanged from another one is made (RFC 8693): one copy, shared by the token-exchange
// grant and the Lab's Mint ("exchanged from"), so a minted exchange is exactly what the grant issues.

/** A subject or actor token, found among the tokens this provider issued, with its claims. */
export interface Presented {
  record: TokenRecord;
  claims: Record<string, unknown>;
}

/** What an exchange may issue: access (either format, or `jwt` for a JWT access token), ID or refresh. */
export type ExchangedKind = 'access_token' | 'jwt' | 'id_token' | 'refresh_token';

/** Who acts, as the `act` claim names it (RFC 8693 §4.1); the client is optional there. */
export interface ActingParty {
  sub: string;
  client_id?: string;
}

const NOT_ACTIVE: Record<string, string> = {
  expired: 'it has expired',
  revoked: 'it was revoked',
  rotated: 'it was already used (a refresh token is replaced by its refresh)',
  reuse_detected: 'it was revoked after a replay',
};

/** RFC 8693 §2.2.2: only an active token is exchanged; says why another is not. */
export function assertExchangeable(ctx: ProviderContext, role: string, record: TokenRecord): void {
  const state = tokenState(record, seconds(ctx.clock));
  if (state !== 'active') throw invalidRequest(`${role} cannot be exchanged: ${NOT_ACTIVE[state]}.`);
}

/** A refresh token is a credential of the client it was issued to (RFC 6749 §6), never another's. */
export function assertOwnRefreshToken(subject: TokenRecord, client: ClientRecord): void {
  if (subject.kind === 'refresh' && subject.client_id !== client.client_id) {
    throw invalidRequest(
      `subject_token is a refresh token of client "${subject.client_id}"; only that client may exchange it.`,
    );
  }
}

/** The actor token proves who acts; the client presenting it must be that actor (its own token). */
export function assertOwnActorToken(actor: TokenRecord, client: ClientRecord): void {
  if (actor.client_id !== client.client_id) {
    throw invalidRequest(
      `actor_token was issued to client "${actor.client_id}", not to "${client.client_id}": a client acts only with its own token.`,
    );
  }
}

/** The `act` the subject token already carries, if any. */
export function priorAct(subject: Presented): Record<string, unknown> | null {
  const prior = subject.claims.act;
  return typeof prior === 'object' && prior !== null ? (prior as Record<string, unknown>) : null;
}

/** Delegation: `act` names the new actor and nests the subject's own `act`, so a chain is never lost. */
export function delegatedAct(party: ActingParty, subject: Presented): Record<string, unknown> {
  const prior = priorAct(subject);
  return { ...party, ...(prior ? { act: prior } : {}) };
}

/** The requested scope, which may only narrow the subject token's; the subject's own when none. */
export function exchangedScope(requested: string | undefined, subject: Presented): string {
  if (requested === undefined) return subject.record.scope;
  const available = splitScope(subject.record.scope);
  const scopes = [...new Set(splitScope(requested))];
  const wider = scopes.filter((s) => !available.includes(s));
  if (wider.length) {
    throw invalidScope(
      `Scope ${wider.map((s) => `"${s}"`).join(', ')} is not in the subject token's scope ("${subject.record.scope}"); an exchange can only narrow it.`,
    );
  }
  return scopes.join(' ');
}

export interface Exchange {
  /** The client the new token is issued to. */
  client: ClientRecord;
  subject: Presented;
  /** Delegation's actor (for the event); null when the client impersonates. */
  actor: (ActingParty & { token_id: string | null }) | null;
  act: Record<string, unknown> | null;
  requested: ExchangedKind;
  scope: string;
  audience: string[];
  /** RFC 9449: the thumbprint the access token is bound to (`cnf.jkt`), if any. */
  dpopJkt: string | null;
  /** The grant type stored with the token and in its event: the token-exchange URN, or "mint". */
  grantType: string;
  /** Mint's own choices (format, lifetime, extra claims). */
  overrides?: IssueRequest['overrides'];
}

/** What a requested token type needs of the subject and the client, checked before anything is signed. */
function checkRequestedType(
  { client, requested }: Exchange,
  user: IssueRequest['user'],
  grant: IssueRequest['grant'],
): void {
  if (requested === 'id_token' && !user) {
    throw invalidRequest(
      'An ID token is about a user; the subject_token has none (a client_credentials token).',
    );
  }
  if (requested === 'refresh_token') {
    if (!client.grant_types.includes('refresh_token')) {
      throw invalidRequest(
        `Client "${client.client_id}" may not receive refresh tokens: it does not have the refresh_token grant.`,
      );
    }
    if (!grant) throw invalidRequest("A refresh token continues a user's grant; the subject_token has none.");
  }
}

/**
 * Issues the exchanged token. It belongs to the subject token's grant and is its child (parent_id), so
 * revoking the subject's family (logout, tokens.revokeGrant, tokens.revokeUser) revokes it too.
 */
export async function issueExchanged(ctx: ProviderContext, exchange: Exchange): Promise<PreparedTokens> {
  const { client, subject, requested, act, actor } = exchange;
  const { record } = subject;
  const user = record.user_id ? (ctx.users.findById(record.user_id) ?? null) : null;
  if (record.user_id && !user) throw invalidRequest("The subject_token's user no longer exists.");
  const grant = record.grant_id ? (ctx.grants.find(record.grant_id) ?? null) : null;
  if (record.grant_id && !grant) throw invalidRequest("The subject_token's grant no longer exists.");
  checkRequestedType(exchange, user, grant);

  const authTime = subject.claims.auth_time;
  const overrides =
    requested === 'jwt' ? { ...exchange.overrides, accessFormat: 'jwt' as const } : exchange.overrides;
  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    subject: record.subject,
    scope: exchange.scope,
    audience: exchange.audience,
    parentId: record.id,
    act,
    dpopJkt: exchange.dpopJkt,
    authTime: typeof authTime === 'number' ? authTime : (grant?.auth_time ?? null),
    withAccess: requested === 'access_token' || requested === 'jwt',
    withIdToken: requested === 'id_token',
    withRefresh: requested === 'refresh_token',
    overrides,
    grantType: exchange.grantType,
  });
  await ctx.writes.run(() => {
    assertStillIssuable(ctx, grant?.id ?? null, client.client_id, user?.id ?? null);
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, exchange.grantType, {
      subject_token_id: record.id,
      // Who acted for whom: the actor (null when the client impersonates) for the subject.
      actor,
      subject: record.subject,
      ...(act ? { act } : {}),
    });
  });
  return prepared;
}
