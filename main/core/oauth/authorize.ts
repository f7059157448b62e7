import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendHtml } from '../lib/security-headers';
import {
  resolveClientAndRedirect,
  UntrustedRedirectError,
  validateRequest,
} from '../protocol/authorization-request';
import { loginRequired, OAuthError } from '../protocol/errors';
import { faultError } from '../protocol/faults';
import { errorPage } from '../protocol/pages';
import { echoableState } from '../protocol/parameter-limits';
import { duplicatedParameter, type Params, parseParams } from '../protocol/params';
import { SignIn } from '../protocol/sign-in';
import type { ProviderContext } from '../provider/context';
import type { ClientRecord } from '../store/clients';

/** /authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2) and the forms of the pages it shows: /resume, /login. */
export function registerAuthorizeRoutes(app: FastifyInstance, ctx: ProviderContext): void {
  const signIn = new SignIn(ctx);

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
      ({ client, redirectUri } = resolveClientAndRedirect(ctx.clients, params));
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
      // An OAuth error fault (QA lab) goes back to the client like a real refusal, once its redirect is known.
      const fault = ctx.faults.size === 0 ? null : ctx.faults.inEndpoint('authorize');
      const refusal = fault && faultError(fault, false);
      if (refusal) throw refusal;
      const existing = signIn.currentSession(request);
      // The session cookie reaches every port of this host, so it never yields a code by itself.
      const reuse = existing !== null && signIn.reusable(authz, existing.session);
      if (authz.prompt.has('none') && !reuse) throw loginRequired('The user is not signed in (prompt=none).');
      if (reuse) return signIn.showResume(reply, authz);

      if (authz.loginHint && ctx.settings.get().login_hint_skips_login) {
        const hinted = ctx.users.findByUsername(authz.loginHint);
        if (hinted)
          return signIn.complete(
            reply,
            authz,
            hinted,
            signIn.startSession(reply, hinted, 'login_hint', null),
            [],
          );
      }
      return signIn.showLogin(reply, authz, null);
    } catch (error) {
      if (error instanceof OAuthError) return signIn.redirectError(reply, redirectUri, error, state);
      throw error;
    }
  }

  app.get(ctx.paths.authorization, authorize);
  app.post(ctx.paths.authorization, authorize);

  app.post(ctx.paths.resume, async (request, reply) => {
    const taken = signIn.takeInteraction(request, reply);
    if (!taken) return reply;
    const { id, authz, params } = taken;
    signIn.closeInteraction(reply, id);
    const existing = signIn.currentSession(request);
    const secret = params.browser_secret;
    if (
      existing &&
      signIn.reusable(authz, existing.session) &&
      secret !== undefined &&
      ctx.sessions.matchesBrowserSecret(existing.session.id, secret)
    ) {
      return signIn.complete(reply, authz, existing.user, existing.session, []);
    }
    // A replayed cookie, or a browser whose storage was cleared or runs no script: sign in again.
    if (authz.prompt.has('none')) {
      const error = loginRequired('The session could not be confirmed in this browser (prompt=none).');
      return signIn.redirectError(reply, authz.redirectUri, error, authz.state);
    }
    return signIn.showLogin(reply, authz, null);
  });

  app.post(ctx.paths.login, async (request, reply) => {
    const taken = signIn.takeInteraction(request, reply);
    if (!taken) return reply;
    const { id, authz, params } = taken;
    const checked = signIn.checkTestUser(params);
    if ('error' in checked) return signIn.showLogin(reply, authz, checked, 401);
    signIn.closeInteraction(reply, id);
    const session = signIn.startFormSession(reply, checked.user, checked.amr, params);
    return signIn.complete(reply, authz, checked.user, session, checked.amr);
  });
}
