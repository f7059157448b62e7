import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compactVerify, decodeJwt } from 'jose';
import { seconds } from '../lib/clock';
import { randomToken } from '../lib/secrets';
import { pageCsp, redirectSource, sendHtml } from '../lib/security-headers';
import {
  BINDING_TTL_MS,
  bindingMatches,
  clearBindingCookie,
  setBindingCookie,
} from '../protocol/browser-binding';
import { heldBytes, InteractionStore } from '../protocol/interactions';
import { errorPage, logoutConfirmPage, signedOutPage } from '../protocol/pages';
import { PARAMETER_LIMITS } from '../protocol/parameter-limits';
import { type Params, readParams } from '../protocol/params';
import type { ProviderContext } from '../provider/context';
import type { ClientRecord } from '../store/clients';
import type { SessionRecord } from '../store/sessions';
import { verificationKeys } from '../tokens/verification-keys';

const LOGOUT_COOKIE = 'idp_sandbox_logout';
/** Confirmation pages kept at once; each is small, and the oldest give way first. */
const MAX_PENDING_LOGOUTS = 1000;

/** A logout request waiting for the user to confirm it, bound to the browser it was shown in. */
interface PendingLogout {
  client: ClientRecord | undefined;
  target: string | undefined;
  state: string | undefined;
  binding: string;
  expiresAt: number;
}

/**
 * The client an id_token_hint was issued to and the session it was issued in, if the hint is an ID
 * token we signed (expired is fine).
 */
async function readHint(
  ctx: ProviderContext,
  hint: string,
): Promise<{ clientId: string; sid: string | null } | null> {
  const { jwks, algorithms } = verificationKeys(ctx.keys.published());
  try {
    const { protectedHeader } = await compactVerify(hint, jwks, { algorithms });
    if (protectedHeader.typ === 'at+jwt') return null;
    const claims = decodeJwt(hint);
    if (claims.iss !== ctx.issuer()) return null;
    const clientId = typeof claims.aud === 'string' ? claims.aud : claims.aud?.[0];
    if (!clientId) return null;
    return { clientId, sid: typeof claims.sid === 'string' ? claims.sid : null };
  } catch {
    return null;
  }
}

function endSession(
  ctx: ProviderContext,
  session: SessionRecord | undefined,
  client: ClientRecord | undefined,
): void {
  if (!session) return;
  const now = seconds(ctx.clock);
  const user = ctx.users.findById(session.user_id);
  ctx.db.transaction(() => {
    ctx.sessions.end(session.id, now);
    let revoked = 0;
    for (const grant of ctx.grants.bySession(session.id)) {
      ctx.grants.revoke(grant.id, 'logout', now);
      revoked += ctx.tokens.revokeWhere('grant_id', grant.id, 'logout', now).length;
    }
    ctx.events.record('logout', {
      client_id: client?.client_id ?? null,
      username: user?.username ?? null,
      data: { session_id: session.id, revoked_tokens: revoked },
    });
  })();
}

/** Refused logout requests: shown as a page (there is no trusted place to redirect to). */
class InvalidLogoutRequest extends Error {}

interface LogoutRequest {
  client: ClientRecord | undefined;
  target: string | undefined;
  /** The session of the ID token sent as id_token_hint, when there was one. */
  hintedSid: string | null;
}

/** Checks a logout request's parameters (RP-Initiated Logout §2, §3); throws InvalidLogoutRequest. */
async function readLogoutRequest(ctx: ProviderContext, params: Params): Promise<LogoutRequest> {
  let hintedSid: string | null = null;
  // A pending confirmation keeps `state` in memory: bounded as at /authorize (finding: any page can
  // make the browser open one).
  const stateBytes = Buffer.byteLength(params.state ?? '', 'utf8');
  if (stateBytes > PARAMETER_LIMITS.state) {
    throw new InvalidLogoutRequest(
      `state is too long: at most ${PARAMETER_LIMITS.state} bytes (got ${stateBytes}).`,
    );
  }
  let clientId = params.client_id ?? null;
  if (params.id_token_hint) {
    const hint = await readHint(ctx, params.id_token_hint);
    if (!hint) throw new InvalidLogoutRequest('id_token_hint is not an ID token issued by this provider.');
    if (clientId && clientId !== hint.clientId) {
      throw new InvalidLogoutRequest('client_id does not match the id_token_hint.');
    }
    clientId = hint.clientId;
    hintedSid = hint.sid;
  }
  let client: ClientRecord | undefined;
  if (clientId) {
    client = ctx.clients.find(clientId);
    if (!client) throw new InvalidLogoutRequest(`Unknown client "${clientId}".`);
  }
  const target = params.post_logout_redirect_uri;
  if (target !== undefined) {
    if (!client) {
      throw new InvalidLogoutRequest('post_logout_redirect_uri needs id_token_hint or client_id.');
    }
    if (!client.post_logout_redirect_uris.includes(target)) {
      throw new InvalidLogoutRequest(
        `post_logout_redirect_uri "${target}" is not registered for client "${client.client_id}".`,
      );
    }
  }

  return { client, target, hintedSid };
}

/**
 * RP-Initiated Logout 1.0: ends the browser session, revokes the grants made in it (so their refresh
 * and access tokens stop working), and returns to a registered post_logout_redirect_uri with `state`.
 * Only a valid id_token_hint ends the session at once; any other request, which any site could make
 * by navigating the browser here, is confirmed by the user first (§2).
 */
export function registerLogoutRoute(app: FastifyInstance, ctx: ProviderContext): void {
  const pending = new InteractionStore<PendingLogout>(
    () => ctx.clock.now(),
    (logout) => heldBytes([logout.target, logout.state, logout.binding]),
    MAX_PENDING_LOGOUTS,
  );

  function liveSession(request: FastifyRequest): SessionRecord | undefined {
    const cookie = request.cookies[ctx.sessionCookie];
    return cookie ? ctx.sessions.findByCookie(cookie) : undefined;
  }

  function finish(reply: FastifyReply, target: string | undefined, state: string | undefined) {
    reply.clearCookie(ctx.sessionCookie, { path: '/' });
    if (target !== undefined) {
      const url = new URL(target);
      if (state !== undefined) url.searchParams.set('state', state);
      return reply.header('cache-control', 'no-store').redirect(url.href, 303);
    }
    return sendHtml(reply, 200, signedOutPage());
  }

  function askToConfirm(reply: FastifyReply, logout: Omit<PendingLogout, 'binding' | 'expiresAt'>) {
    const id = randomUUID();
    const binding = randomToken();
    pending.set(id, { ...logout, binding, expiresAt: ctx.clock.now() + BINDING_TTL_MS });
    setBindingCookie(ctx, reply, LOGOUT_COOKIE, id, binding);
    const clientName = logout.client ? (logout.client.client_name ?? logout.client.client_id) : null;
    // The confirmed post may end in a redirect to the post_logout_redirect_uri: form-action names it.
    const csp = pageCsp({
      formTarget: logout.target === undefined ? undefined : redirectSource(logout.target),
    });
    return sendHtml(reply, 200, logoutConfirmPage(id, clientName), csp);
  }

  async function logout(request: FastifyRequest, reply: FastifyReply) {
    let params: Params;
    try {
      params = readParams(request, 'either');
    } catch (error) {
      return sendHtml(reply, 400, errorPage('Invalid logout request', (error as Error).message));
    }
    let checked: LogoutRequest;
    try {
      checked = await readLogoutRequest(ctx, params);
    } catch (error) {
      if (!(error instanceof InvalidLogoutRequest)) throw error;
      return sendHtml(reply, 400, errorPage('Invalid logout request', error.message));
    }
    const { client, target, hintedSid } = checked;
    const session = liveSession(request);
    // An ID token of this very session proves the request comes from an RP the user signed in to;
    // anything else could be any site's navigation. Without a session there is nothing to end.
    if (session && hintedSid !== session.id)
      return askToConfirm(reply, { client, target, state: params.state });
    endSession(ctx, session, client);
    return finish(reply, target, params.state);
  }

  async function confirm(request: FastifyRequest, reply: FastifyReply) {
    let params: Params;
    try {
      params = readParams(request, 'body');
    } catch (error) {
      return sendHtml(reply, 400, errorPage('Invalid logout request', (error as Error).message));
    }
    const id = params.logout_request ?? '';
    const logout = pending.get(id);
    if (!logout) {
      return sendHtml(
        reply,
        400,
        errorPage('Sign-out expired', 'This sign-out page has expired. Start again from the application.'),
      );
    }
    // The cookie set with the page must come back: a form posted from another site lacks it.
    if (!bindingMatches(request, LOGOUT_COOKIE, id, logout.binding)) {
      return sendHtml(
        reply,
        403,
        errorPage('Sign-out refused', 'This sign-out was not asked for in this browser (CSRF check failed).'),
      );
    }
    pending.delete(id);
    clearBindingCookie(reply, LOGOUT_COOKIE, id);
    endSession(ctx, liveSession(request), logout.client);
    return finish(reply, logout.target, logout.state);
  }

  app.get(ctx.paths.endSession, logout);
  app.post(ctx.paths.endSession, logout);
  app.post(ctx.paths.endSessionConfirm, confirm);
}
