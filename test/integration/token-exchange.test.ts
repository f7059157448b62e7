import { createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, Token, Workspace } from '../../shared/schemas';
import { runningClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  expectInactive,
  introspect,
  listTokens,
  obtainCode,
  postForm,
  REDIRECT,
  redeem,
  signedInTokens,
} from '../helpers/oauth-http';

// RFC 8693 token exchange driven by openid-client v6's genericGrantRequest, strictly (its only
// allowance is plain HTTP on loopback), with every issued JWT verified by jose against the JWKS.

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TYPE = {
  access: 'urn:ietf:params:oauth:token-type:access_token',
  refresh: 'urn:ietf:params:oauth:token-type:refresh_token',
  id: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
};

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice Example' } },
    // Her tokens say only the gateway may act for her (RFC 8693 §4.4 may_act, a custom claim).
    { username: 'carol', password: 'carol-pw', sub: 'carol-sub', claims: { may_act: { sub: 'gateway' } } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access orders:read orders:write',
      access_token_format: 'jwt',
      audience: ['orders-api'],
    },
    {
      client_id: 'portal',
      client_secret: 'portal-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid profile orders:read',
      access_token_format: 'reference',
      audience: ['orders-api'],
    },
    {
      // A resource server that calls billing for the user, as itself (delegation only: the default).
      client_id: 'orders-api',
      client_secret: 'orders-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'orders:read',
      audience: ['orders-api'],
      token_exchange: { allowed_audiences: ['billing-api', 'https://billing.example/api'] },
    },
    {
      client_id: 'billing-api',
      client_secret: 'billing-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'billing:read',
      audience: ['billing-api'],
      token_exchange: { allowed_audiences: ['ledger-api'] },
    },
    {
      // May impersonate and exchange its own refresh tokens; issues reference tokens by default.
      client_id: 'impersonator',
      client_secret: 'impersonator-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', EXCHANGE],
      scope: 'openid profile offline_access orders:read',
      access_token_format: 'reference',
      token_exchange: {
        allowed_audiences: ['orders-api'],
        may_impersonate: true,
        allow_refresh_token_subject: true,
      },
    },
    {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'orders:read',
      token_exchange: { may_impersonate: true },
    },
    { client_id: 'no-exchange', client_secret: 'no-secret', grant_types: ['client_credentials'], scope: 'x' },
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      introspect_any_token: true,
    },
  ],
};

const clock = runningClock();
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;
const configs = new Map<string, oidc.Configuration>();

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true, clock });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

/** openid-client for a seeded client (secret `<first word>-secret`), strict but for HTTP on loopback. */
async function rp(clientId: string): Promise<oidc.Configuration> {
  const known = configs.get(clientId);
  if (known) return known;
  const secret = `${clientId.split('-')[0]}-secret`;
  const config = await oidc.discovery(
    new URL(engine.issuer),
    clientId,
    secret,
    oidc.ClientSecretBasic(secret),
    { execute: [oidc.allowInsecureRequests] },
  );
  configs.set(clientId, config);
  return config;
}

function exchange(clientId: string, parameters: Record<string, string> | URLSearchParams) {
  return rp(clientId).then((config) => oidc.genericGrantRequest(config, EXCHANGE, parameters));
}

/** The OAuth error an exchange is refused with (openid-client's ResponseBodyError). */
async function refused(clientId: string, parameters: Record<string, string> | URLSearchParams) {
  try {
    await exchange(clientId, parameters);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) {
      return { status: error.status, error: error.error, description: error.error_description ?? '' };
    }
    throw error;
  }
  throw new Error('The exchange was not refused');
}

async function ownToken(clientId: string): Promise<string> {
  return (await oidc.clientCredentialsGrant(await rp(clientId))).access_token;
}

/** Delegation: `clientId` exchanges a subject token with its own access token as the actor token. */
async function asActor(clientId: string, subjectToken: string, subjectType = TYPE.access) {
  return {
    subject_token: subjectToken,
    subject_token_type: subjectType,
    actor_token: await ownToken(clientId),
    actor_token_type: TYPE.access,
  };
}

/** alice's JWT access token from `web` (aud orders-api), with her grant's refresh token. */
async function aliceAtWeb() {
  return signedInTokens(engine.issuer, { scope: 'openid profile offline_access orders:read orders:write' });
}

async function verifyAccessJwt(token: string, audience: string) {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: engine.issuer,
    audience,
    typ: 'at+jwt',
  });
  expect(protectedHeader.typ).toBe('at+jwt');
  return payload;
}

async function tokenById(id: string): Promise<Token> {
  const found = (await listTokens(engine)).find((token) => token.id === id);
  if (!found) throw new Error(`No token ${id}`);
  return found;
}

describe('token exchange (RFC 8693)', () => {
  it('is listed in discovery', async () => {
    expect((await rp('orders-api')).serverMetadata().grant_types_supported).toContain(EXCHANGE);
  });

  it('delegates: the actor is in act, the audience and scope narrowed, the token a child of the subject', async () => {
    const alice = await aliceAtWeb();
    const result = await exchange('orders-api', {
      ...(await asActor('orders-api', alice.access_token)),
      audience: 'billing-api',
      scope: 'orders:read',
    });
    expect(result.issued_token_type).toBe(TYPE.access);
    expect(result.token_type).toBe('bearer');
    expect(result.scope).toBe('orders:read');
    expect(result.expires_in).toBeGreaterThan(0);
    const claims = await verifyAccessJwt(result.access_token, 'billing-api');
    expect(claims).toMatchObject({
      sub: 'alice-sub',
      aud: 'billing-api',
      client_id: 'orders-api',
      scope: 'orders:read',
      act: { sub: 'orders-api', client_id: 'orders-api' },
    });

    const subject = decodeJwt(alice.access_token);
    const issued = await tokenById(String(claims.jti));
    const original = await tokenById(String(subject.jti));
    expect(issued.parent_id).toBe(original.id);
    expect(issued.grant_id).toBe(original.grant_id);
    expect(issued.username).toBe('alice');

    // Introspection shows who acts.
    const answer = await introspect(engine.issuer, result.access_token);
    expect(answer.json).toMatchObject({ active: true, act: { sub: 'orders-api', client_id: 'orders-api' } });

    // The event log says who acted for whom, from which token.
    const events = (await engine.call('events.list', {
      type: 'token.issued',
      token_id: issued.id,
    })) as EngineEvent[];
    expect(events[0]?.data).toMatchObject({
      grant_type: EXCHANGE,
      subject_token_id: original.id,
      subject: 'alice-sub',
      actor: { sub: 'orders-api', client_id: 'orders-api' },
    });
  });

  it('nests act along a chain of actors (RFC 8693 §4.1), resource URIs as audience', async () => {
    const alice = await aliceAtWeb();
    const first = await exchange('orders-api', {
      ...(await asActor('orders-api', alice.access_token)),
      audience: 'billing-api',
    });
    const second = await exchange('billing-api', {
      subject_token: first.access_token,
      subject_token_type: TYPE.jwt,
      actor_token: await ownToken('billing-api'),
      actor_token_type: TYPE.jwt,
      audience: 'ledger-api',
      scope: 'orders:read',
    });
    const claims = await verifyAccessJwt(second.access_token, 'ledger-api');
    expect(claims.act).toEqual({
      sub: 'billing-api',
      client_id: 'billing-api',
      act: { sub: 'orders-api', client_id: 'orders-api' },
    });
    expect(claims.sub).toBe('alice-sub');

    const byResource = await exchange(
      'orders-api',
      new URLSearchParams([
        ['subject_token', alice.access_token],
        ['subject_token_type', TYPE.access],
        ['actor_token', await ownToken('orders-api')],
        ['actor_token_type', TYPE.access],
        ['resource', 'https://billing.example/api'],
        ['audience', 'billing-api'],
      ]),
    );
    const both = await verifyAccessJwt(byResource.access_token, 'billing-api');
    expect(both.aud).toEqual(['billing-api', 'https://billing.example/api']);
  });

  it('impersonates only where the policy allows, keeping an act the subject already had', async () => {
    const alice = await aliceAtWeb();
    const denied = await refused('orders-api', {
      subject_token: alice.access_token,
      subject_token_type: TYPE.access,
    });
    expect(denied.error).toBe('invalid_request');
    expect(denied.description).toContain('may not impersonate');

    const result = await exchange('impersonator', {
      subject_token: alice.access_token,
      subject_token_type: TYPE.access,
      audience: 'orders-api',
    });
    // impersonator issues reference tokens: introspection tells what it is.
    expect(result.access_token.split('.')).toHaveLength(1);
    const answer = await introspect(engine.issuer, result.access_token);
    expect(answer.json).toMatchObject({ active: true, sub: 'alice-sub', client_id: 'impersonator' });
    expect(answer.json.act).toBeUndefined();

    const delegated = await exchange('orders-api', {
      ...(await asActor('orders-api', alice.access_token)),
    });
    const again = await exchange('impersonator', {
      subject_token: delegated.access_token,
      subject_token_type: TYPE.access,
      requested_token_type: TYPE.jwt,
      audience: 'orders-api',
    });
    const claims = await verifyAccessJwt(again.access_token, 'orders-api');
    expect(claims.act).toEqual({ sub: 'orders-api', client_id: 'orders-api' });
  });

  it('takes reference access tokens as subject and puts act in the stored claims of reference tokens', async () => {
    const portal = await redeem(
      engine.issuer,
      await obtainCode(engine.issuer, { clientId: 'portal', scope: 'openid orders:read' }),
      basic('portal', 'portal-secret'),
    );
    expect(portal.access_token.split('.')).toHaveLength(1);
    const result = await exchange('impersonator', {
      ...(await asActor('impersonator', portal.access_token)),
      audience: 'orders-api',
    });
    expect(result.issued_token_type).toBe(TYPE.access);
    const answer = await introspect(engine.issuer, result.access_token);
    expect(answer.json).toMatchObject({
      active: true,
      sub: 'alice-sub',
      scope: 'openid orders:read',
      aud: 'orders-api',
      act: { sub: 'impersonator', client_id: 'impersonator' },
    });
  });

  it('issues each requested token type: jwt, id_token and refresh_token (N_A), the last where allowed', async () => {
    const alice = await aliceAtWeb();
    const subject = { subject_token: alice.access_token, subject_token_type: TYPE.access };

    const jwt = await exchange('impersonator', { ...subject, requested_token_type: TYPE.jwt });
    expect(jwt.issued_token_type).toBe(TYPE.jwt);
    expect(jwt.token_type).toBe('bearer');
    // Its own audience (impersonator has no registered one: its client_id).
    await verifyAccessJwt(jwt.access_token, 'impersonator');

    const id = await exchange('impersonator', { ...subject, requested_token_type: TYPE.id });
    expect(id.issued_token_type).toBe(TYPE.id);
    expect(id.token_type).toBe('n_a');
    const { payload, protectedHeader } = await jwtVerify(id.access_token, jwks, {
      issuer: engine.issuer,
      audience: 'impersonator',
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload.sub).toBe('alice-sub');

    const refresh = await exchange('impersonator', {
      ...subject,
      requested_token_type: TYPE.refresh,
      scope: 'orders:read',
    });
    expect(refresh.issued_token_type).toBe(TYPE.refresh);
    expect(refresh.token_type).toBe('n_a');
    // It is a working refresh token of impersonator's, in alice's grant.
    const refreshed = await oidc.refreshTokenGrant(await rp('impersonator'), refresh.access_token);
    expect(refreshed.scope).toBe('orders:read');
    expect((await introspect(engine.issuer, refreshed.access_token)).json).toMatchObject({
      active: true,
      sub: 'alice-sub',
    });

    const noRefreshGrant = await refused('orders-api', {
      ...subject,
      actor_token: await ownToken('orders-api'),
      actor_token_type: TYPE.access,
      requested_token_type: TYPE.refresh,
    });
    expect(noRefreshGrant.error).toBe('invalid_request');
    expect(noRefreshGrant.description).toContain('refresh_token grant');
  });

  it('keeps act through a refresh of an exchanged refresh token', async () => {
    const alice = await aliceAtWeb();
    const refresh = await exchange('impersonator', {
      ...(await asActor('impersonator', alice.access_token)),
      requested_token_type: TYPE.refresh,
    });
    const refreshed = await oidc.refreshTokenGrant(await rp('impersonator'), refresh.access_token);
    expect((await introspect(engine.issuer, refreshed.access_token)).json.act).toEqual({
      sub: 'impersonator',
      client_id: 'impersonator',
    });
  });

  it("takes ID tokens and, by policy only, the client's own refresh tokens as subject", async () => {
    const own = await redeem(
      engine.issuer,
      await obtainCode(engine.issuer, { clientId: 'impersonator' }),
      basic('impersonator', 'impersonator-secret'),
    );
    const fromId = await exchange('impersonator', {
      subject_token: own.id_token as string,
      subject_token_type: TYPE.id,
    });
    expect((await introspect(engine.issuer, fromId.access_token)).json.sub).toBe('alice-sub');

    const fromRefresh = await exchange('impersonator', {
      subject_token: own.refresh_token as string,
      subject_token_type: TYPE.refresh,
      scope: 'openid',
    });
    expect((await introspect(engine.issuer, fromRefresh.access_token)).json).toMatchObject({
      active: true,
      scope: 'openid',
    });

    // orders-api's policy leaves refresh-token subjects off.
    const web = await aliceAtWeb();
    const notAllowed = await refused('orders-api', {
      ...(await asActor('orders-api', web.refresh_token as string, TYPE.refresh)),
    });
    expect(notAllowed.error).toBe('invalid_request');
    expect(notAllowed.description).toContain('token_exchange.allow_refresh_token_subject');
    // And a refresh token is exchanged only by the client it was issued to.
    const othersRefresh = await refused('impersonator', {
      subject_token: web.refresh_token as string,
      subject_token_type: TYPE.refresh,
    });
    expect(othersRefresh.error).toBe('invalid_request');
    expect(othersRefresh.description).toContain('refresh token of client');
  });

  it('honours may_act: only the party the subject token names may act for it', async () => {
    const carol = await signedInTokens(engine.issuer, { username: 'carol', password: 'carol-pw' });
    expect(decodeJwt(carol.access_token).may_act).toEqual({ sub: 'gateway' });
    const wrongActor = await refused('orders-api', {
      ...(await asActor('orders-api', carol.access_token)),
    });
    expect(wrongActor.error).toBe('invalid_request');
    expect(wrongActor.description).toContain('may_act');

    const byGateway = await exchange('gateway', {
      ...(await asActor('gateway', carol.access_token)),
    });
    const claims = await verifyAccessJwt(byGateway.access_token, 'gateway');
    expect(claims.act).toEqual({ sub: 'gateway', client_id: 'gateway' });
  });

  it("Revoking a user's token family revokes what was exchanged from it", async () => {
    const alice = await aliceAtWeb();
    const delegated = await exchange('orders-api', {
      ...(await asActor('orders-api', alice.access_token)),
      audience: 'billing-api',
    });
    const chained = await exchange('billing-api', await asActor('billing-api', delegated.access_token));
    const impersonated = await exchange('impersonator', {
      subject_token: alice.access_token,
      subject_token_type: TYPE.access,
    });
    const grantId = (await tokenById(String(decodeJwt(alice.access_token).jti))).grant_id as string;
    await engine.call('tokens.revokeGrant', { grant_id: grantId });
    for (const token of [delegated.access_token, chained.access_token, impersonated.access_token]) {
      await expectInactive(engine.issuer, token);
    }

    // revokeUser reaches them too (they carry the user), and the exchange of a revoked token is refused.
    const later = await aliceAtWeb();
    const exchanged = await exchange('impersonator', {
      subject_token: later.access_token,
      subject_token_type: TYPE.access,
    });
    await engine.call('tokens.revokeUser', { username: 'alice' });
    await expectInactive(engine.issuer, exchanged.access_token);
    const revoked = await refused('impersonator', {
      subject_token: later.access_token,
      subject_token_type: TYPE.access,
    });
    expect(revoked).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(revoked.description).toContain('was revoked');
  });
});

describe('token exchange refusals, each a clear OAuth error', () => {
  let subjectToken: string;
  let actorToken: string;

  beforeAll(async () => {
    subjectToken = (await aliceAtWeb()).access_token;
    actorToken = await ownToken('orders-api');
  });

  const delegation = () => ({
    subject_token: subjectToken,
    subject_token_type: TYPE.access,
    actor_token: actorToken,
    actor_token_type: TYPE.access,
  });

  it('refuses an audience the client policy does not allow (invalid_target)', async () => {
    const answer = await refused('orders-api', { ...delegation(), audience: 'payroll-api' });
    expect(answer).toMatchObject({ status: 400, error: 'invalid_target' });
    expect(answer.description).toContain("'payroll-api'");
    const resource = await refused('orders-api', { ...delegation(), resource: 'https://payroll.example/' });
    expect(resource.error).toBe('invalid_target');
  });

  it("refuses another client's actor token, a forged one and one of another issuer", async () => {
    const others = await refused('orders-api', {
      ...delegation(),
      actor_token: await ownToken('billing-api'),
    });
    expect(others.error).toBe('invalid_request');
    expect(others.description).toContain("issued to client 'billing-api'");

    const { privateKey } = await generateKeyPair('RS256');
    for (const issuer of [engine.issuer, 'https://elsewhere.example']) {
      const forged = await new SignJWT({ client_id: 'orders-api', scope: 'orders:read' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'not-ours' })
        .setIssuer(issuer)
        .setSubject('orders-api')
        .setAudience('orders-api')
        .setJti('forged-jti')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const answer = await refused('orders-api', { ...delegation(), actor_token: forged });
      expect(answer.error).toBe('invalid_request');
      expect(answer.description).toContain('actor_token is not a token this provider issued');
    }
  });

  it('refuses an expired subject token and a revoked one (invalid_request)', async () => {
    const short = await aliceAtWeb();
    const actor = await ownToken('orders-api');
    clock.advance(3700);
    try {
      const expired = await refused('orders-api', {
        ...delegation(),
        subject_token: short.access_token,
        actor_token: actor,
      });
      expect(expired.error).toBe('invalid_request');
      expect(expired.description).toContain('subject_token cannot be exchanged: it has expired');
    } finally {
      clock.advance(-3700);
    }

    const toRevoke = await aliceAtWeb();
    const revocation = await postForm(
      engine.issuer,
      '/revoke',
      { token: toRevoke.access_token },
      { authorization: basic('web', 'web-secret') },
    );
    expect(revocation.status).toBe(200);
    const revoked = await refused('orders-api', { ...delegation(), subject_token: toRevoke.access_token });
    expect(revoked.description).toContain('it was revoked');
  });

  it('refuses widening the scope (invalid_scope)', async () => {
    const answer = await refused('orders-api', { ...delegation(), scope: 'orders:read admin' });
    expect(answer.error).toBe('invalid_scope');
    expect(answer.description).toContain("'admin'");
  });

  it('refuses missing or unknown token types and mismatched pairs (invalid_request)', async () => {
    const { subject_token_type: _omitted, ...withoutType } = delegation();
    const missing = await refused('orders-api', withoutType);
    expect(missing).toMatchObject({ error: 'invalid_request' });
    expect(missing.description).toContain('subject_token_type');

    const saml = await refused('orders-api', {
      ...delegation(),
      subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
    });
    expect(saml.error).toBe('invalid_request');
    expect(saml.description).toContain('subject_token_type');

    const requested = await refused('orders-api', {
      ...delegation(),
      requested_token_type: 'urn:example:unknown',
    });
    expect(requested.error).toBe('invalid_request');
    expect(requested.description).toContain('requested_token_type');

    const { actor_token: _actor, ...typeWithoutActor } = delegation();
    const orphan = await refused('orders-api', typeWithoutActor);
    expect(orphan.description).toContain('actor_token_type was sent without an actor_token');

    const wrongKind = await refused('orders-api', { ...delegation(), subject_token_type: TYPE.id });
    expect(wrongKind.error).toBe('invalid_request');
    expect(wrongKind.description).toContain('is an access token, not of the type');

    const noSubject = await refused('orders-api', { subject_token_type: TYPE.access });
    expect(noSubject.description).toContain('subject_token');
  });

  it('refuses a client without the grant (unauthorized_client)', async () => {
    const answer = await refused('no-exchange', delegation());
    expect(answer).toMatchObject({ status: 400, error: 'unauthorized_client' });
    expect(answer.description).toContain(EXCHANGE);
  });
});
