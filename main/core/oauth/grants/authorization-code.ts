import { createHash } from 'node:crypto';
import { seconds } from '../../lib/clock';
import { safeEqual } from '../../lib/secrets';
import { invalidGrant } from '../../protocol/errors';
import { required } from '../../protocol/params';
import { defaultAudience } from '../../protocol/policy';
import { splitScope } from '../../tokens/claims';
import { assertStillIssuable, recordIssued, revokeForReplay } from './issue';
import type { GrantHandler } from './types';

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
function pkceMatches(verifier: string, challenge: string): boolean {
  return safeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}

const CODE_REUSED = 'The authorization code was already used; the tokens it produced are now revoked.';

/** RFC 6749 §4.1.3 with PKCE (RFC 7636); a replayed code revokes what it produced. */
export const authorizationCode: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const code = ctx.codes.find(required(params, 'code'));
  if (!code || code.client_id !== client.client_id)
    throw invalidGrant('The authorization code is unknown or was issued to another client.');
  const grant = ctx.grants.find(code.grant_id);
  if (!grant) throw invalidGrant('The authorization code is no longer valid.');
  if (code.used_at !== null) {
    revokeForReplay(ctx, grant, 'code_reuse', null);
    throw invalidGrant(CODE_REUSED);
  }
  // A logout or revocation ends the authorization, and with it any code not yet redeemed.
  if (grant.revoked_at !== null)
    throw invalidGrant('The authorization was ended before the code was redeemed.');
  if (code.expires_at <= seconds(ctx.clock)) throw invalidGrant('The authorization code has expired.');
  if (required(params, 'redirect_uri') !== code.redirect_uri) {
    throw invalidGrant('redirect_uri does not match the one in the authorization request.');
  }
  const verifier = params.code_verifier;
  if (code.code_challenge) {
    if (!verifier) throw invalidGrant('code_verifier is required: the authorization request used PKCE.');
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw invalidGrant('code_verifier is malformed.');
    if (!pkceMatches(verifier, code.code_challenge))
      throw invalidGrant('code_verifier does not match the code_challenge.');
  } else if (verifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
    throw invalidGrant('code_verifier was sent but the authorization request had no code_challenge.');
  }
  const user = grant.user_id ? ctx.users.findById(grant.user_id) : undefined;
  if (!user) throw invalidGrant('The user of this authorization no longer exists.');

  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    scope: code.scope,
    audience: code.resources.length ? code.resources : defaultAudience(client),
    nonce: code.nonce,
    authTime: grant.auth_time,
    sid: grant.session_id,
    amr: code.amr.length ? code.amr : null,
    dpopJkt: dpop?.jkt ?? null,
    withRefresh: client.grant_types.includes('refresh_token'),
    withIdToken: splitScope(code.scope).includes('openid'),
    grantType: 'authorization_code',
  });
  const won = await ctx.writes.run(() => {
    assertStillIssuable(ctx, grant.id, client.client_id, user.id);
    if (!ctx.codes.markUsed(code.code_hash, seconds(ctx.clock))) return false;
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, 'authorization_code');
    return true;
  });
  if (!won) {
    revokeForReplay(ctx, grant, 'code_reuse', null);
    throw invalidGrant(CODE_REUSED);
  }
  return prepared.response;
};
