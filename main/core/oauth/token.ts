import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { seconds } from '../clock';
import type { ProviderContext } from '../context';
import { safeEqual } from '../http/admin-auth';
import type { ClientRecord } from '../store/clients';
import type { GrantRecord } from '../store/grants';
import { REUSE_DETECTED } from '../store/tokens';
import type { UserRecord } from '../store/users';
import type { IssueRequest, PreparedTokens } from '../tokens/service';
import { checkResources, grantedScope, parseResource } from './authorize';
import { IDENTITY_SCOPES, machineScope, splitScope } from './claims';
import { authenticateClient } from './client-auth';
import {
  invalidGrant,
  invalidScope,
  invalidTarget,
  unauthorizedClient,
  unsupportedGrantType,
} from './errors';
import { type Params, readParams, readRepeated, required } from './params';

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
function pkceMatches(verifier: string, challenge: string): boolean {
  return safeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}

export function defaultAudience(client: ClientRecord): string[] {
  return client.audience.length ? client.audience : [client.client_id];
}

export function registerTokenRoute(app: FastifyInstance, ctx: ProviderContext): void {
  const now = () => seconds(ctx.clock);

  function requireGrantType(client: ClientRecord, grantType: string) {
    if (!client.grant_types.includes(grantType as ClientRecord['grant_types'][number])) {
      throw unauthorizedClient(`Client "${client.client_id}" is not allowed the ${grantType} grant.`);
    }
  }

  /** Revokes every token of a grant after a replay, then records why; committed even though the request fails. */
  function revokeForReplay(grant: GrantRecord, reason: string, replayedTokenId: string | null) {
    const at = now();
    ctx.db.transaction(() => {
      ctx.grants.revoke(grant.id, reason, at);
      if (replayedTokenId) ctx.tokens.revoke(replayedTokenId, REUSE_DETECTED, at);
      const revoked = ctx.tokens.revokeWhere('grant_id', grant.id, reason, at);
      ctx.events.record(reason === 'code_reuse' ? 'code.reuse_detected' : 'token.reuse_detected', {
        client_id: grant.client_id,
        username: grant.username,
        token_id: replayedTokenId,
        data: { grant_id: grant.id, revoked: revoked.length },
      });
    })();
  }

  /**
   * Re-checked inside every issuing transaction. Tokens are signed before it (never inside one), so a
   * logout, revocation or deletion can commit while a request sits between its first checks and its
   * write; without this it would then store active tokens in a revoked grant, or for a user or client
   * that no longer exists. It throws, so the transaction rolls back whatever it had written.
   */
  function assertStillIssuable(grantId: string | null, clientId: string, userId: string | null): void {
    if (grantId !== null) {
      const grant = ctx.grants.find(grantId);
      if (!grant || grant.revoked_at !== null) {
        throw invalidGrant(
          'The grant was revoked (logout or revocation) while the tokens were being issued.',
        );
      }
    }
    if (!ctx.clients.find(clientId))
      throw invalidGrant('The client was deleted while the tokens were being issued.');
    if (userId !== null && !ctx.users.findById(userId)) {
      throw invalidGrant('The user was deleted while the tokens were being issued.');
    }
  }

  function recordIssued(prepared: PreparedTokens, grantType: string) {
    for (const token of prepared.records) {
      ctx.events.record('token.issued', {
        client_id: token.client_id,
        username: token.username,
        token_id: token.id,
        data: { kind: token.kind, format: token.format, grant_type: grantType, grant_id: token.grant_id },
      });
    }
  }

  async function authorizationCode(client: ClientRecord, params: Params) {
    requireGrantType(client, 'authorization_code');
    const code = ctx.codes.find(required(params, 'code'));
    if (!code || code.client_id !== client.client_id)
      throw invalidGrant('The authorization code is unknown or was issued to another client.');
    const grant = ctx.grants.find(code.grant_id);
    if (!grant) throw invalidGrant('The authorization code is no longer valid.');
    if (code.used_at !== null) {
      revokeForReplay(grant, 'code_reuse', null);
      throw invalidGrant('The authorization code was already used; the tokens it produced are now revoked.');
    }
    // A logout or revocation ends the authorization, and with it any code not yet redeemed.
    if (grant.revoked_at !== null)
      throw invalidGrant('The authorization was ended before the code was redeemed.');
    if (code.expires_at <= now()) throw invalidGrant('The authorization code has expired.');
    if (required(params, 'redirect_uri') !== code.redirect_uri) {
      throw invalidGrant('redirect_uri does not match the one in the authorization request.');
    }
    const verifier = params.code_verifier;
    if (code.code_challenge) {
      if (!verifier) throw invalidGrant('code_verifier is required: the authorization request used PKCE.');
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw invalidGrant('code_verifier is malformed.');
      if (!pkceMatches(verifier, code.code_challenge))
        throw invalidGrant('code_verifier does not match the code_challenge.');
    } else if (verifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
      throw invalidGrant('code_verifier was sent but the authorization request had no code_challenge.');
    }
    const user = grant.user_id ? ctx.users.findById(grant.user_id) : undefined;
    if (!user) throw invalidGrant('The user of this authorization no longer exists.');

    const prepared = await ctx.tokenService.prepare({
      client,
      user,
      grant,
      scope: code.scope,
      audience: code.resources.length ? code.resources : defaultAudience(client),
      nonce: code.nonce,
      authTime: grant.auth_time,
      sid: grant.session_id,
      amr: code.amr.length ? code.amr : null,
      withRefresh: client.grant_types.includes('refresh_token'),
      withIdToken: splitScope(code.scope).includes('openid'),
    });
    const won = await ctx.writes.run(() => {
      assertStillIssuable(grant.id, client.client_id, user.id);
      if (!ctx.codes.markUsed(code.code_hash, now())) return false;
      ctx.tokenService.store(prepared);
      recordIssued(prepared, 'authorization_code');
      return true;
    });
    if (!won) {
      revokeForReplay(grant, 'code_reuse', null);
      throw invalidGrant('The authorization code was already used; the tokens it produced are now revoked.');
    }
    return prepared.response;
  }

  async function refreshToken(client: ClientRecord, params: Params) {
    requireGrantType(client, 'refresh_token');
    const resolved = ctx.tokenService.resolveRefreshToken(required(params, 'refresh_token'));
    if (!resolved || resolved.record.client_id !== client.client_id) {
      throw invalidGrant('The refresh token is unknown or was issued to another client.');
    }
    const token = resolved.record;
    const grant = token.grant_id ? ctx.grants.find(token.grant_id) : undefined;
    if (!grant) throw invalidGrant('The refresh token is no longer valid.');
    if (token.rotated_at !== null) {
      revokeForReplay(grant, 'refresh_token_reuse', token.id);
      throw invalidGrant('The refresh token was already used; the whole token family is now revoked.');
    }
    if (token.revoked_at !== null || grant.revoked_at !== null)
      throw invalidGrant('The refresh token has been revoked.');
    if (token.expires_at <= now()) throw invalidGrant('The refresh token has expired.');

    const granted = splitScope(grant.scope);
    let scope = token.scope;
    if (params.scope !== undefined) {
      const requested = splitScope(params.scope);
      const wider = requested.filter((s) => !granted.includes(s));
      if (wider.length)
        throw invalidScope(`Scope ${wider.map((s) => `"${s}"`).join(', ')} was not originally granted.`);
      scope = [...new Set(requested)].join(' ');
    }
    const resources = parseResource(readRepeated(params, 'resource'));
    if (resources.some((r) => !token.audience.includes(r))) {
      throw invalidTarget('A refresh can only narrow the audience to resources of the original grant.');
    }
    const user = grant.user_id ? ctx.users.findById(grant.user_id) : null;
    if (grant.user_id && !user) throw invalidGrant('The user of this grant no longer exists.');
    const previous = token.claims as { auth_time?: number; sid?: string; amr?: string[] };

    const prepared = await ctx.tokenService.prepare({
      client,
      user: user ?? null,
      grant,
      scope,
      audience: resources.length ? resources : token.audience,
      parentId: token.id,
      authTime: previous.auth_time ?? grant.auth_time,
      sid: previous.sid ?? grant.session_id,
      amr: previous.amr ?? null,
      withRefresh: true,
      withIdToken: Boolean(user) && splitScope(scope).includes('openid'),
    });
    const won = await ctx.writes.run(() => {
      if (!ctx.tokens.markRotated(token.id, now())) {
        // Refused because another request rotated it first (reuse, below), or because a revocation
        // committed while the new tokens were being signed: that is no reuse, nobody presented the
        // token twice, so it is answered as revoked without a reuse_detected event.
        const current = ctx.tokens.findById(token.id);
        if (!current || current.rotated_at === null)
          throw invalidGrant('The refresh token has been revoked.');
        return false;
      }
      assertStillIssuable(grant.id, client.client_id, user?.id ?? null);
      ctx.tokenService.store(prepared);
      recordIssued(prepared, 'refresh_token');
      ctx.events.record('token.refreshed', {
        client_id: client.client_id,
        username: token.username,
        token_id: token.id,
        data: { grant_id: grant.id, replaced_by: prepared.refresh?.id ?? null },
      });
      return true;
    });
    if (!won) {
      // Another request rotated this token first: a second use of one refresh token is reuse.
      revokeForReplay(grant, 'refresh_token_reuse', token.id);
      throw invalidGrant('The refresh token was already used; the whole token family is now revoked.');
    }
    return prepared.response;
  }

  async function issueFresh(
    client: ClientRecord,
    user: UserRecord | null,
    scope: string,
    resources: string[],
    grantType: string,
    extra: Partial<IssueRequest>,
  ) {
    const at = now();
    // A user's tokens belong to a grant, stored with them in one transaction once they are signed (it
    // links refresh chains and ends with a logout or revocation). A client_credentials token is its own
    // whole story: no family, no session, so no grant row.
    const grant = user ? ctx.grants.buildDirect(client, user, scope, at) : null;
    const prepared = await ctx.tokenService.prepare({
      client,
      user,
      grant,
      scope,
      audience: resources.length ? resources : defaultAudience(client),
      withRefresh: false,
      withIdToken: false,
      ...extra,
    });
    await ctx.writes.run(() => {
      if (grant) ctx.grants.insert(grant);
      assertStillIssuable(grant?.id ?? null, client.client_id, user?.id ?? null);
      ctx.tokenService.store(prepared);
      recordIssued(prepared, grantType);
    });
    return prepared.response;
  }

  async function clientCredentials(client: ClientRecord, params: Params) {
    requireGrantType(client, 'client_credentials');
    let scope = machineScope(client.scope);
    if (params.scope !== undefined) {
      const requested = splitScope(params.scope);
      const identity = requested.filter((s) => IDENTITY_SCOPES.has(s));
      if (identity.length) {
        throw invalidScope(
          `client_credentials tokens have no user, so ${identity.join(', ')} cannot be requested.`,
        );
      }
      scope = grantedScope(client, params.scope);
    }
    const resources = parseResource(readRepeated(params, 'resource'));
    checkResources(client, resources);
    return issueFresh(client, null, scope, resources, 'client_credentials', {});
  }

  async function password(client: ClientRecord, params: Params) {
    requireGrantType(client, 'password');
    const user = ctx.users.findByUsername(required(params, 'username'));
    const given = params.password ?? '';
    if (!user || (user.password !== null && !safeEqual(given, user.password))) {
      throw invalidGrant('Wrong username or password.');
    }
    const scope = grantedScope(client, params.scope);
    const resources = parseResource(readRepeated(params, 'resource'));
    checkResources(client, resources);
    ctx.events.record('login', {
      username: user.username,
      client_id: client.client_id,
      data: { method: 'password_grant' },
    });
    return issueFresh(client, user, scope, resources, 'password', {
      withRefresh: client.grant_types.includes('refresh_token'),
      withIdToken: splitScope(scope).includes('openid'),
      authTime: now(),
      amr: user.password !== null ? ['pwd'] : null,
    });
  }

  app.post('/token', async (request, reply) => {
    const params = readParams(request, 'body');
    const { client } = authenticateClient(request, params, ctx.clients);
    const grantType = required(params, 'grant_type');
    let body: Record<string, unknown>;
    switch (grantType) {
      case 'authorization_code':
        body = await authorizationCode(client, params);
        break;
      case 'refresh_token':
        body = await refreshToken(client, params);
        break;
      case 'client_credentials':
        body = await clientCredentials(client, params);
        break;
      case 'password':
        body = await password(client, params);
        break;
      default:
        throw unsupportedGrantType(`grant_type "${grantType}" is not supported.`);
    }
    return noStore(reply).send(body);
  });
}
