import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProviderContext } from '../context';

/** Metadata anyone may read from any origin. */
const PUBLIC_PATHS = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/jwks',
]);
/** Endpoints a browser app (SPA) calls directly: allowed only from the origins of registered redirect URIs. */
const CLIENT_PATHS = new Set(['/token', '/userinfo', '/revoke']);

function registeredOrigins(ctx: ProviderContext): Set<string> {
  const origins = new Set<string>();
  for (const client of ctx.clients.list()) {
    for (const uri of client.redirect_uris) {
      try {
        const { origin } = new URL(uri);
        if (origin !== 'null') origins.add(origin);
      } catch {
        // Stored URIs were validated on the way in; ignore anything unparsable.
      }
    }
  }
  return origins;
}

/**
 * CORS per endpoint: discovery and JWKS for everyone; token, userinfo and revocation for the
 * registered origins of clients; nothing else (authorize, login, logout, introspection, admin, UI).
 */
export async function registerCors(app: FastifyInstance, ctx: ProviderContext): Promise<void> {
  await app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: (request: FastifyRequest, callback) => {
      const path = request.url.split('?')[0] ?? '';
      const origin = request.headers.origin;
      if (PUBLIC_PATHS.has(path)) return callback(null, { origin: '*', methods: ['GET'] });
      if (CLIENT_PATHS.has(path) && origin && registeredOrigins(ctx).has(origin)) {
        return callback(null, {
          origin,
          methods: ['GET', 'POST'],
          allowedHeaders: ['authorization', 'content-type'],
          maxAge: 600,
        });
      }
      return callback(null, { origin: false });
    },
  });
}
