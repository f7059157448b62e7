import { invalidScope } from '../../protocol/errors';
import { readRepeated } from '../../protocol/params';
import { checkResources, grantedScope, parseResource } from '../../protocol/policy';
import { IDENTITY_SCOPES, machineScope, splitScope } from '../../tokens/claims';
import { issueFresh } from './issue';
import type { GrantHandler } from './types';

/** RFC 6749 §4.4: a token for the client itself, with no user and so no identity scopes. */
export const clientCredentials: GrantHandler = async ({ ctx, client, params, dpop }) => {
  let scope = machineScope(client.scope);
  if (params.scope !== undefined) {
    const requested = splitScope(params.scope);
    const identity = requested.filter((s) => IDENTITY_SCOPES.has(s));
    if (identity.length) {
      throw invalidScope(
        `client_credentials tokens have no user, so ${identity.join(', ')} cannot be requested.`,
      );
    }
    scope = grantedScope(client, params.scope);
  }
  const resources = parseResource(readRepeated(params, 'resource'));
  checkResources(client, resources);
  return issueFresh(ctx, client, null, scope, resources, 'client_credentials', {
    dpopJkt: dpop?.jkt ?? null,
  });
};
