import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { ICON_SVG } from '../../../shared/icon';
import type { AdminCall } from '../admin/dispatch';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers';
import { registerAuthorizeRoutes } from '../oauth/authorize';
import { registerDeviceRoutes } from '../oauth/device';
import { registerDiscoveryRoutes } from '../oauth/discovery';
import { registerLogoutRoute } from '../oauth/logout';
import { registerProtectedResourceRoutes } from '../oauth/protected-resource';
import { registerRegistrationRoutes } from '../oauth/registration';
import { registerIntrospectionRoute, registerResourceEndpoints } from '../oauth/resource-endpoints';
import { registerTokenRoute } from '../oauth/token';
import { OAuthError } from '../protocol/errors';
import type { ProviderContext } from '../provider/context';
import { storeFullExplanation } from '../store/database';
import type { AdminSecrets } from './admin-auth';
import type { EngineEventFeed } from './admin-routes';
import { registerAdminRoutes } from './admin-routes';
import { registerCors } from './cors';
import { registerFaultHook } from './faults';
import { clientErrorHandler, envelopeFor, frameworkErrorHandler } from './framework-errors';
import { registerHealthCheck } from './health';
import { allowedHosts, hostRefusal } from './host-check';
import { registerRequestLog } from './request-log';
import { staticDocuments } from './static-documents';

export interface HttpServerOptions {
  ctx: ProviderContext;
  /** Runs one admin call for the issuer it names: the engine's `call`. */
  call: AdminCall;
  secrets: AdminSecrets;
  uiDir?: string | undefined;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string; key: string } | undefined;
  /** The admin API's live event stream: every issuer's events. */
  events: EngineEventFeed;
  /** Hands a request for another issuer to its app. */
  route: IssuerRouter;
  /** Every issuer's context, the root one first (what the origin-wide documents are made from). */
  everyIssuer: () => Iterable<ProviderContext>;
}

/** Request bodies are small form posts or JSON; anything larger is refused before it is parsed. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Request headers may be as large as the largest token the engine issues, sent back as a bearer token
 * or an id_token_hint. A user's claims are at most MAX_CLAIMS_BYTES (128 KiB) of JSON, and a minted
 * token may add as much again (tokens.mint extra_claims): 256 KiB, which base64url makes ~342 KiB,
 * plus the protocol claims, header and signature. Node's default (16 KiB) answered 431 to the
 * provider's own tokens for users with ~12 KiB of claims.
 */
export const HEADER_LIMIT_BYTES = 512 * 1024;

/** The Fastify options of every issuer's app. */
function appOptions(ctx: ProviderContext) {
  return {
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    // Live event streams stay open; closing the engine must not wait for them.
    forceCloseConnections: true,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler(ctx.issuer),
  } as const;
}

/** Which issuer app answers a request, by its path; undefined for the root issuer's (the listening app's). */
export type IssuerRouter = (url: string) => FastifyInstance['routing'] | undefined;

/**
 * The engine's HTTP server: the root issuer, the admin API and the UI, and in front of them the
 * dispatch to the other issuers' apps by path (IssuerRouter). Issuers come and go while the engine
 * runs, and Fastify takes no routes once it listens, so each issuer is an app of its own that this
 * server hands its requests to.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { ctx, route } = options;
  let closing = false;
  // The root issuer's discovery documents and JWK set skip Fastify (static-documents.ts).
  const answerStatic = staticDocuments(ctx, () => closing);
  const app = Fastify({
    ...appOptions(ctx),
    serverFactory: (rootHandler, defaults) => {
      const dispatch = (request: IncomingMessage, response: ServerResponse) => {
        const other = route(request.url ?? '/');
        if (other) other(request, response);
        else if (!answerStatic(request, response)) rootHandler(request, response);
      };
      const server = options.tls
        ? createHttpsServer({ ...options.tls, maxHeaderSize: HEADER_LIMIT_BYTES }, dispatch)
        : createPlainServer({ maxHeaderSize: HEADER_LIMIT_BYTES }, dispatch);
      // What Fastify sets on a server it makes itself (its defaults are applied to these options).
      const timeouts = defaults as {
        keepAliveTimeout: number;
        requestTimeout: number;
        connectionTimeout: number;
      };
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
      server.requestTimeout = timeouts.requestTimeout;
      server.setTimeout(timeouts.connectionTimeout);
      return server;
    },
  });
  // Fastify answers 503 once closing starts (return503OnClosing); so must the dispatch's own answers.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  await registerParsers(app);
  registerHealthCheck(app, ctx); // First: probes answer for any Host (health.ts).
  await registerIssuerEndpoints(app, ctx, options.everyIssuer);
  await registerEngineRoutes(app, options);
  return app;
}

/** An issuer other than the root one: its protocol endpoints only, ready to take requests from the dispatch. */
export async function createIssuerApp(ctx: ProviderContext): Promise<FastifyInstance> {
  const app = Fastify(appOptions(ctx));
  await registerParsers(app);
  await registerIssuerEndpoints(app, ctx);
  await app.ready();
  return app;
}

/** Body parsers of every issuer's app. */
async function registerParsers(app: FastifyInstance): Promise<void> {
  await app.register(fastifyFormbody);
  // Fastify answers a media type it has no parser for (or a body without one) with its own 415 before
  // any route runs. Read such bodies as text instead, so each endpoint refuses them in its own shape:
  // the OAuth endpoints with 400 invalid_request (RFC 6749 §5.2), /authorize with its error page, the
  // admin API with its 415. The body limit still applies.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

/** What every issuer's app has: the Host check, faults, the request log, error envelopes and its endpoints. */
async function registerIssuerEndpoints(
  app: FastifyInstance,
  ctx: ProviderContext,
  everyIssuer?: () => Iterable<ProviderContext>,
): Promise<void> {
  // Callback style: an async hook costs every request a promise, and this one runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(BASE_SECURITY_HEADERS);
    const hosts = allowedHosts(ctx.issuer());
    // The allowed names are lower case, so a Host header that is one of them as sent (clients send
    // them so) needs no lower-casing; any other is compared lower-cased, as before.
    const sent = request.headers.host ?? '';
    if (hosts.has(sent)) return done();
    const host = sent.toLowerCase();
    // Answering here ends the request; done() would run the route as well.
    if (!hosts.has(host)) reply.code(421).send(hostRefusal(ctx.issuer(), host));
    else done();
  });
  registerFaultHook(app, ctx);
  registerRequestLog(app, ctx);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof OAuthError) {
      return reply
        .code(error.status)
        .headers({ ...error.headers, 'cache-control': 'no-store', pragma: 'no-cache' })
        .send(error.toJSON());
    }
    let status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error(error);
    if (envelopeFor(request) === 'admin') {
      // A full store is explained by the admin service itself (admin/service.ts), for its own issuer.
      return reply
        .code(status)
        .send({ code: status === 500 ? 'internal' : 'invalid_input', message: error.message });
    }
    // A Content-Type so malformed that no parser can be chosen is Fastify's 415; for the OAuth
    // endpoints it is just a malformed request, which RFC 6749 §5.2 answers with 400.
    let description = error.message;
    if (status === 415) {
      status = 400;
      description = 'Send parameters as application/x-www-form-urlencoded.';
    }
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .send(
        status === 500
          ? new OAuthError(
              500,
              'server_error',
              storeFullExplanation(ctx.db, error) ?? 'The provider failed to handle this request.',
            ).toJSON()
          : new OAuthError(status, 'invalid_request', description).toJSON(),
      );
  });

  app.setNotFoundHandler((request, reply) => {
    if (envelopeFor(request) === 'admin') {
      return reply
        .code(404)
        .send({ code: 'unknown_method', message: `No admin route ${request.method} ${request.url}` });
    }
    return reply
      .code(404)
      .send(
        new OAuthError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`).toJSON(),
      );
  });

  // CORS (cors.ts) is a hook of this scope only: the endpoints a browser may call. The others (authorize,
  // login, logout, introspection, admin, UI) never answer cross-origin, so they skip the hook entirely;
  // it was 5–8% of an introspection. Preflight requests reach the plugin's OPTIONS route here whatever
  // their path, and it refuses the paths it does not allow.
  await app.register(async (browserCallable) => {
    await registerCors(browserCallable, ctx);
    registerDiscoveryRoutes(browserCallable, ctx);
    registerTokenRoute(browserCallable, ctx);
    registerResourceEndpoints(browserCallable, ctx);
    registerRegistrationRoutes(browserCallable, ctx); // RFC 7591/7592, off unless the setting is on
    // RFC 9728: on the origin, so once, by the root issuer's app, for every issuer's declared resources.
    if (everyIssuer) registerProtectedResourceRoutes(browserCallable, everyIssuer);
  });
  registerIntrospectionRoute(app, ctx);
  // Cookies (the sign-in session, the browser binding) belong to the pages a user's browser opens, so the
  // cookie plugin is registered in their scope only: its two hooks ran on every token, introspection and
  // userinfo request, which never read or set one.
  await app.register(async (browserPages) => {
    await browserPages.register(fastifyCookie);
    registerAuthorizeRoutes(browserPages, ctx);
    registerDeviceRoutes(browserPages, ctx);
    registerLogoutRoute(browserPages, ctx);
  });
}

/** The root app's own routes, besides its issuer's: the icon, the admin API and the UI. */
async function registerEngineRoutes(app: FastifyInstance, options: HttpServerOptions): Promise<void> {
  // Browsers ask every origin for /favicon.ico (a JSON endpoint opened in a tab, say); a 404 there is
  // a console error. The product icon is SVG, which browsers take as a favicon.
  app.get('/favicon.ico', (_request, reply) => {
    reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .send(ICON_SVG);
  });
  registerAdminRoutes(app, options.call, options.secrets, options.events);
  if (options.uiDir) {
    // Loaded only when a UI is served: the static-file plugin was a sixth of a headless cold start.
    const { registerUiRoutes } = await import('./ui-routes');
    registerUiRoutes(app, options.uiDir, options.secrets);
  }
}
