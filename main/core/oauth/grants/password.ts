import { seconds } from '../../lib/clock';
import { safeEqual } from '../../lib/secrets';
import { invalidGrant } from '../../protocol/errors';
import { readRepeated, required } from '../../protocol/params';
import { checkResources, grantedScope, parseResource } from '../../protocol/policy';
import { splitScope } from '../../tokens/claims';
import { issueFresh } from './issue';
import type { GrantHandler } from './types';

/** RFC 6749 §4.3 (resource owner password): a sign-in without a browser, recorded as a login. */
export const password: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const user = ctx.users.findByUsername(required(params, 'username'));
  const given = params.password ?? '';
  if (!user || (user.password !== null && !safeEqual(given, user.password))) {
    throw invalidGrant('Wrong username or password.');
  }
  const scope = grantedScope(client, params.scope);
  const resources = parseResource(readRepeated(params, 'resource'));
  checkResources(client, resources);
  ctx.events.record('login', {
    username: user.username,
    client_id: client.client_id,
    data: { method: 'password_grant' },
  });
  return issueFresh(ctx, client, user, scope, resources, 'password', {
    withRefresh: client.grant_types.includes('refresh_token'),
    withIdToken: splitScope(scope).includes('openid'),
    authTime: seconds(ctx.clock),
    amr: user.password !== null ? ['pwd'] : null,
    dpopJkt: dpop?.jkt ?? null,
  });
};
