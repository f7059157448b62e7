import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderContext } from '../provider/context';
import type { EndpointPaths } from '../provider/profiles';
import type { ExchangeInput } from '../store/request-log';
import { redactBody, redactHeaders, redactUrl, tokenIdOf } from './redact';

type Recorded = 'always' | 'failures_and_sampled_successes' | 'redirected_errors' | 'failures';

/**
 * Which routes are protocol requests whose outcome is recorded, as what endpoint, and when: /authorize
 * only when it answers the client (a redirect carrying an error; its pages are the user's business),
 * discovery and JWKS only when they fail (they are read constantly and say nothing about a client).
 * The token and introspection endpoints are the hot paths, and each of their successes is already one
 * lifecycle event (token.issued per token, token.introspected): their failures are all recorded, their
 * successes sampled (SUCCESS_SAMPLE_MS). One row and exchange per success more than doubled what a
 * reference token or an introspection cost (CPU per request, ~100 µs → ~200 µs).
 */
function recordedRoutes(paths: EndpointPaths): ReadonlyMap<string, readonly [string, Recorded]> {
  return new Map<string, readonly [string, Recorded]>([
    [paths.token, ['token', 'failures_and_sampled_successes']],
    [paths.userinfo, ['userinfo', 'always']],
    [paths.introspection, ['introspection', 'failures_and_sampled_successes']],
    [paths.revocation, ['revocation', 'always']],
    [paths.deviceAuthorization, ['device_authorization', 'always']],
    [paths.endSession, ['logout', 'always']],
    [paths.authorization, ['authorize', 'redirected_errors']],
    [paths.jwks, ['jwks', 'failures']],
    ...paths.discovery.map((path): [string, readonly [string, Recorded]] => [
      path,
      ['discovery', 'failures'],
    ]),
  ]);
}

type Params = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function formOf(request: FastifyRequest): Params {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) ? (body as Params) : {};
}

/** The client that made the request as it claimed to be: Basic user, client_id, or an assertion's iss. */
function claimedClient(request: FastifyRequest, form: Params): string | null {
  const header = request.headers.authorization ?? '';
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
      } catch {
        return decoded.slice(0, colon);
      }
    }
  }
  const query = request.query as Params | undefined;
  return str(form.client_id) ?? str(query?.client_id) ?? null;
}

/** The token the request is about: the one presented (refresh, introspected, revoked, bearer). */
function presentedToken(request: FastifyRequest, endpoint: string, form: Params): string | null {
  if (endpoint === 'userinfo') {
    const header = request.headers.authorization ?? '';
    if (/^(bearer|dpop) /i.test(header)) return header.replace(/^\S+\s+/, '').trim();
    return str(form.access_token);
  }
  if (endpoint === 'token') return str(form.refresh_token) ?? str(form.subject_token);
  if (endpoint === 'logout') return str(form.id_token_hint) ?? str((request.query as Params)?.id_token_hint);
  return str(form.token);
}

/** An answer's OAuth error fields as the engine sent them (OAuthError already fitted the description). */
type SentError = Record<'error', string> & Record<'error_description', string | null>;

/** The OAuth error of an answer: its JSON body, or the query of the redirect that carried it. */
function oauthError(body: unknown, location: string | undefined): SentError | null {
  if (typeof body === 'object' && body !== null && typeof (body as Params).error === 'string') {
    const { error, error_description } = body as Params;
    return { error: error as string, error_description: str(error_description) };
  }
  if (location?.includes('error=')) {
    // response_mode=fragment puts the error after '#' instead of '?'.
    const query = new URLSearchParams(location.split(/[?#]/).slice(1).join('&'));
    const error = query.get('error');
    if (error) return { error, error_description: query.get('error_description') };
  }
  return null;
}

interface Captured {
  endpoint: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  requestHeaders: FastifyRequest['headers'];
  requestContentType: string | undefined;
  form: Params;
  rawBody: unknown;
  query: Params | undefined;
  responseHeaders: ReturnType<FastifyReply['getHeaders']>;
  payload: unknown;
  clientId: string | null;
  presented: string | null;
  /** Successes like this one that were not recorded since the last that was (sampling). */
  skipped: number;
}

/** Builds and writes the event and its exchange; runs in the group commit, after the answer is sent. */
function write(ctx: ProviderContext, c: Captured): void {
  const responseType = String(c.responseHeaders['content-type'] ?? '');
  const responseBody = redactBody(c.payload, responseType);
  const location = typeof c.responseHeaders.location === 'string' ? c.responseHeaders.location : undefined;
  const failure = oauthError(responseBody, location);
  // A successful token request concerns the access token it issued; any other, the token it presented.
  let tokenValue = c.presented;
  if (c.endpoint === 'token' && c.status === 200 && typeof c.payload === 'string') {
    tokenValue = /"access_token":"([^"]+)"/.exec(c.payload)?.[1] ?? tokenValue;
  }
  const tokenId = tokenValue ? tokenIdOf(tokenValue) : null;
  // Only a token that exists is linked: a made-up value's "id" names nothing.
  const token = tokenId ? ctx.tokens.findById(tokenId) : undefined;
  const grantType = str(c.form.grant_type);
  const data: Params = {
    endpoint: c.endpoint,
    method: c.method,
    status: c.status,
    duration_ms: c.durationMs,
    ...(grantType ? { grant_type: grantType } : {}),
    ...(failure ? failure : {}),
    ...(c.skipped > 0 ? { similar_not_recorded: c.skipped } : {}),
  };
  const id = ctx.events.record(
    'request',
    {
      client_id: c.clientId ?? token?.client_id ?? null,
      username: str(c.form.username) ?? token?.username ?? null,
      token_id: token?.id ?? null,
      data,
    },
    { endpoint: c.endpoint, status: c.status },
  );
  const exchange: ExchangeInput = {
    method: c.method,
    path: redactUrl(c.url),
    status: c.status,
    request: {
      headers: redactHeaders(c.requestHeaders),
      body: redactBody(c.method === 'GET' ? c.query : c.rawBody, c.requestContentType),
    },
    response: { headers: redactHeaders(c.responseHeaders), body: responseBody },
  };
  ctx.events.requests.insert(id, ctx.clock.now(), exchange);
}

/**
 * A sampled endpoint's successes are recorded once per client, endpoint and grant type in this long
 * (provider clock); the next one recorded says how many were not. Failures are always recorded.
 */
export const SUCCESS_SAMPLE_MS = 10_000;

/**
 * One endpoint's sampling: per credentials as sent and grant type, when a success was last recorded
 * and how many were not since. Nested maps rather than one keyed by a joined string: building that key
 * on every success was about half of what a sampled-out success cost (2,000 of 4,400 instructions,
 * callgrind: bench/experiments/instructions.mjs).
 */
class SuccessSampler {
  private readonly last = new Map<string, Map<string, { at: number; skipped: number }>>();

  /** null: do not record this one (counted); else record it, with the count of those skipped before. */
  take(credentials: string, grantType: string, now: number): number | null {
    let byGrant = this.last.get(credentials);
    if (byGrant === undefined) {
      byGrant = new Map();
      this.last.set(credentials, byGrant);
    }
    const entry = byGrant.get(grantType);
    if (entry && now - entry.at < SUCCESS_SAMPLE_MS && now >= entry.at) {
      entry.skipped++;
      return null;
    }
    byGrant.set(grantType, { at: now, skipped: 0 });
    return entry?.skipped ?? 0;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** When a recorded request arrived (performance.now()), for its duration; 0 for the others. */
    requestLogStart: number;
  }
}

type Hook<H> = H | H[] | undefined;
const append = <H>(hooks: Hook<H>, hook: H): H[] =>
  [...(hooks === undefined ? [] : [hooks].flat()), hook] as H[];

/**
 * Records every protocol request's outcome as a `request` event with its redacted exchange
 * (store/request-log.ts), in one place for all endpoints. Its hooks are added to the recorded routes
 * only (onRoute), so the admin API, the UI and discovery pay nothing for them. The send hook only keeps
 * references to what the request and answer were; the parsing, redaction and writes are queued on the
 * group commit as a detached write, so they cost the answer nothing and share a transaction with the
 * turn's other writes.
 */
export function registerRequestLog(app: FastifyInstance, ctx: ProviderContext): void {
  const recorded = recordedRoutes(ctx.paths);
  // Declared on every request, so setting it keeps the request object's shape (a WeakMap cost more).
  app.decorateRequest('requestLogStart', 0);
  app.addHook('onRoute', (options) => {
    const route = recorded.get(options.url);
    if (route === undefined) return;
    const sampler = new SuccessSampler();
    options.onRequest = append(
      options.onRequest,
      (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
        request.requestLogStart = performance.now();
        done();
      },
    );
    options.onSend = append(
      options.onSend,
      (
        request: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (error: null, payload: unknown) => void,
      ) => {
        capture(ctx, sampler, route, request, reply, payload);
        done(null, payload);
      },
    );
  });
}

/** Keeps what a recorded route's answer needs, if this answer is recorded, and queues its write. */
function capture(
  ctx: ProviderContext,
  sampler: SuccessSampler,
  [endpoint, when]: readonly [string, Recorded],
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): void {
  const status = reply.statusCode;
  if (when === 'failures' && status < 400) return;
  if (when === 'redirected_errors') {
    const location = reply.getHeader('location');
    if (typeof location !== 'string' || !location.includes('error=')) return;
  }
  const form = formOf(request);
  let skipped = 0;
  if (when === 'failures_and_sampled_successes' && status < 400) {
    // Keyed by the credentials as sent (a success means they are a client's): decoding them into the
    // client id for every sampled-out success was most of what this hook cost.
    const credentials = request.headers.authorization ?? str(form.client_id) ?? '';
    const taken = sampler.take(credentials, str(form.grant_type) ?? '', ctx.clock.now());
    if (taken === null) return;
    skipped = taken;
  }
  const clientId = claimedClient(request, form);
  const started = request.requestLogStart;
  const captured: Captured = {
    endpoint,
    method: request.method,
    url: request.url,
    status,
    durationMs: started === 0 ? 0 : Math.round((performance.now() - started) * 10) / 10,
    requestHeaders: request.headers,
    requestContentType: request.headers['content-type'],
    form,
    rawBody: request.body,
    query: request.query as Params | undefined,
    responseHeaders: reply.getHeaders(),
    payload,
    clientId,
    presented: presentedToken(request, endpoint, form),
    skipped,
  };
  ctx.writes.runDetached(() => write(ctx, captured));
}
