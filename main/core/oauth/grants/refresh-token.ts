import { seconds } from '../../lib/clock';
import { boundJkt } from '../../protocol/dpop';
import { invalidGrant, invalidScope, invalidTarget } from '../../protocol/errors';
import { readRepeated, required } from '../../protocol/params';
import { parseResource } from '../../protocol/policy';
import { splitScope } from '../../tokens/claims';
import { assertStillIssuable, recordIssued, revokeForReplay } from './issue';
import type { GrantHandler } from './types';

const TOKEN_REUSED = 'The refresh token was already used; the whole token family is now revoked.';

/** RFC 6749 §6 with rotation: every refresh replaces the token, and a second use revokes the family. */
export const refreshToken: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const resolved = ctx.tokenService.resolveRefreshToken(required(params, 'refresh_token'));
  if (!resolved || resolved.record.client_id !== client.client_id) {
    throw invalidGrant('The refresh token is unknown or was issued to another client.');
  }
  const token = resolved.record;
  const grant = token.grant_id ? ctx.grants.find(token.grant_id) : undefined;
  if (!grant) throw invalidGrant('The refresh token is no longer valid.');
  if (token.rotated_at !== null) {
    revokeForReplay(ctx, grant, 'refresh_token_reuse', token.id);
    throw invalidGrant(TOKEN_REUSED);
  }
  if (token.revoked_at !== null || grant.revoked_at !== null)
    throw invalidGrant('The refresh token has been revoked.');
  if (token.expires_at <= seconds(ctx.clock)) throw invalidGrant('The refresh token has expired.');
  // RFC 9449 §5: a public client's DPoP-bound refresh token is refreshed only with a proof of its key.
  const jkt = boundJkt(token.claims);
  if (jkt !== null && dpop?.jkt !== jkt) {
    throw invalidGrant(
      dpop
        ? `The refresh token is bound to the DPoP key with thumbprint ${jkt}; this proof is signed by another key (${dpop.jkt}).`
        : `The refresh token is DPoP-bound (key thumbprint ${jkt}): send a DPoP proof signed by that key.`,
    );
  }

  const granted = splitScope(grant.scope);
  let scope = token.scope;
  if (params.scope !== undefined) {
    const requested = splitScope(params.scope);
    const wider = requested.filter((s) => !granted.includes(s));
    if (wider.length)
      throw invalidScope(`Scope ${wider.map((s) => `"${s}"`).join(', ')} was not originally granted.`);
    scope = [...new Set(requested)].join(' ');
  }
  const resources = parseResource(readRepeated(params, 'resource'));
  if (resources.some((r) => !token.audience.includes(r))) {
    throw invalidTarget('A refresh can only narrow the audience to resources of the original grant.');
  }
  const user = grant.user_id ? ctx.users.findById(grant.user_id) : null;
  if (grant.user_id && !user) throw invalidGrant('The user of this grant no longer exists.');
  const previous = token.claims as {
    auth_time?: number;
    sid?: string;
    amr?: string[];
    act?: Record<string, unknown>;
  };

  const prepared = await ctx.tokenService.prepare({
    client,
    user: user ?? null,
    grant,
    scope,
    audience: resources.length ? resources : token.audience,
    parentId: token.id,
    authTime: previous.auth_time ?? grant.auth_time,
    sid: previous.sid ?? grant.session_id,
    amr: previous.amr ?? null,
    // A refresh token from a token exchange keeps its actor: refreshing must not drop who acts.
    act: previous.act ?? null,
    dpopJkt: dpop?.jkt ?? null,
    withRefresh: true,
    withIdToken: Boolean(user) && splitScope(scope).includes('openid'),
    grantType: 'refresh_token',
  });
  const won = await ctx.writes.run(() => {
    if (!ctx.tokens.markRotated(token.id, seconds(ctx.clock))) {
      // Refused because another request rotated it first (reuse, below), or because a revocation
      // committed while the new tokens were being signed: that is no reuse, nobody presented the
      // token twice, so it is answered as revoked without a reuse_detected event.
      const current = ctx.tokens.findById(token.id);
      if (!current || current.rotated_at === null) throw invalidGrant('The refresh token has been revoked.');
      return false;
    }
    assertStillIssuable(ctx, grant.id, client.client_id, user?.id ?? null);
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, 'refresh_token');
    ctx.events.record('token.refreshed', {
      client_id: client.client_id,
      username: token.username,
      token_id: token.id,
      data: { grant_id: grant.id, replaced_by: prepared.refresh?.id ?? null },
    });
    return true;
  });
  if (!won) {
    // Another request rotated this token first: a second use of one refresh token is reuse.
    revokeForReplay(ctx, grant, 'refresh_token_reuse', token.id);
    throw invalidGrant(TOKEN_REUSED);
  }
  return prepared.response;
};
