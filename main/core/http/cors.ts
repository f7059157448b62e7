import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { ProviderContext } from '../provider/context';

const PUBLIC_CORS = { origin: '*', methods: ['GET'] };

/** The origins of the registered redirect URIs, recomputed only when the clients change. */
function registeredOrigins(ctx: ProviderContext): (origin: string) => boolean {
  let seenVersion = -1;
  let origins = new Set<string>();
  return (origin) => {
    if (ctx.clients.cache.version !== seenVersion) {
      seenVersion = ctx.clients.cache.version;
      origins = new Set();
      for (const client of ctx.clients.list()) {
        for (const uri of client.redirect_uris) {
          try {
            const { origin: allowed } = new URL(uri);
            if (allowed !== 'null') origins.add(allowed);
          } catch {
            // Stored URIs were validated on the way in; ignore anything unparsable.
          }
        }
      }
    }
    return origins.has(origin);
  };
}

/**
 * CORS for the scope of the endpoints a browser may call (http/server.ts): discovery and JWKS for
 * everyone; token, userinfo and revocation for the registered origins of clients; nothing else. The
 * scope's own policy refuses; each of those paths carries its policy as route config, on its routes
 * and on an OPTIONS route of its own for the preflight (other preflights reach the plugin's catch-all
 * OPTIONS route and are refused). The options are static rather than chosen per request by a
 * delegator, which the plugin normalised again on every request: that was 4–5% of issuing a token.
 */
export async function registerCors(app: FastifyInstance, ctx: ProviderContext): Promise<void> {
  const isRegistered = registeredOrigins(ctx);
  // Metadata anyone may read from any origin.
  const PUBLIC_PATHS = [...ctx.paths.discovery, ctx.paths.jwks];
  // Endpoints a browser app (SPA) calls directly: allowed only from the origins of registered redirect URIs.
  const CLIENT_PATHS = [ctx.paths.token, ctx.paths.userinfo, ctx.paths.revocation];
  const clientCors = {
    origin: (origin: string | undefined, callback: (error: null, allow: string | false) => void) =>
      callback(null, origin !== undefined && isRegistered(origin) ? origin : false),
    methods: ['GET', 'POST'],
    // dpop: a browser app sends RFC 9449 proofs to the token endpoint and userinfo.
    allowedHeaders: ['authorization', 'content-type', 'dpop'],
    // A browser app reads the nonce for its next DPoP proof (RFC 9449 §8) from answers, and a 401's
    // challenge: userinfo asks for a nonce (§9) and names the error only in WWW-Authenticate.
    exposedHeaders: ['dpop-nonce', 'www-authenticate'],
    // keycloak-js (and other SPA libraries) send their token requests with credentials: 'include'; a
    // browser reads the answer only with this. The endpoints take no cookie, and the origin allowed is
    // only ever a registered one, echoed back, never "*".
    credentials: true,
    maxAge: 600,
  };
  app.addHook('onRoute', (route) => {
    if (PUBLIC_PATHS.includes(route.url)) route.config = { ...route.config, cors: PUBLIC_CORS };
    if (CLIENT_PATHS.includes(route.url)) route.config = { ...route.config, cors: clientCors };
  });
  await app.register(fastifyCors, { hook: 'onRequest', origin: false });
  for (const url of [...PUBLIC_PATHS, ...CLIENT_PATHS]) {
    // A preflight the policy allows is answered by the plugin; one it refuses gets this: 204, no CORS headers.
    app.options(url, (_request, reply) => reply.code(204).send());
  }
}
