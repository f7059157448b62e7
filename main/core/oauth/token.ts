import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticateClient } from '../protocol/client-auth';
import { verifyDpopProof } from '../protocol/dpop';
import { invalidDpopProof, unauthorizedClient, unsupportedGrantType } from '../protocol/errors';
import { readParams, required } from '../protocol/params';
import type { ProviderContext } from '../provider/context';
import { GRANT_HANDLERS, isSupportedGrantType } from './grants';

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/**
 * The token endpoint: authenticates the client, checks it may use the grant, then hands the request to
 * that grant's module (main/core/oauth/grants/). Each grant validates its own parameters.
 */
export function registerTokenRoute(app: FastifyInstance, ctx: ProviderContext): void {
  app.post(ctx.paths.token, async (request, reply) => {
    const params = readParams(request, 'body');
    const { client } = await authenticateClient(request, params, ctx);
    const grantType = required(params, 'grant_type');
    if (!isSupportedGrantType(grantType)) {
      throw unsupportedGrantType(`grant_type "${grantType}" is not supported.`);
    }
    if (!client.grant_types.includes(grantType)) {
      throw unauthorizedClient(`Client "${client.client_id}" is not allowed the ${grantType} grant.`);
    }
    // RFC 9449: only a request with a DPoP header pays for checking one.
    const nonceRequired = client.dpop_nonce_required === true;
    const dpop =
      request.headers.dpop === undefined
        ? null
        : await verifyDpopProof(ctx, request, { accessToken: null, nonceRequired });
    if (dpop === null && client.dpop_bound_access_tokens === true) {
      throw invalidDpopProof(
        `Client "${client.client_id}" requires DPoP (dpop_bound_access_tokens): send a DPoP proof in the DPoP header.`,
      );
    }
    const body = await GRANT_HANDLERS[grantType]({ ctx, client, params, dpop });
    // RFC 9449 §8.2: the nonce for the client's next proofs (at userinfo too), before it must ask.
    if (dpop !== null && nonceRequired) reply.header('dpop-nonce', ctx.dpopProofs.nonce());
    return noStore(reply).send(body);
  });
}
