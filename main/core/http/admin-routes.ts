import type { FastifyInstance } from 'fastify';
import { AdminError, type AdminErrorCode } from '../../../shared/errors';
import { dispatchAdmin } from '../admin/dispatch';
import type { AdminHandlers } from '../admin/service';
import { type AdminSecrets, authenticateAdmin } from './admin-auth';

export const ADMIN_PREFIX = '/admin/api';

const STATUS_BY_CODE: Record<AdminErrorCode, number> = {
  invalid_input: 400,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
};

/**
 * The admin HTTP transport: `POST /admin/api/<method>` with a JSON body, answered with the method's
 * JSON output or `{ code, message }`. No CORS headers are ever set here, so other origins cannot read it.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  handlers: AdminHandlers,
  secrets: AdminSecrets,
): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request, reply) => {
        if (!authenticateAdmin(request, secrets)) {
          return reply.code(401).header('www-authenticate', 'Bearer realm="idp-sandbox-admin"').send({
            code: 'unauthorized',
            message:
              'Admin calls need "Authorization: Bearer <admin token>" (the engine prints where the token file is at start).',
          });
        }
      });

      admin.post<{ Params: { method: string } }>('/:method', async (request, reply) => {
        const contentType = request.headers['content-type'] ?? '';
        if (request.body !== undefined && !contentType.toLowerCase().startsWith('application/json')) {
          return reply
            .code(415)
            .send({ code: 'invalid_input', message: 'Send the input as application/json.' });
        }
        try {
          const output = await dispatchAdmin(handlers, request.params.method, request.body);
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
