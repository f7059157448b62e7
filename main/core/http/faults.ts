import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FaultEndpoint } from '../../../shared/faults';
import { faultError } from '../protocol/faults';
import type { ProviderContext } from '../provider/context';
import type { EndpointPaths } from '../provider/profiles';

/** Which fault endpoint each of an issuer's routes is (by its path; every method of it). */
function faultRoutes(paths: EndpointPaths): ReadonlyMap<string, FaultEndpoint> {
  return new Map<string, FaultEndpoint>([
    [paths.token, 'token'],
    [paths.introspection, 'introspection'],
    [paths.userinfo, 'userinfo'],
    [paths.revocation, 'revocation'],
    [paths.jwks, 'jwks'],
    [paths.authorization, 'authorize'],
    ...paths.discovery.map((path): [string, FaultEndpoint] => [path, 'discovery']),
  ]);
}

/** The token request's grant_type, for faults scoped to one grant; the form body is parsed by now. */
function grantTypeOf(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | null | undefined;
  return typeof body === 'object' && body !== null && typeof body.grant_type === 'string'
    ? body.grant_type
    : undefined;
}

function usedBasic(request: FastifyRequest): boolean {
  return /^basic /i.test(request.headers.authorization ?? '');
}

/**
 * Faults on demand (provider/faults.ts), applied to a request in this one place, after the Host check
 * and the body parse and before the route: latency delays it, an error answers instead of the route
 * (through the error handler, so in the endpoints' envelope, no-store), a reset closes the connection
 * unanswered. The faults that change an answer's content are the endpoints' own (ctx.faults.inEndpoint).
 */
export function registerFaultHook(app: FastifyInstance, ctx: ProviderContext): void {
  const delayed = new Set<NodeJS.Timeout>();
  const routes = faultRoutes(ctx.paths);
  // Callback style, like the Host check: this runs on every request, and almost always has nothing to do.
  app.addHook('preHandler', (request, _reply, done) => {
    if (ctx.faults.size === 0) return done();
    const endpoint = routes.get(request.routeOptions.url ?? '');
    if (endpoint === undefined) return done();
    const { delayMs, effect } = ctx.faults.beforeRoute(endpoint, grantTypeOf(request));
    const apply = () => {
      if (effect?.kind === 'connection_reset') request.raw.socket.destroy();
      else done(effect ? (faultError(effect, usedBasic(request)) ?? undefined) : undefined);
    };
    if (delayMs === 0) return apply();
    const timer = setTimeout(() => {
      delayed.delete(timer);
      apply();
    }, delayMs);
    delayed.add(timer);
  });
  // A delayed request whose connection the close ended has no one left to answer.
  app.addHook('onClose', (_instance, done) => {
    for (const timer of delayed) clearTimeout(timer);
    delayed.clear();
    done();
  });
}
