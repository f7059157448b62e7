import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { seconds } from '../../lib/clock';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import { customClaims, identityClaims, splitScope } from '../../tokens/claims';
import { audClaim } from '../../tokens/service';
import type { Json } from './common';

/**
 * The claims a user would get in each token, for a client and scope, as the token endpoint would
 * issue them now. Without a client, its audience and client_id appear as placeholders.
 */
export function previewClaims(
  ctx: ProviderContext,
  { username, client_id, scope }: AdminParsedInput<'users.previewClaims'>,
): AdminOutput<'users.previewClaims'> {
  const user = ctx.users.require(username);
  const client = client_id ? ctx.clients.require(client_id) : undefined;
  const scopes = splitScope(scope ?? client?.scope ?? 'openid profile email');
  const at = seconds(ctx.clock);
  const aud = client?.client_id ?? '<client_id>';
  const accessAud = client ? defaultAudience(client) : ['<audience>'];
  return {
    id_token: {
      ...identityClaims(user.claims, scopes),
      iss: ctx.issuer(),
      sub: user.sub,
      aud,
      iat: at,
      exp: at + (client?.id_token_ttl ?? ctx.settings.get().id_token_ttl),
      auth_time: at,
    } as Json,
    access_token: {
      ...customClaims(user.claims),
      iss: ctx.issuer(),
      sub: user.sub,
      aud: audClaim(accessAud),
      client_id: aud,
      scope: scopes.join(' '),
      iat: at,
      exp: at + (client?.access_token_ttl ?? ctx.settings.get().access_token_ttl),
    } as Json,
    userinfo: { ...identityClaims(user.claims, scopes), sub: user.sub } as Json,
  };
}
