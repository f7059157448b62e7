import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { seconds } from '../clock';
import type { ProviderContext } from '../context';
import { safeEqual } from '../http/admin-auth';
import { pageCsp, redirectSource, sendHtml } from '../http/security-headers';
import type { ClientRecord } from '../store/clients';
import type { SessionRecord } from '../store/sessions';
import type { UserRecord } from '../store/users';
import { randomToken } from '../tokens/values';
import {
  BINDING_TTL_MS,
  bindingMatches,
  clearBindingCookie,
  secureCookies,
  setBindingCookie,
} from './browser-binding';
import { splitScope } from './claims';
import {
  invalidRequest,
  invalidScope,
  invalidTarget,
  loginRequired,
  OAuthError,
  unauthorizedClient,
  unsupportedResponseType,
} from './errors';
import { checkParameterSizes, echoableState, interactionsOf } from './interactions';
import { BROWSER_SECRET_SCRIPT_SOURCE, errorPage, loginPage, resumePage } from './pages';
import { duplicatedParameter, type Params, parseParams, readParams, readRepeated } from './params';
import { matchRedirectUri, redirectMismatchMessage } from './redirect-uri';

export const SESSION_COOKIE = 'idp_sandbox_session';
const INTERACTION_COOKIE = 'idp_sandbox_interaction';
/** What the login page's script generates: 32 random bytes, base64url. */
const BROWSER_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  responseMode: 'query';
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  prompt: Set<string>;
  maxAge: number | null;
  loginHint: string | null;
  resources: string[];
}

/** A request waiting at the login page, bound to the browser that started it. */
interface Interaction {
  request: AuthorizationRequest;
  browserBindingHash: string;
  expiresAt: number;
}

/** Shown as a page, never redirected: the client or redirect URI cannot be trusted. */
class UntrustedRedirectError extends Error {}

/** RFC 8707 §2: each `resource` is an absolute URI without a fragment, else invalid_target. */
export function parseResource(values: string[]): string[] {
  for (const value of values) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalidTarget(`resource "${value}" must be an absolute URI.`);
    }
    if (url.hash) throw invalidTarget(`resource "${value}" must not contain a fragment.`);
  }
  return values;
}

export function checkResources(client: ClientRecord, resources: string[]): void {
  if (client.audience.length === 0) return;
  const unknown = resources.filter((r) => !client.audience.includes(r));
  if (unknown.length) {
    throw invalidTarget(
      `resource ${unknown.map((r) => `"${r}"`).join(', ')} is not an audience of client "${client.client_id}".`,
    );
  }
}

/** The requested scope, limited to what the client registered; unknown ones are invalid_scope. */
export function grantedScope(client: ClientRecord, requested: string | undefined): string {
  const allowed = new Set(splitScope(client.scope));
  const scopes = requested === undefined ? [...allowed] : splitScope(requested);
  const unknown = scopes.filter((s) => !allowed.has(s));
  if (unknown.length) {
    throw invalidScope(
      `Client "${client.client_id}" may not request scope ${unknown.map((s) => `"${s}"`).join(', ')}.`,
    );
  }
  let granted = [...new Set(scopes)];
  // Refresh tokens (offline access) only for clients that may use the refresh_token grant.
  if (!client.grant_types.includes('refresh_token')) granted = granted.filter((s) => s !== 'offline_access');
  return granted.join(' ');
}

function resolveClientAndRedirect(
  ctx: ProviderContext,
  params: Params,
): { client: ClientRecord; redirectUri: string } {
  const clientId = params.client_id;
  if (!clientId) throw new UntrustedRedirectError('The request has no client_id.');
  const client = ctx.clients.find(clientId);
  if (!client)
    throw new UntrustedRedirectError(
      `Unknown client "${clientId}". Register it first (Clients page or admin API).`,
    );
  const requested = params.redirect_uri;
  if (!requested) {
    // OIDC requires redirect_uri; plain OAuth may omit it when exactly one is registered.
    if (client.redirect_uris.length === 1 && !splitScope(params.scope).includes('openid')) {
      return { client, redirectUri: client.redirect_uris[0] as string };
    }
    throw new UntrustedRedirectError('The request has no redirect_uri.');
  }
  if (!matchRedirectUri(client, requested)) {
    throw new UntrustedRedirectError(redirectMismatchMessage(client, requested));
  }
  return { client, redirectUri: requested };
}

function validateRequest(params: Params, client: ClientRecord, redirectUri: string): AuthorizationRequest {
  checkParameterSizes(params);
  if (params.request !== undefined || params.request_uri !== undefined) {
    throw new OAuthError(400, 'request_not_supported', 'Request objects are not supported.');
  }
  const responseType = params.response_type;
  if (!responseType) throw invalidRequest('The "response_type" parameter is missing.');
  if (responseType !== 'code') throw unsupportedResponseType('Only response_type=code is supported.');
  if (params.response_mode !== undefined && params.response_mode !== 'query') {
    throw invalidRequest('Only response_mode=query is supported.');
  }
  if (!client.grant_types.includes('authorization_code')) {
    throw unauthorizedClient(`Client "${client.client_id}" is not allowed the authorization_code grant.`);
  }
  const scope = grantedScope(client, params.scope);

  const method = params.code_challenge_method;
  const challenge = params.code_challenge;
  if (method !== undefined && method !== 'S256') {
    throw invalidRequest(`code_challenge_method "${method}" is not supported; use S256.`);
  }
  if (challenge === undefined && method !== undefined)
    throw invalidRequest('code_challenge_method without code_challenge.');
  if (challenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) {
    throw invalidRequest('code_challenge must be 43-128 characters of [A-Z a-z 0-9 - . _ ~].');
  }
  if (client.token_endpoint_auth_method === 'none' && challenge === undefined) {
    throw invalidRequest('Public clients must use PKCE: send code_challenge and code_challenge_method=S256.');
  }

  const prompt = new Set(splitScope(params.prompt));
  for (const value of prompt) {
    if (!['none', 'login', 'consent', 'select_account'].includes(value)) {
      throw invalidRequest(`prompt "${value}" is not supported.`);
    }
  }
  if (prompt.has('none') && prompt.size > 1)
    throw invalidRequest('prompt=none cannot be combined with other values.');

  let maxAge: number | null = null;
  if (params.max_age !== undefined) {
    if (!/^\d{1,10}$/.test(params.max_age))
      throw invalidRequest('max_age must be a non-negative whole number of seconds.');
    maxAge = Number(params.max_age);
  }
  const resources = parseResource(readRepeated(params, 'resource'));
  checkResources(client, resources);

  return {
    client,
    redirectUri,
    responseMode: 'query',
    scope,
    state: params.state ?? null,
    nonce: params.nonce ?? null,
    codeChallenge: challenge ?? null,
    codeChallengeMethod: challenge ? 'S256' : null,
    prompt,
    maxAge,
    loginHint: params.login_hint ?? null,
    resources,
  };
}

/** The CSP of a page whose form ends in a redirect to the client, with the browser-secret script. */
function interactionCsp(authz: AuthorizationRequest, framedByClient = false): string {
  const client = redirectSource(authz.redirectUri);
  return pageCsp({
    formTarget: client,
    scriptSource: BROWSER_SECRET_SCRIPT_SOURCE,
    ...(framedByClient ? { frameAncestor: client } : {}),
  });
}

function redirectWith(
  reply: FastifyReply,
  redirectUri: string,
  values: Record<string, string | null>,
): FastifyReply {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) if (value !== null) url.searchParams.set(name, value);
  return reply.header('cache-control', 'no-store').redirect(url.href, 303);
}

export function registerAuthorizeRoutes(app: FastifyInstance, ctx: ProviderContext): void {
  const interactions = interactionsOf<Interaction>(ctx);

  function currentSession(request: FastifyRequest): { session: SessionRecord; user: UserRecord } | null {
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return null;
    const session = ctx.sessions.findByCookie(cookie);
    if (!session) return null;
    const user = ctx.users.findById(session.user_id);
    return user ? { session, user } : null;
  }

  /**
   * Whether the request may be answered from the existing session. Sessions signed in without script
   * have no browser secret to check, so they are never reused.
   */
  function reusable(authz: AuthorizationRequest, session: SessionRecord): boolean {
    if (authz.prompt.has('login')) return false;
    if (authz.maxAge !== null && seconds(ctx.clock) - session.auth_time > authz.maxAge) return false;
    return ctx.sessions.hasBrowserSecret(session.id);
  }

  function redirectError(reply: FastifyReply, redirectUri: string, error: OAuthError, state: string | null) {
    return redirectWith(reply, redirectUri, {
      error: error.error,
      error_description: error.errorDescription,
      state,
      iss: ctx.issuer(),
    });
  }

  /** Issues the code and sends the browser back to the client (RFC 6749 §4.1.2, RFC 9207 iss). */
  function complete(
    reply: FastifyReply,
    authz: AuthorizationRequest,
    user: UserRecord,
    session: SessionRecord,
    amr: string[],
  ) {
    const now = seconds(ctx.clock);
    const settings = ctx.settings.get();
    const code = ctx.db.transaction(() => {
      const grant = ctx.grants.create({
        client_id: authz.client.client_id,
        user_id: user.id,
        username: user.username,
        subject: user.sub,
        scope: authz.scope,
        session_id: session.id,
        auth_time: session.auth_time,
        created_at: now,
      });
      return ctx.codes.create({
        grant_id: grant.id,
        client_id: authz.client.client_id,
        redirect_uri: authz.redirectUri,
        scope: authz.scope,
        nonce: authz.nonce,
        code_challenge: authz.codeChallenge,
        code_challenge_method: authz.codeChallengeMethod,
        resources: authz.resources,
        amr,
        issued_at: now,
        expires_at: now + settings.authorization_code_ttl,
      });
    })();
    return redirectWith(reply, authz.redirectUri, { code, state: authz.state, iss: ctx.issuer() });
  }

  function startSession(
    reply: FastifyReply,
    user: UserRecord,
    method: string,
    browserSecret: string | null,
  ): SessionRecord {
    const now = seconds(ctx.clock);
    const { session, cookie } = ctx.db.transaction(() => {
      const created = ctx.sessions.create(user.id, now, browserSecret);
      ctx.events.record('login', {
        username: user.username,
        data: { method, session_id: created.session.id },
      });
      return created;
    })();
    reply.setCookie(SESSION_COOKIE, cookie, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(ctx),
    });
    return session;
  }

  /** Keeps the request for the page's form post, bound to this browser; returns its id. */
  function openInteraction(reply: FastifyReply, authz: AuthorizationRequest): string {
    const id = randomUUID();
    const binding = randomToken();
    interactions.set(id, {
      request: authz,
      browserBindingHash: binding,
      expiresAt: ctx.clock.now() + BINDING_TTL_MS,
    });
    setBindingCookie(ctx, reply, INTERACTION_COOKIE, id, binding);
    return id;
  }

  /**
   * The form post of a login or resume page: its interaction, if it exists and this browser was shown
   * the page. Otherwise the refusal has been sent and the result is null.
   */
  function takeInteraction(
    request: FastifyRequest,
    reply: FastifyReply,
  ): { id: string; authz: AuthorizationRequest; params: Params } | null {
    let params: Params;
    try {
      params = readParams(request, 'body');
    } catch (error) {
      sendHtml(reply, 400, errorPage('Sign-in failed', (error as Error).message));
      return null;
    }
    const id = params.interaction ?? '';
    const interaction = interactions.get(id);
    if (!interaction || interaction.expiresAt < ctx.clock.now()) {
      sendHtml(
        reply,
        400,
        errorPage('Sign-in expired', 'This sign-in page has expired. Start again from the application.'),
      );
      return null;
    }
    // The cookie set when the page was shown must come back: a form posted from another site lacks it.
    if (!bindingMatches(request, INTERACTION_COOKIE, id, interaction.browserBindingHash)) {
      sendHtml(
        reply,
        403,
        errorPage('Sign-in refused', 'This sign-in was not started in this browser (CSRF check failed).'),
      );
      return null;
    }
    return { id, authz: interaction.request, params };
  }

  function closeInteraction(reply: FastifyReply, id: string): void {
    interactions.delete(id);
    clearBindingCookie(reply, INTERACTION_COOKIE, id);
  }

  /**
   * A session would be reused: first the page's script must present the browser secret.
   *
   * Silent renewal (oidc-client-ts signinSilent, keycloak-js check-sso, MSAL ssoSilent) runs this in a
   * hidden iframe on the client's page, so this page, unlike the login and logout pages, may be framed
   * by the origin of the redirect_uri validated for the request. Framing it offers no clickjacking:
   * with script it posts itself before anyone can click, and the noscript Continue button only goes on
   * with the request the framing client made itself, to that client's own redirect_uri. X-Frame-Options
   * cannot name an origin, so it is dropped here rather than left to contradict frame-ancestors.
   */
  function showResume(reply: FastifyReply, authz: AuthorizationRequest) {
    const id = openInteraction(reply, authz);
    const clientName = authz.client.client_name ?? authz.client.client_id;
    reply.removeHeader('x-frame-options');
    return sendHtml(reply, 200, resumePage(id, clientName), interactionCsp(authz, true));
  }

  function showLogin(reply: FastifyReply, authz: AuthorizationRequest, error: string | null, status = 200) {
    const id = openInteraction(reply, authz);
    const users = ctx.users.list().map((u) => ({
      username: u.username,
      name: typeof u.claims.name === 'string' ? u.claims.name : null,
      hasPassword: u.password !== null,
    }));
    return sendHtml(
      reply,
      status,
      loginPage({
        interactionId: id,
        clientName: authz.client.client_name ?? authz.client.client_id,
        users,
        loginHint: authz.loginHint,
        error,
      }),
      // The sign-in form's answer is a 303 to the client's redirect_uri, usually another origin.
      interactionCsp(authz),
    );
  }

  async function authorize(request: FastifyRequest, reply: FastifyReply) {
    let params: Params;
    let duplicated: string[];
    let client: ClientRecord;
    let redirectUri: string;
    try {
      ({ params, duplicated } = parseParams(request, 'either'));
      // Two client_ids or redirect_uris: which one to trust is unknowable, so no redirect at all.
      const untrusted = duplicated.filter((name) => name === 'client_id' || name === 'redirect_uri');
      if (untrusted.length) throw duplicatedParameter(untrusted);
      ({ client, redirectUri } = resolveClientAndRedirect(ctx, params));
    } catch (error) {
      if (error instanceof UntrustedRedirectError || error instanceof OAuthError) {
        return sendHtml(reply, 400, errorPage('Invalid authorization request', error.message));
      }
      throw error;
    }
    // A state sent twice is left out (parseParams drops duplicates): neither copy is echoed.
    const state = echoableState(params.state);
    try {
      // Any other parameter sent twice goes back to the client as invalid_request (RFC 6749 §4.1.2.1).
      if (duplicated.length) throw duplicatedParameter(duplicated);
      const authz = validateRequest(params, client, redirectUri);
      const existing = currentSession(request);
      // The session cookie reaches every port of this host, so it never yields a code by itself.
      const reuse = existing !== null && reusable(authz, existing.session);
      if (authz.prompt.has('none') && !reuse) throw loginRequired('The user is not signed in (prompt=none).');
      if (reuse) return showResume(reply, authz);

      if (authz.loginHint && ctx.settings.get().login_hint_skips_login) {
        const hinted = ctx.users.findByUsername(authz.loginHint);
        if (hinted)
          return complete(reply, authz, hinted, startSession(reply, hinted, 'login_hint', null), []);
      }
      return showLogin(reply, authz, null);
    } catch (error) {
      if (error instanceof OAuthError) return redirectError(reply, redirectUri, error, state);
      throw error;
    }
  }

  app.get('/authorize', authorize);
  app.post('/authorize', authorize);

  app.post('/resume', async (request, reply) => {
    const taken = takeInteraction(request, reply);
    if (!taken) return reply;
    const { id, authz, params } = taken;
    closeInteraction(reply, id);
    const existing = currentSession(request);
    const secret = params.browser_secret;
    if (
      existing &&
      reusable(authz, existing.session) &&
      secret !== undefined &&
      ctx.sessions.matchesBrowserSecret(existing.session.id, secret)
    ) {
      return complete(reply, authz, existing.user, existing.session, []);
    }
    // A replayed cookie, or a browser whose storage was cleared or runs no script: sign in again.
    if (authz.prompt.has('none')) {
      const error = loginRequired('The session could not be confirmed in this browser (prompt=none).');
      return redirectError(reply, authz.redirectUri, error, authz.state);
    }
    return showLogin(reply, authz, null);
  });

  app.post('/login', async (request, reply) => {
    const taken = takeInteraction(request, reply);
    if (!taken) return reply;
    const { id, authz, params } = taken;
    const user = params.username ? ctx.users.findByUsername(params.username) : undefined;
    if (!user) return showLogin(reply, authz, `No test user named "${params.username ?? ''}".`, 401);
    let amr: string[] = [];
    if (user.password !== null) {
      if (params.password === undefined || !safeEqual(params.password, user.password)) {
        return showLogin(reply, authz, 'Wrong password.', 401);
      }
      amr = ['pwd'];
    }
    closeInteraction(reply, id);
    const secret = params.browser_secret;
    const browserSecret = secret !== undefined && BROWSER_SECRET_PATTERN.test(secret) ? secret : null;
    const session = startSession(reply, user, amr.length ? 'password' : 'test_user', browserSecret);
    return complete(reply, authz, user, session, amr);
  });
}
