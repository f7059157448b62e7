import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { seconds } from '../lib/clock';
import { randomToken, safeEqual } from '../lib/secrets';
import { pageCsp, redirectSource, sendHtml } from '../lib/security-headers';
import type { ProviderContext } from '../provider/context';
import type { SessionRecord } from '../store/sessions';
import type { UserRecord } from '../store/users';
import type { AuthorizationRequest } from './authorization-request';
import {
  BINDING_TTL_MS,
  bindingMatches,
  clearBindingCookie,
  secureCookies,
  setBindingCookie,
} from './browser-binding';
import type { OAuthError } from './errors';
import { type InteractionStore, interactionsOf } from './interactions';
import { BROWSER_SECRET_SCRIPT_SOURCE, errorPage, loginPage, resumePage } from './pages';
import { type Params, readParams } from './params';

/** What the sign-in pages' script generates: 32 random bytes, base64url. */
const BROWSER_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const INTERACTION_COOKIE = 'idp_sandbox_interaction';

/** A request waiting at the login page, bound to the browser that started it. */
interface Interaction {
  request: AuthorizationRequest;
  browserBindingHash: string;
  expiresAt: number;
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

/**
 * The browser side of signing in, shared by /authorize, /resume and /login: the session cookie, the
 * pages waiting for the user (bound to the browser that was shown them), and the redirect back to the
 * client with a code or an error.
 */
/** A refused sign-in form: why, and the username typed, which the page offers again. */
export interface SignInFailure {
  error: string;
  username: string;
}

export class SignIn {
  private readonly interactions: InteractionStore<Interaction>;

  constructor(private readonly ctx: ProviderContext) {
    this.interactions = interactionsOf<Interaction>(ctx);
  }

  currentSession(request: FastifyRequest): { session: SessionRecord; user: UserRecord } | null {
    const cookie = request.cookies[this.ctx.sessionCookie];
    if (!cookie) return null;
    const session = this.ctx.sessions.findByCookie(cookie);
    if (!session) return null;
    const user = this.ctx.users.findById(session.user_id);
    return user ? { session, user } : null;
  }

  /**
   * Whether the request may be answered from the existing session. Sessions signed in without script
   * have no browser secret to check, so they are never reused.
   */
  reusable(authz: AuthorizationRequest, session: SessionRecord): boolean {
    if (authz.prompt.has('login')) return false;
    if (authz.maxAge !== null && seconds(this.ctx.clock) - session.auth_time > authz.maxAge) return false;
    return this.ctx.sessions.hasBrowserSecret(session.id);
  }

  redirectError(reply: FastifyReply, redirectUri: string, error: OAuthError, state: string | null) {
    return redirectWith(reply, redirectUri, {
      error: error.error,
      error_description: error.errorDescription,
      state,
      iss: this.ctx.issuer(),
    });
  }

  /** Issues the code and sends the browser back to the client (RFC 6749 §4.1.2, RFC 9207 iss). */
  complete(
    reply: FastifyReply,
    authz: AuthorizationRequest,
    user: UserRecord,
    session: SessionRecord,
    amr: string[],
  ) {
    const now = seconds(this.ctx.clock);
    const settings = this.ctx.settings.get();
    const code = this.ctx.db.transaction(() => {
      const grant = this.ctx.grants.create({
        client_id: authz.client.client_id,
        user_id: user.id,
        username: user.username,
        subject: user.sub,
        scope: authz.scope,
        session_id: session.id,
        auth_time: session.auth_time,
        created_at: now,
      });
      return this.ctx.codes.create({
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
    return redirectWith(reply, authz.redirectUri, { code, state: authz.state, iss: this.ctx.issuer() });
  }

  startSession(
    reply: FastifyReply,
    user: UserRecord,
    method: string,
    browserSecret: string | null,
  ): SessionRecord {
    const now = seconds(this.ctx.clock);
    const { session, cookie } = this.ctx.db.transaction(() => {
      const created = this.ctx.sessions.create(user.id, now, browserSecret);
      this.ctx.events.record('login', {
        username: user.username,
        data: { method, session_id: created.session.id },
      });
      return created;
    })();
    reply.setCookie(this.ctx.sessionCookie, cookie, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(this.ctx),
    });
    return session;
  }

  /** The test user a sign-in form (login or device page) names, if the password (when it has one) matches. */
  checkTestUser(params: Params): { user: UserRecord; amr: string[] } | SignInFailure {
    const user = params.username ? this.ctx.users.findByUsername(params.username) : undefined;
    if (!user)
      return { error: `No test user named "${params.username ?? ''}".`, username: params.username ?? '' };
    if (user.password === null) return { user, amr: [] };
    if (params.password === undefined || !safeEqual(params.password, user.password)) {
      return { error: 'Wrong password.', username: user.username };
    }
    return { user, amr: ['pwd'] };
  }

  /** The session a sign-in form starts, with the browser secret its script posted (if well-formed). */
  startFormSession(reply: FastifyReply, user: UserRecord, amr: string[], params: Params): SessionRecord {
    const secret = params.browser_secret;
    const browserSecret = secret !== undefined && BROWSER_SECRET_PATTERN.test(secret) ? secret : null;
    return this.startSession(reply, user, amr.length ? 'password' : 'test_user', browserSecret);
  }

  /** The test users as the sign-in forms list them. */
  signInUsers(): { username: string; name: string | null; hasPassword: boolean }[] {
    return this.ctx.users.list().map((u) => ({
      username: u.username,
      name: typeof u.claims.name === 'string' ? u.claims.name : null,
      hasPassword: u.password !== null,
    }));
  }

  /** Keeps the request for the page's form post, bound to this browser; returns its id. */
  openInteraction(reply: FastifyReply, authz: AuthorizationRequest): string {
    const id = randomUUID();
    const binding = randomToken();
    this.interactions.set(id, {
      request: authz,
      browserBindingHash: binding,
      expiresAt: this.ctx.clock.now() + BINDING_TTL_MS,
    });
    setBindingCookie(this.ctx, reply, INTERACTION_COOKIE, id, binding);
    return id;
  }

  /**
   * The form post of a login or resume page: its interaction, if it exists and this browser was shown
   * the page. Otherwise the refusal has been sent and the result is null.
   */
  takeInteraction(
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
    const interaction = this.interactions.get(id);
    if (!interaction || interaction.expiresAt < this.ctx.clock.now()) {
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

  closeInteraction(reply: FastifyReply, id: string): void {
    this.interactions.delete(id);
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
  showResume(reply: FastifyReply, authz: AuthorizationRequest) {
    const id = this.openInteraction(reply, authz);
    const clientName = authz.client.client_name ?? authz.client.client_id;
    reply.removeHeader('x-frame-options');
    return sendHtml(reply, 200, resumePage(id, clientName), interactionCsp(authz, true));
  }

  /** The login page; after a failed attempt, with its reason and the username that was typed, kept. */
  showLogin(reply: FastifyReply, authz: AuthorizationRequest, failed: SignInFailure | null, status = 200) {
    const id = this.openInteraction(reply, authz);
    const users = this.signInUsers();
    return sendHtml(
      reply,
      status,
      loginPage({
        interactionId: id,
        clientName: authz.client.client_name ?? authz.client.client_id,
        users,
        loginHint: failed ? failed.username : authz.loginHint,
        error: failed?.error ?? null,
      }),
      // The sign-in form's answer is a 303 to the client's redirect_uri, usually another origin.
      interactionCsp(authz),
    );
  }
}
