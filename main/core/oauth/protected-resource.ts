import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProtectedResource, protectedResourceMetadataPath } from '../../../shared/schemas';
import { OAuthError } from '../protocol/errors';
import type { ProviderContext } from '../provider/context';

/**
 * RFC 9728 protected resource metadata for the resources an issuer's settings declare
 * (`protected_resources`): the document a client reads to learn which authorization server protects an
 * API or MCP server, served where §3.1 puts it when the resource is on this origin:
 * `/.well-known/oauth-protected-resource` + the resource identifier's path. A resource elsewhere (say
 * http://localhost:3000/mcp) points clients here from its 401's `WWW-Authenticate: Bearer
 * resource_metadata="<this URL>"` (§5.1), or its dev server proxies the well-known path here; either way
 * the document's `resource` is the declared identifier, as §3.3 requires.
 */

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const PUBLIC_CORS = { origin: '*', methods: ['GET'] };

export function protectedResourceDocument(ctx: ProviderContext, declared: ProtectedResource): object {
  return {
    resource: declared.resource,
    authorization_servers: [ctx.issuer()],
    bearer_methods_supported: declared.bearer_methods_supported ?? ['header'],
    ...(declared.scopes_supported ? { scopes_supported: declared.scopes_supported } : {}),
    ...(declared.resource_name ? { resource_name: declared.resource_name } : {}),
    ...(declared.resource_documentation ? { resource_documentation: declared.resource_documentation } : {}),
  };
}

/**
 * Serves every issuer's declared resources. The well-known path is on the origin, which all issuers of
 * the engine share, so this is registered once; the first issuer declaring a path answers it.
 */
export function registerProtectedResourceRoutes(
  app: FastifyInstance,
  issuers: () => Iterable<ProviderContext>,
): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    for (const ctx of issuers()) {
      const declared = ctx.settings
        .get()
        .protected_resources.find(({ resource }) => protectedResourceMetadataPath(resource) === path);
      if (declared) {
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(protectedResourceDocument(ctx, declared));
      }
    }
    return reply
      .code(404)
      .send(
        new OAuthError(
          404,
          'not_found',
          `No protected resource is declared whose metadata is at ${path}: add its resource identifier to the protected_resources setting (a resource http://host/api has its metadata at ${WELL_KNOWN}/api).`,
        ).toJSON(),
      );
  };
  const config = { cors: PUBLIC_CORS };
  for (const url of [WELL_KNOWN, `${WELL_KNOWN}/*`]) {
    app.get(url, { config }, handler);
    app.options(url, { config }, (_request, reply) => reply.code(204).send());
  }
}
