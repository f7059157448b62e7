import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { seconds } from '../lib/clock';
import { randomToken, safeEqual } from '../lib/secrets';
import { invalidToken, OAuthError } from '../protocol/errors';
import {
  clientInformation,
  invalidClientMetadata,
  registeredMetadata,
} from '../protocol/registration-metadata';
import type { ProviderContext } from '../provider/context';
import type { ClientRecord } from '../store/clients';
import { RegistrationStore } from '../store/registrations';

/**
 * RFC 7591 dynamic client registration and RFC 7592 client management: POST the registration endpoint
 * to register; GET, PUT and DELETE `<registration endpoint>/<client_id>` with the registration access
 * token. Off unless the issuer's `dynamic_registration` setting is on. A registered client is an
 * ordinary client (clients.list, the Clients page), written with the same event the admin API writes.
 */

/** Bearer-authenticated, never by cookie, so any origin may call it (browser MCP clients register). */
const REGISTRATION_CORS = {
  origin: '*',
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowedHeaders: ['authorization', 'content-type'],
  exposedHeaders: ['www-authenticate'],
  maxAge: 600,
};

const EVENT_DATA = { dynamic_registration: true };

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && /^bearer /i.test(header)
    ? header.slice(7).trim() || undefined
    : undefined;
}

/** RFC 6750 §3.1: a request without the token it needs gets a bare Bearer challenge. */
const missingToken = (what: string) =>
  new OAuthError(401, 'invalid_request', `Send ${what} as "Authorization: Bearer <token>".`, {
    'www-authenticate': 'Bearer realm="idp-sandbox"',
  });

function requireEnabled(ctx: ProviderContext): void {
  if (!ctx.settings.get().dynamic_registration) {
    throw new OAuthError(
      403,
      'access_denied',
      'Dynamic client registration is off for this issuer: turn on "Dynamic client registration" in Settings (setting dynamic_registration).',
    );
  }
}

/** RFC 7591 §3: with an initial access token set, only a request bearing it may register. */
function checkInitialAccessToken(ctx: ProviderContext, request: FastifyRequest): void {
  const expected = ctx.settings.get().registration_initial_access_token;
  if (expected === null) return;
  const given = bearerOf(request);
  if (given === undefined) throw missingToken('the initial access token set for registration (Settings)');
  if (!safeEqual(given, expected)) {
    throw invalidToken('The initial access token is not the one set for registration (Settings).');
  }
}

function requireJson(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw invalidClientMetadata('Send the client metadata as JSON (Content-Type: application/json).');
  }
}

/** RFC 7592 §2: the client's registration access token, else 401 (also for a client that is gone). */
function authorizedClient(
  ctx: ProviderContext,
  registrations: RegistrationStore,
  request: FastifyRequest,
): { client: ClientRecord; token: string } {
  const token = bearerOf(request);
  if (token === undefined) throw missingToken('the registration access token the registration returned');
  const clientId = (request.params as { client_id: string }).client_id;
  const client = ctx.clients.find(clientId);
  if (!client || !registrations.matches(clientId, token)) {
    throw invalidToken(`This is not the registration access token of a registered client "${clientId}".`);
  }
  return { client, token };
}

function answer(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
}

export function registerRegistrationRoutes(app: FastifyInstance, ctx: ProviderContext): void {
  const registrations = new RegistrationStore(ctx.db);
  const base = ctx.paths.registration;
  const manage = `${base}/:client_id`;
  const config = { cors: REGISTRATION_CORS };
  const management = (client: ClientRecord, token: string) => ({
    registration_client_uri: `${ctx.endpoint('registration')}/${encodeURIComponent(client.client_id)}`,
    registration_access_token: token,
  });
  const resources = () => ({ resources: ctx.settings.get().protected_resources });

  app.post(base, { config }, async (request, reply) => {
    requireEnabled(ctx);
    checkInitialAccessToken(ctx, request);
    requireJson(request);
    const metadata = registeredMetadata(request.body, randomToken().slice(0, 22), resources());
    const token = randomToken();
    const client = ctx.db.transaction(() => {
      const now = seconds(ctx.clock);
      const created = ctx.clients.create(metadata, now);
      registrations.add(created.client_id, token, now);
      ctx.events.record('client.created', { client_id: created.client_id, data: EVENT_DATA });
      return { ...created, registered_at: now };
    })();
    return answer(reply, 201, clientInformation(client, management(client, token)));
  });

  app.get(manage, { config }, async (request, reply) => {
    requireEnabled(ctx);
    const { client, token } = authorizedClient(ctx, registrations, request);
    return answer(reply, 200, clientInformation(client, management(client, token)));
  });

  app.put(manage, { config }, async (request, reply) => {
    requireEnabled(ctx);
    const { client: existing, token } = authorizedClient(ctx, registrations, request);
    requireJson(request);
    const body = request.body as Record<string, unknown> | null;
    // RFC 7592 §2.2: the body names the client it updates, and a secret it sends must be the current one.
    if (typeof body === 'object' && body !== null && body.client_id !== existing.client_id) {
      throw invalidClientMetadata(`client_id must be "${existing.client_id}", the client this URL manages.`);
    }
    if (body?.client_secret !== undefined && body.client_secret !== existing.client_secret) {
      throw invalidClientMetadata(
        'client_secret must be the current secret or left out; it cannot be chosen.',
      );
    }
    const metadata = registeredMetadata(body, existing.client_id, resources());
    const client = ctx.db.transaction(() => {
      const updated = ctx.clients.replace(
        ctx.clients.require(existing.client_id),
        metadata,
        seconds(ctx.clock),
      );
      ctx.events.record('client.updated', { client_id: updated.client_id, data: EVENT_DATA });
      return updated;
    })();
    return answer(reply, 200, clientInformation(client, management(client, token)));
  });

  app.delete(manage, { config }, async (request, reply) => {
    requireEnabled(ctx);
    const { client } = authorizedClient(ctx, registrations, request);
    ctx.db.transaction(() => {
      const now = seconds(ctx.clock);
      const revoked = ctx.tokens.revokeWhere('client_id', client.client_id, 'client_deleted', now);
      ctx.clients.delete(client.client_id);
      ctx.events.record('client.deleted', {
        client_id: client.client_id,
        data: { ...EVENT_DATA, revoked_tokens: revoked.length },
      });
    })();
    return reply.code(204).header('cache-control', 'no-store').send();
  });

  // Preflights for the routes above (the CORS scope answers others with no CORS headers).
  for (const url of [base, manage]) app.options(url, { config }, (_request, reply) => reply.code(204).send());
}
