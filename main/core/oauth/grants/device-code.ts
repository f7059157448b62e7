import { DEVICE_CODE_GRANT } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import { deviceAuthorizationsOf, SLOW_DOWN_STEP_SECONDS } from '../../protocol/device-authorizations';
import { invalidGrant, OAuthError } from '../../protocol/errors';
import { required } from '../../protocol/params';
import { defaultAudience } from '../../protocol/policy';
import { splitScope } from '../../tokens/claims';
import { assertStillIssuable, recordIssued } from './issue';
import type { GrantHandler } from './types';

// RFC 8628 §3.5: the answers of a poll before the user has decided, or after it is too late.
const authorizationPending = () =>
  new OAuthError(400, 'authorization_pending', 'The user has not yet approved or denied this device.');
const slowDown = (interval: number) =>
  new OAuthError(400, 'slow_down', `Polling too fast: wait at least ${interval} seconds between requests.`);
const accessDenied = () => new OAuthError(400, 'access_denied', 'The user denied this device.');
const expiredToken = () =>
  new OAuthError(400, 'expired_token', 'The device code has expired: start the device flow again.');

/**
 * RFC 8628 §3.4: the device polls with its device code until the user approves at /device (or the
 * admin does). Approved, it gets the tokens of an authorization code flow once: access token, ID token
 * with openid, refresh token for a client allowed the refresh_token grant, in one new grant.
 */
export const deviceCode: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const devices = deviceAuthorizationsOf(ctx);
  const device = devices.findByDeviceCode(required(params, 'device_code'));
  if (!device || device.clientId !== client.client_id) {
    throw invalidGrant('The device code is unknown or was issued to another client.');
  }
  if (device.status === 'redeemed') throw invalidGrant('The device code was already used.');
  if (devices.isExpired(device)) throw expiredToken();
  if (device.status === 'denied') throw accessDenied();
  if (device.status === 'pending') {
    const now = ctx.clock.now();
    const tooSoon = device.lastPollAt !== null && now - device.lastPollAt < device.interval * 1000;
    device.lastPollAt = now;
    if (tooSoon) {
      // §3.5: the interval grows by 5 seconds for this device code, for all its later polls.
      device.interval += SLOW_DOWN_STEP_SECONDS;
      throw slowDown(device.interval);
    }
    throw authorizationPending();
  }
  const approval = device.approval;
  const user = approval ? ctx.users.findById(approval.userId) : undefined;
  if (!approval || !user) throw invalidGrant('The user who approved this device no longer exists.');

  const at = seconds(ctx.clock);
  // The device's own authorization: no browser session of the user, so a logout there keeps it.
  const grant = ctx.grants.build({
    client_id: client.client_id,
    user_id: user.id,
    username: user.username,
    subject: user.sub,
    scope: device.scope,
    session_id: null,
    auth_time: approval.authTime,
    created_at: at,
  });
  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    scope: device.scope,
    audience: device.resources.length ? device.resources : defaultAudience(client),
    authTime: approval.authTime,
    amr: approval.amr.length ? approval.amr : null,
    dpopJkt: dpop?.jkt ?? null,
    withRefresh: client.grant_types.includes('refresh_token'),
    withIdToken: splitScope(device.scope).includes('openid'),
    grantType: DEVICE_CODE_GRANT,
  });
  await ctx.writes.run(() => {
    // Single use: a second poll that got here while these tokens were signed finds it redeemed.
    if (device.status !== 'approved') throw invalidGrant('The device code was already used.');
    ctx.grants.insert(grant);
    assertStillIssuable(ctx, grant.id, client.client_id, user.id);
    ctx.tokenService.store(prepared);
    recordIssued(ctx, prepared, DEVICE_CODE_GRANT, { user_code: device.userCode });
    device.status = 'redeemed';
  });
  return prepared.response;
};
