import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { seconds } from '../../lib/clock';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import {
  type ClaimContext,
  type DecidedClaims,
  decideClaims,
  introspectionClaims,
  PROTOCOL_REASON,
  put,
} from '../../tokens/claim-mapping';
import { splitScope } from '../../tokens/claims';
import { audClaim } from '../../tokens/service';
import type { Json } from './common';

/** A preview's claims and why each is there: the decided ones with their reasons, the rest protocol claims. */
function withProtocol(
  decided: DecidedClaims,
  protocol: Record<string, unknown>,
): { claims: Json; reasons: Record<string, string> } {
  const claims = { ...decided.claims, ...protocol };
  const reasons: Record<string, string> = {};
  for (const name of Object.keys(claims)) {
    const reason = Object.hasOwn(decided.reasons, name) ? decided.reasons[name] : undefined;
    put(reasons, name, Object.hasOwn(protocol, name) ? PROTOCOL_REASON : (reason ?? PROTOCOL_REASON));
  }
  return { claims: claims as Json, reasons };
}

/**
 * The claims a user would get in each token, for a client and scope, as the token endpoint would
 * issue them now, with the reason for each (claim-mapping.ts decides both, as for real tokens).
 * Without a client, its audience and client_id appear as placeholders and no client mapping applies.
 */
export function previewClaims(
  ctx: ProviderContext,
  { username, client_id, scope }: AdminParsedInput<'users.previewClaims'>,
): AdminOutput<'users.previewClaims'> {
  const user = ctx.users.require(username);
  const client = client_id ? ctx.clients.require(client_id) : undefined;
  const scopes = splitScope(scope ?? client?.scope ?? 'openid profile email');
  const settings = ctx.settings.get();
  const context: ClaimContext = {
    user,
    client: client ?? null,
    scopes,
    scopeClaims: settings.scope_claims,
    profile: ctx.claimProfile(),
  };
  const decide = (target: Parameters<typeof decideClaims>[1]) => decideClaims(context, target, true);
  const at = seconds(ctx.clock);
  const aud = client?.client_id ?? '<client_id>';
  const accessAud = client ? defaultAudience(client) : ['<audience>'];
  const id = withProtocol(decide('id'), {
    iss: ctx.issuer(),
    sub: user.sub,
    aud,
    iat: at,
    exp: at + (client?.id_token_ttl ?? settings.id_token_ttl),
    auth_time: at,
  });
  const accessDecided = decide('access');
  const accessProtocol = {
    iss: ctx.issuer(),
    sub: user.sub,
    aud: audClaim(accessAud),
    client_id: aud,
    scope: scopes.join(' '),
    iat: at,
    exp: at + (client?.access_token_ttl ?? settings.access_token_ttl),
  };
  const access = withProtocol(accessDecided, accessProtocol);
  const introspectionDecided = decide('introspection');
  // As the endpoint answers for such an access token (TokenService.introspection): its claims, adjusted.
  const introspected = introspectionClaims(access.claims, accessDecided, introspectionDecided);
  const introspection = withProtocol(
    { claims: introspected, reasons: { ...accessDecided.reasons, ...introspectionDecided.reasons } },
    { active: true, ...accessProtocol, username: user.username, token_type: 'Bearer' },
  );
  const userinfo = withProtocol(decide('userinfo'), { sub: user.sub });
  return {
    id_token: id.claims,
    access_token: access.claims,
    userinfo: userinfo.claims,
    introspection: introspection.claims,
    reasons: {
      id_token: id.reasons,
      access_token: access.reasons,
      userinfo: userinfo.reasons,
      introspection: introspection.reasons,
    },
  };
}
