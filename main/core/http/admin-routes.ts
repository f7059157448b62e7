import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AdminError, type AdminErrorCode } from '../../../shared/errors';
import { JsonTextError, parseJsonBytes } from '../../../shared/validation';
import { adminDispatch } from '../admin/contract-loader';
import type { AdminCall } from '../admin/dispatch';
import { ADMIN_PREFIX, type AdminSecrets, authenticateAdmin } from './admin-auth';
import { type EngineEventFeed, serveEventStream } from './event-stream';
import type { EnvelopeConfig } from './framework-errors';

export type { EngineEventFeed } from './event-stream';

const STATUS_BY_CODE: Record<AdminErrorCode, number> = {
  invalid_input: 400,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
};

/** The JSON body, by the parser seed files use too; what it refuses is invalid input naming the problem. */
function jsonBody(request: FastifyRequest<{ Params: { method: string } }>): unknown {
  if (!Buffer.isBuffer(request.body)) return request.body;
  try {
    return parseJsonBytes(request.body);
  } catch (error) {
    if (!(error instanceof JsonTextError)) throw error;
    throw new AdminError(
      'invalid_input',
      `Invalid input for ${request.params.method}: the body ${error.message}`,
    );
  }
}

/**
 * The admin HTTP transport: `POST /admin/api/<method>` with a JSON body, answered with the method's
 * JSON output or `{ code, message }`. No CORS headers are ever set here, so other origins cannot read it.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  call: AdminCall,
  secrets: AdminSecrets,
  events: EngineEventFeed,
): void {
  app.register(
    async (admin) => {
      // Every route of this group answers errors as `{ code, message }`; the error handlers read this
      // declaration (framework-errors.ts envelopeFor) rather than the URL.
      admin.addHook('onRoute', (route) => {
        const declared: EnvelopeConfig = { envelope: 'admin' };
        route.config = { ...route.config, ...declared };
      });
      admin.addHook('onRequest', async (request, reply) => {
        if (!authenticateAdmin(request, secrets)) {
          return reply.code(401).header('www-authenticate', 'Bearer realm="idp-sandbox-admin"').send({
            code: 'unauthorized',
            message:
              'Admin calls need "Authorization: Bearer <admin token>" (the engine prints where the token file is at start).',
          });
        }
      });

      // Live events as server-sent events, in batches; the UI's HTTP transport reads them with fetch.
      admin.get('/events.stream', (request, reply) => serveEventStream(request, reply, call, events));

      // Fastify's JSON parser decodes invalid UTF-8 to U+FFFD and refuses a "constructor" key holding
      // "prototype" (a claim an export may carry); the body is kept as bytes for parseJsonBytes instead.
      admin.removeContentTypeParser('application/json');
      admin.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
        done(null, body),
      );

      admin.post<{ Params: { method: string } }>('/:method', async (request, reply) => {
        const contentType = request.headers['content-type'] ?? '';
        if (request.body !== undefined && !contentType.toLowerCase().startsWith('application/json')) {
          return reply
            .code(415)
            .send({ code: 'invalid_input', message: 'Send the input as application/json.' });
        }
        try {
          // An unknown method is answered as such whatever its body. The contract loads with the first call.
          const { isAdminMethod } = await adminDispatch();
          const input = isAdminMethod(request.params.method) ? jsonBody(request) : undefined;
          // `?issuer=ID_OR_NAME` scopes the call to one issuer of the workspace; the root issuer without it.
          const { issuer } = request.query as { issuer?: unknown };
          if (issuer !== undefined && typeof issuer !== 'string') {
            throw new AdminError('invalid_input', 'Name one issuer: ?issuer=ID_OR_NAME.');
          }
          const output = await call(request.params.method, input, { issuer });
          return reply.header('cache-control', 'no-store').send(output ?? null);
        } catch (error) {
          if (error instanceof AdminError) {
            return reply.code(STATUS_BY_CODE[error.code]).send(error.toJSON());
          }
          throw error;
        }
      });
    },
    { prefix: ADMIN_PREFIX },
  );
}
