import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticateClient } from '../protocol/client-auth';
import { unauthorizedClient, unsupportedGrantType } from '../protocol/errors';
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
  app.post('/token', async (request, reply) => {
    const params = readParams(request, 'body');
    const { client } = await authenticateClient(request, params, ctx);
    const grantType = required(params, 'grant_type');
    if (!isSupportedGrantType(grantType)) {
      throw unsupportedGrantType(`grant_type "${grantType}" is not supported.`);
    }
    if (!client.grant_types.includes(grantType)) {
      throw unauthorizedClient(`Client "${client.client_id}" is not allowed the ${grantType} grant.`);
    }
    const body = await GRANT_HANDLERS[grantType]({ ctx, client, params });
    return noStore(reply).send(body);
  });
}
