import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { seconds } from '../lib/clock';
import { authenticateClient } from '../protocol/client-auth';
import { boundJkt, DPOP_SIGNING_ALGS, verifyDpopProof } from '../protocol/dpop';
import {
  insufficientScope,
  invalidDpopProofAtResource,
  invalidDpopToken,
  invalidRequest,
  invalidToken,
  missingBearer,
  OAuthError,
  unsupportedTokenType,
} from '../protocol/errors';
import { readParams, required } from '../protocol/params';
import type { ProviderContext } from '../provider/context';
import type { ClientRecord } from '../store/clients';
import type { TokenRecord } from '../store/tokens';
import {
  type ClaimContext,
  decideClaims,
  introspectionMayReshape,
  tokenClaimContext,
} from '../tokens/claim-mapping';
import { splitScope } from '../tokens/claims';

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

interface PresentedToken {
  value: string;
  /** RFC 9449 §7.1: sent as `Authorization: DPoP <token>`, the only way a DPoP-bound token may come. */
  dpop: boolean;
}

/** RFC 6750 §2.1 header or §2.2 form body, never both; or RFC 9449's DPoP authorization header. */
function presentedToken(request: FastifyRequest): PresentedToken {
  const header = request.headers.authorization;
  const dpop = typeof header === 'string' && /^dpop /i.test(header);
  const fromHeader =
    typeof header === 'string' && (dpop || /^bearer /i.test(header))
      ? header.slice(dpop ? 5 : 7).trim()
      : undefined;
  let fromBody: string | undefined;
  if (
    request.method === 'POST' &&
    (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    fromBody = readParams(request, 'body').access_token;
  }
  if (fromHeader && fromBody) throw invalidRequest('Send the access token once: header or body, not both.');
  const token = fromHeader ?? fromBody;
  if (!token) throw missingBearer();
  return { value: token, dpop };
}

/**
 * RFC 9449 §7.1: a DPoP-bound token (`jkt`, its cnf.jkt) must come with the DPoP scheme and a proof of
 * its key (with `ath`); an unbound one with the Bearer scheme. Called only when one of the two is DPoP.
 */
async function checkSenderConstraint(
  ctx: ProviderContext,
  request: FastifyRequest,
  presented: PresentedToken,
  jkt: string | null,
  record: TokenRecord,
): Promise<void> {
  if (jkt === null) {
    throw invalidToken('This access token is not DPoP-bound: send it as "Authorization: Bearer <token>".');
  }
  if (!presented.dpop) {
    throw invalidDpopToken(
      'This access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof of its key.',
      DPOP_SIGNING_ALGS,
    );
  }
  const nonceRequired = ctx.clients.find(record.client_id)?.dpop_nonce_required === true;
  const proof = await verifyDpopProof(ctx, request, { accessToken: presented.value, nonceRequired });
  if (proof.jkt !== jkt) {
    throw invalidDpopProofAtResource(
      `The DPoP proof is signed by another key (thumbprint ${proof.jkt}) than the one the access token is bound to (${jkt}).`,
      DPOP_SIGNING_ALGS,
    );
  }
}

/** Userinfo (OIDC Core §5.3) and revocation (RFC 7009): endpoints a browser app may call (CORS). */
export function registerResourceEndpoints(app: FastifyInstance, ctx: ProviderContext): void {
  async function userinfo(request: FastifyRequest, reply: FastifyReply) {
    const presented = presentedToken(request);
    const resolved = await ctx.tokenService.resolveAccessToken(presented.value);
    if (!resolved || !ctx.tokenService.isActive(resolved.record)) {
      const description = 'The access token is unknown, expired or revoked.';
      // RFC 9449 §7.1: the challenge names the scheme the token was sent with.
      throw presented.dpop ? invalidDpopToken(description, DPOP_SIGNING_ALGS) : invalidToken(description);
    }
    // An unbound token sent as Bearer (the hot path) pays one property read here, no await.
    const jkt = boundJkt(resolved.claims);
    const { record } = resolved;
    if (jkt !== null || presented.dpop) await checkSenderConstraint(ctx, request, presented, jkt, record);
    const scopes = splitScope(record.scope);
    if (!scopes.includes('openid'))
      throw insufficientScope('Userinfo needs a token with the openid scope.', 'openid');
    const user = record.user_id ? ctx.users.findById(record.user_id) : undefined;
    if (!user)
      throw invalidToken('This access token has no user (client_credentials) or its user was deleted.');
    ctx.writes.runDetachedStatement(() => ctx.tokens.touch(record.id, seconds(ctx.clock)));
    // The token's client decides (claim mapping), as it did for the token; a deleted client: the defaults.
    const context = {
      user,
      client: ctx.clients.find(record.client_id) ?? null,
      scopes,
      scopeClaims: ctx.settings.get().scope_claims,
      profile: ctx.claimProfile(),
    };
    return noStore(reply).send({ ...decideClaims(context, 'userinfo').claims, sub: user.sub });
  }
  app.get(ctx.paths.userinfo, userinfo);
  app.post(ctx.paths.userinfo, userinfo);

  app.post(ctx.paths.revocation, async (request, reply) => {
    const params = readParams(request, 'body');
    const { client } = await authenticateClient(request, params, ctx);
    const token = required(params, 'token');
    const hint = params.token_type_hint;
    if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
      throw unsupportedTokenType(`token_type_hint "${hint}" is not supported.`);
    }
    const resolved = await ctx.tokenService.resolveAnyToken(token, hint);
    // RFC 7009 §2.2: unknown or already invalid tokens are answered with 200 all the same.
    if (!resolved) return noStore(reply).code(200).send();
    const { record } = resolved;
    if (record.client_id !== client.client_id) {
      throw invalidRequest(
        'This token was issued to another client; a client can revoke only its own tokens.',
      );
    }
    const now = seconds(ctx.clock);
    ctx.db.transaction(() => {
      const ids = ctx.tokens.revoke(record.id, 'revoked_by_client', now) ? [record.id] : [];
      // Revoking a refresh token ends its grant: the access tokens issued from it go too (RFC 7009 §2.1).
      if (record.kind === 'refresh' && record.grant_id) {
        ctx.grants.revoke(record.grant_id, 'revoked_by_client', now);
        ids.push(...ctx.tokens.revokeWhere('grant_id', record.grant_id, 'revoked_by_client', now));
      }
      for (const id of ids) {
        ctx.events.record('token.revoked', {
          client_id: client.client_id,
          username: record.username,
          token_id: id,
          data: { by: 'client', kind: id === record.id ? record.kind : 'grant' },
        });
      }
    })();
    return noStore(reply).code(200).send();
  });
}

/**
 * RFC 7662 §4: a caller learns about a token only if it is the client the token was issued to, or a
 * resource server the access token is addressed to (its client_id in `aud`), or a gateway allowed to
 * see every token (`introspect_any_token`). A refresh token is presented to nobody but this server, so
 * only its own client (or a gateway) may ask about it.
 */
function mayIntrospect(caller: ClientRecord, token: TokenRecord): boolean {
  if (caller.introspect_any_token || token.client_id === caller.client_id) return true;
  return token.kind === 'access' && token.audience.includes(caller.client_id);
}

/**
 * The claim context introspection decides the answer's claims with, or undefined when deciding could
 * only give the token's own claims back (claim-mapping.ts introspectionMayReshape): then the answer is
 * those claims, as TokenService.introspection gives without a context.
 */
function introspectionContext(ctx: ProviderContext, record: TokenRecord): ClaimContext | undefined {
  if (!introspectionMayReshape(ctx.clients.find(record.client_id), ctx.shape.profile)) return undefined;
  return tokenClaimContext(ctx, record);
}

/** Token introspection (RFC 7662): for resource servers only, never from a browser (no CORS). */
export function registerIntrospectionRoute(app: FastifyInstance, ctx: ProviderContext): void {
  app.post(ctx.paths.introspection, async (request, reply) => {
    const params = readParams(request, 'body');
    // Secrets and opaque tokens are answered without a promise: awaiting one only when there is one
    // keeps a reference token's introspection free of a wait.
    const authenticated = authenticateClient(request, params, ctx);
    const { client } = authenticated instanceof Promise ? await authenticated : authenticated;
    if (client.token_endpoint_auth_method === 'none') {
      throw new OAuthError(
        401,
        'invalid_client',
        'Introspection needs a confidential client (one with a secret).',
      );
    }
    const token = required(params, 'token');
    const found = ctx.tokenService.resolveAnyToken(token, params.token_type_hint);
    const resolved = found instanceof Promise ? await found : found;
    const visible = resolved !== null && mayIntrospect(client, resolved.record);
    const body = ctx.tokenService.introspection(
      visible ? resolved : null,
      visible ? introspectionContext(ctx, resolved.record) : undefined,
    );
    // One statement: the event is all this request writes.
    ctx.writes.runDetachedStatement(() =>
      ctx.events.record('token.introspected', {
        client_id: client.client_id,
        username: resolved?.record.username ?? null,
        token_id: resolved?.record.id ?? null,
        data: {
          active: body.active === true,
          caller: client.client_id,
          // The timeline says why a live token was answered inactive: the caller may not see it.
          ...(resolved && !visible ? { hidden_from_caller: true } : {}),
        },
      }),
    );
    return noStore(reply).send(body);
  });
}
