import { invalidScope } from '../../protocol/errors';
import { readRepeated } from '../../protocol/params';
import { checkResources, grantedScope, parseResource } from '../../protocol/policy';
import { IDENTITY_SCOPES, machineScope, splitScope } from '../../tokens/claims';
import { issueFresh } from './issue';
import type { GrantHandler } from './types';

/** RFC 6749 §4.4: a token for the client itself, with no user and so no identity scopes. */
export const clientCredentials: GrantHandler = async ({ ctx, client, params, dpop }) => {
  // The client's machine scope only when none is asked for: most requests name theirs.
  let scope: string;
  if (params.scope === undefined) scope = machineScope(client.scope);
  else {
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
