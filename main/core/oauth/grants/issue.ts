import { seconds } from '../../lib/clock';
import { invalidGrant } from '../../protocol/errors';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { GrantRecord } from '../../store/grants';
import { REUSE_DETECTED } from '../../store/tokens';
import type { UserRecord } from '../../store/users';
import type { IssueRequest, PreparedTokens } from '../../tokens/service';

// What more than one grant needs: one copy here, below the grant modules, so a new grant reuses it
// instead of copying it.

/** Revokes every token of a grant after a replay, then records why; committed even though the request fails. */
export function revokeForReplay(
  ctx: ProviderContext,
  grant: GrantRecord,
  reason: string,
  replayedTokenId: string | null,
): void {
  const at = seconds(ctx.clock);
  ctx.db.transaction(() => {
    ctx.grants.revoke(grant.id, reason, at);
    if (replayedTokenId) ctx.tokens.revoke(replayedTokenId, REUSE_DETECTED, at);
    const revoked = ctx.tokens.revokeWhere('grant_id', grant.id, reason, at);
    ctx.events.record(reason === 'code_reuse' ? 'code.reuse_detected' : 'token.reuse_detected', {
      client_id: grant.client_id,
      username: grant.username,
      token_id: replayedTokenId,
      data: { grant_id: grant.id, revoked: revoked.length },
    });
  })();
}

/**
 * Re-checked inside every issuing transaction. Tokens are signed before it (never inside one), so a
 * logout, revocation or deletion can commit while a request sits between its first checks and its
 * write; without this it would then store active tokens in a revoked grant, or for a user or client
 * that no longer exists. It throws, so the transaction rolls back whatever it had written.
 */
export function assertStillIssuable(
  ctx: ProviderContext,
  grantId: string | null,
  clientId: string,
  userId: string | null,
): void {
  if (grantId !== null) {
    if (!ctx.grants.isLive(grantId)) {
      throw invalidGrant('The grant was revoked (logout or revocation) while the tokens were being issued.');
    }
  }
  if (!ctx.clients.find(clientId))
    throw invalidGrant('The client was deleted while the tokens were being issued.');
  if (userId !== null && !ctx.users.findById(userId)) {
    throw invalidGrant('The user was deleted while the tokens were being issued.');
  }
}

/** One `token.issued` event per token; `more` adds what a grant knows beyond that (token exchange: who acted). */
export function recordIssued(
  ctx: ProviderContext,
  prepared: PreparedTokens,
  grantType: string,
  more: Record<string, unknown> = {},
): void {
  for (const token of prepared.records) {
    ctx.events.record('token.issued', {
      client_id: token.client_id,
      username: token.username,
      token_id: token.id,
      data: {
        kind: token.kind,
        format: token.format,
        grant_type: grantType,
        grant_id: token.grant_id,
        ...more,
      },
    });
  }
}

/**
 * Issues tokens that start a new grant (password, jwt-bearer) or belong to none (client_credentials).
 * `more` goes into their token.issued events.
 */
export async function issueFresh(
  ctx: ProviderContext,
  client: ClientRecord,
  user: UserRecord | null,
  scope: string,
  resources: string[],
  grantType: string,
  extra: Partial<IssueRequest>,
  more: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const at = seconds(ctx.clock);
  // A user's tokens belong to a grant, stored with them in one transaction once they are signed (it
  // links refresh chains and ends with a logout or revocation). A client_credentials token is its own
  // whole story: no family, no session, so no grant row.
  const grant = user ? ctx.grants.buildDirect(client, user, scope, at) : null;
  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    scope,
    audience: resources.length ? resources : defaultAudience(client),
    withRefresh: false,
    withIdToken: false,
    grantType,
    ...extra,
  });
  await ctx.writes.run(() => {
    if (grant) ctx.grants.insert(grant);
    assertStillIssuable(ctx, grant?.id ?? null, client.client_id, user?.id ?? null);
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, grantType, more);
  });
  return prepared.response;
}
