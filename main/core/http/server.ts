import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AdminHandlers } from '../admin/service';
import type { AdminSecrets } from './admin-auth';
import { ADMIN_PREFIX, registerAdminRoutes } from './admin-routes';
import { registerDiscoveryRoutes } from './discovery';
import { allowedHosts } from './host-check';
import { BASE_SECURITY_HEADERS } from './security-headers';
import { registerUiRoutes } from './ui-routes';

export interface HttpServerOptions {
  issuer(): string;
  admin: AdminHandlers;
  secrets: AdminSecrets;
  uiDir?: string | undefined;
}

/** Request bodies are small form posts or JSON; anything larger is refused before it is parsed. */
export const BODY_LIMIT_BYTES = 256 * 1024;

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, return503OnClosing: true });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);

  app.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) reply.header(name, value);
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts(options.issuer()).has(host)) {
      return reply.code(421).send({
        error: 'invalid_request',
        error_description: `Host "${host}" is not this provider's host; use ${new URL(options.issuer()).host}.`,
      });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (request.url.startsWith(ADMIN_PREFIX)) {
      return reply
        .code(status)
        .send({ code: status === 500 ? 'internal' : 'invalid_input', message: error.message });
    }
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .send({
        error: status === 500 ? 'server_error' : 'invalid_request',
        error_description: status === 500 ? 'The provider failed to handle this request.' : error.message,
      });
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) {
      return reply
        .code(404)
        .send({ code: 'unknown_method', message: `No admin route ${request.method} ${request.url}` });
    }
    return reply.code(404).send({
      error: 'not_found',
      error_description: `No route ${request.method} ${request.url.split('?')[0]}`,
    });
  });

  registerDiscoveryRoutes(app, { issuer: options.issuer });
  registerAdminRoutes(app, options.admin, options.secrets);
  if (options.uiDir) registerUiRoutes(app, options.uiDir, options.secrets);
  return app;
}
