import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { seconds } from '../clock';
import type { ProviderContext } from '../context';
import { sendHtml } from '../http/security-headers';
import type { ClientRecord } from '../store/clients';
import { SESSION_COOKIE } from './authorize';
import { errorPage, signedOutPage } from './pages';
import { type Params, readParams } from './params';

/**
 * RP-Initiated Logout 1.0: ends the browser session, revokes the grants made in it (so their refresh
 * and access tokens stop working), and returns to a registered post_logout_redirect_uri with `state`.
 */
export function registerLogoutRoute(app: FastifyInstance, ctx: ProviderContext): void {
  /** The client an id_token_hint was issued to, if the hint is an ID token we signed (expired is fine). */
  async function clientFromHint(hint: string): Promise<string | null> {
    const keys = ctx.keys.published();
    try {
      const { protectedHeader } = await compactVerify(
        hint,
        createLocalJWKSet({ keys: keys.map((k) => k.public_jwk) }),
        {
          algorithms: [...new Set(keys.map((k) => k.alg))],
        },
      );
      if (protectedHeader.typ === 'at+jwt') return null;
      const claims = decodeJwt(hint);
      if (claims.iss !== ctx.issuer()) return null;
      return typeof claims.aud === 'string' ? claims.aud : (claims.aud?.[0] ?? null);
    } catch {
      return null;
    }
  }

  async function logout(request: FastifyRequest, reply: FastifyReply) {
    let params: Params;
    try {
      params = readParams(request, 'either');
    } catch (error) {
      return sendHtml(reply, 400, errorPage('Invalid logout request', (error as Error).message));
    }
    let clientId = params.client_id ?? null;
    if (params.id_token_hint) {
      const hinted = await clientFromHint(params.id_token_hint);
      if (!hinted)
        return sendHtml(
          reply,
          400,
          errorPage('Invalid logout request', 'id_token_hint is not an ID token issued by this provider.'),
        );
      if (clientId && clientId !== hinted) {
        return sendHtml(
          reply,
          400,
          errorPage('Invalid logout request', 'client_id does not match the id_token_hint.'),
        );
      }
      clientId = hinted;
    }
    let client: ClientRecord | undefined;
    if (clientId) {
      client = ctx.clients.find(clientId);
      if (!client)
        return sendHtml(reply, 400, errorPage('Invalid logout request', `Unknown client "${clientId}".`));
    }
    const target = params.post_logout_redirect_uri;
    if (target !== undefined) {
      if (!client) {
        return sendHtml(
          reply,
          400,
          errorPage('Invalid logout request', 'post_logout_redirect_uri needs id_token_hint or client_id.'),
        );
      }
      if (!client.post_logout_redirect_uris.includes(target)) {
        return sendHtml(
          reply,
          400,
          errorPage(
            'Invalid logout request',
            `post_logout_redirect_uri "${target}" is not registered for client "${client.client_id}".`,
          ),
        );
      }
    }

    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie ? ctx.sessions.findByCookie(cookie) : undefined;
    if (session) {
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
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (target !== undefined) {
      const url = new URL(target);
      if (params.state !== undefined) url.searchParams.set('state', params.state);
      return reply.header('cache-control', 'no-store').redirect(url.href, 303);
    }
    return sendHtml(reply, 200, signedOutPage());
  }

  app.get('/logout', logout);
  app.post('/logout', logout);
}
