import type { FastifyInstance } from 'fastify';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers';
import { VERSION } from '../lib/version';
import type { ProviderContext } from '../provider/context';
import { statement } from '../store/database';

/** Liveness/readiness for container HEALTHCHECKs, Kubernetes probes and compose `depends_on`. */
export const HEALTH_PATH = '/health';

/**
 * Answers GET/HEAD /health before every other hook, so it must be registered first (server.ts).
 * Probes reach the container under whatever address they have (127.0.0.1 inside it, a pod IP, a
 * service name), not the issuer's host, so the Host check (host-check.ts) would refuse them with 421;
 * what this answers (a status, the version, the issuer that discovery publishes) is no secret, so it is
 * safe for any Host. Answering in the hook also keeps probes, every few seconds, out of the request
 * log and its live events, and out of the lab's injected faults. A callback hook: it runs on every
 * request and is one comparison there.
 */
export function registerHealthCheck(app: FastifyInstance, ctx: ProviderContext): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url !== HEALTH_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      done();
      return;
    }
    reply.headers(BASE_SECURITY_HEADERS).header('cache-control', 'no-store');
    try {
      // The store answering is what "ready" means: a database that is closed or broken shows here.
      statement(ctx.db, 'SELECT 1').get();
    } catch (error) {
      reply.code(503).send({ status: 'unavailable', version: VERSION, message: (error as Error).message });
      return;
    }
    reply.send({ status: 'ok', version: VERSION, issuer: ctx.issuer() });
  });
}
