import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  type GenerateKeyPairResult,
  generateKeyPair,
  importJWK,
  jwtVerify,
} from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput, MintInput } from '../../shared/contract';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { runningClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { expectInactive, introspect, REDIRECT, signedInTokens, tokenSnapshot } from '../helpers/oauth-http';
import { type AdminHttpError, adminHttp } from '../helpers/script-http';

// The Lab's Mint, "exchanged from" and DPoP-bound, driven through the admin HTTP API as a script would.
// Every minted JWT is verified with jose against the JWKS; the exchange a mint imitates is run for real
// with openid-client, and the generated DPoP key is used with openid-client's DPoP handle at userinfo.

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { email: 'alice@example.test' } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access orders:read',
      access_token_format: 'jwt',
      audience: ['orders-api'],
    },
    {
      // Calls billing for the user, as itself: delegation (its own token as the actor token).
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'orders:read',
      audience: ['billing-api'],
    },
    {
      client_id: 'portal',
      client_secret: 'portal-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'reference',
    },
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      introspect_any_token: true,
    },
  ],
};

type Minted = AdminOutput<'tokens.mint'>;

const clock = runningClock();
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true, clock });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

const mint = (input: MintInput) => adminHttp<Minted>(engine, 'tokens.mint', input);

/** The admin API's refusal of a mint: its status and `{ code, message }`. */
async function mintRefused(input: unknown): Promise<AdminHttpError> {
  try {
    await adminHttp(engine, 'tokens.mint', input);
  } catch (error) {
    return error as AdminHttpError;
  }
  throw new Error('The mint was not refused');
}

async function verifyAccess(token: string, audience: string) {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: engine.issuer,
    audience,
    typ: 'at+jwt',
    algorithms: ['RS256'],
  });
  return payload;
}

async function rp(clientId: string): Promise<oidc.Configuration> {
  const secret = `${clientId}-secret`;
  return oidc.discovery(new URL(engine.issuer), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Alice's access token from a real sign-in with `web`, and its id (the JWT's jti). */
async function aliceToken(): Promise<{ value: string; id: string; grantId: string }> {
  const tokens = await signedInTokens(engine.issuer, {
    scope: 'openid profile email offline_access orders:read',
  });
  const id = String(decodeJwt(tokens.access_token).jti);
  const token = (await adminHttp(engine, 'tokens.get', { id })) as Minted['token'];
  return { value: tokens.access_token, id, grantId: token.grant_id as string };
}

/** The gateway's own client_credentials token (openid-client), its actor token. */
async function gatewayToken(): Promise<{ value: string; id: string }> {
  const tokens = await oidc.clientCredentialsGrant(await rp('gateway'));
  return { value: tokens.access_token, id: String(decodeJwt(tokens.access_token).jti) };
}

const WITHOUT_TIMES = ({ jti: _j, iat: _i, exp: _e, ...rest }: Record<string, unknown>) => rest;

describe('tokens.mint exchanged from a stored token (RFC 8693)', () => {
  it('mints what the token endpoint issues: same act, sub, scope and audience; a child in the subject grant', async () => {
    const alice = await aliceToken();
    const actor = await gatewayToken();
    // The real exchange, by openid-client.
    const real = await oidc.genericGrantRequest(await rp('gateway'), EXCHANGE, {
      subject_token: alice.value,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      actor_token: actor.value,
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'orders:read',
    });
    const minted = await mint({
      client_id: 'gateway',
      subject_token_id: alice.id,
      actor_token_id: actor.id,
      scope: 'orders:read',
    });
    const exchanged = await verifyAccess(real.access_token, 'billing-api');
    const claims = await verifyAccess(minted.value, 'billing-api');
    expect(claims.act).toEqual({ sub: 'gateway', client_id: 'gateway' });
    expect(claims).toMatchObject({ sub: 'alice-sub', client_id: 'gateway', scope: 'orders:read' });
    expect(WITHOUT_TIMES(claims)).toEqual(WITHOUT_TIMES(exchanged));
    expect(minted.token_type).toBe('Bearer');
    expect(minted.dpop_key).toBeNull();
    expect(minted.token).toMatchObject({
      parent_id: alice.id,
      grant_id: alice.grantId,
      username: 'alice',
      grant_type: 'mint',
    });

    // Its issued event names the subject token and the actor, as the grant's does.
    const events = await adminHttp<EngineEvent[]>(engine, 'events.list', { token_id: minted.token.id });
    expect(events.find((e) => e.type === 'token.issued')?.data).toMatchObject({
      grant_type: 'mint',
      subject_token_id: alice.id,
      actor: { sub: 'gateway', client_id: 'gateway', token_id: actor.id },
      act: { sub: 'gateway', client_id: 'gateway' },
    });
  });

  it('nests act for a delegation chain, and keeps it on impersonation (which adds no actor)', async () => {
    const alice = await aliceToken();
    const impersonated = await mint({ client_id: 'gateway', subject_token_id: alice.id });
    expect((await verifyAccess(impersonated.value, 'billing-api')).act).toBeUndefined();
    expect(impersonated.token.parent_id).toBe(alice.id);

    const first = await mint({ client_id: 'gateway', subject_token_id: alice.id, actor: { sub: 'gateway' } });
    const second = await mint({
      client_id: 'gateway',
      subject_token_id: first.token.id,
      actor: { sub: 'billing-worker', client_id: 'billing' },
    });
    const claims = await verifyAccess(second.value, 'billing-api');
    expect(claims.act).toEqual({ sub: 'billing-worker', client_id: 'billing', act: { sub: 'gateway' } });
    expect(second.token).toMatchObject({ parent_id: first.token.id, grant_id: alice.grantId });
    // Impersonating with a token that already has an actor chain keeps that chain.
    const kept = await mint({ client_id: 'gateway', subject_token_id: second.token.id });
    expect((await verifyAccess(kept.value, 'billing-api')).act).toEqual(claims.act);
  });

  it('shows act and cnf of a reference token at introspection; revoking the family revokes the minted child', async () => {
    const alice = await aliceToken();
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
    const minted = await mint({
      client_id: 'portal',
      subject_token_id: alice.id,
      actor: { sub: 'ops-bot', client_id: 'portal' },
      format: 'reference',
      dpop_jkt: jkt,
    });
    expect(minted.value.split('.')).toHaveLength(1);
    expect(minted.token_type).toBe('DPoP');
    const answer = (await introspect(engine.issuer, minted.value)).json;
    expect(answer).toMatchObject({
      active: true,
      sub: 'alice-sub',
      client_id: 'portal',
      username: 'alice',
      token_type: 'DPoP',
      act: { sub: 'ops-bot', client_id: 'portal' },
      cnf: { jkt },
    });

    const revoked = (await adminHttp(engine, 'tokens.revokeGrant', { grant_id: alice.grantId })) as {
      revoked: number;
    };
    expect(revoked.revoked).toBeGreaterThanOrEqual(2);
    await expectInactive(engine.issuer, minted.value);
    await expectInactive(engine.issuer, alice.value);
    expect(((await adminHttp(engine, 'tokens.get', { id: minted.token.id })) as Minted['token']).state).toBe(
      'revoked',
    );
  });

  it('mints an exchanged ID token and a refresh token that refreshes in the subject grant', async () => {
    const alice = await aliceToken();
    const id = await mint({
      client_id: 'web',
      subject_token_id: alice.id,
      kind: 'id',
      actor: { sub: 'helper' },
    });
    const { payload } = await jwtVerify(id.value, jwks, {
      issuer: engine.issuer,
      audience: 'web',
      typ: 'JWT',
    });
    expect(payload).toMatchObject({ sub: 'alice-sub', act: { sub: 'helper' } });
    expect(id.token_type).toBeNull();

    const refresh = await mint({ client_id: 'web', subject_token_id: alice.id, kind: 'refresh' });
    expect(refresh.token).toMatchObject({ kind: 'refresh', parent_id: alice.id, grant_id: alice.grantId });
    const refreshed = await oidc.refreshTokenGrant(await rp('web'), refresh.value);
    expect((await verifyAccess(refreshed.access_token, 'orders-api')).sub).toBe('alice-sub');
  });
});

describe('tokens.mint bound to a DPoP key (RFC 9449)', () => {
  it('generates a key pair once; the token works at userinfo only with a proof of that key', async () => {
    const minted = await mint({
      client_id: 'web',
      username: 'alice',
      dpop: 'generate',
      scope: 'openid email',
    });
    expect(minted.token_type).toBe('DPoP');
    const key = minted.dpop_key;
    if (!key) throw new Error('No key returned');
    expect(key.alg).toBe('ES256');
    expect(key.private_jwk.d).toEqual(expect.any(String));
    expect(key.public_jwk.d).toBeUndefined();
    const jkt = await calculateJwkThumbprint(key.public_jwk, 'sha256');
    expect((await verifyAccess(minted.value, 'orders-api')).cnf).toEqual({ jkt });
    expect(minted.token.introspection).toMatchObject({ token_type: 'DPoP', cnf: { jkt } });
    // Not stored: the token's record knows only the thumbprint.
    const stored = JSON.stringify(await adminHttp(engine, 'tokens.get', { id: minted.token.id }));
    expect(stored).not.toContain(String(key.private_jwk.d));

    const config = await rp('web');
    const pair = {
      privateKey: await importJWK(key.private_jwk, 'ES256'),
      publicKey: await importJWK(key.public_jwk, 'ES256', { extractable: true }),
    } as GenerateKeyPairResult;
    const DPoP = oidc.getDPoPHandle(config, pair);
    const info = await oidc.fetchUserInfo(config, minted.value, 'alice-sub', { DPoP });
    expect(info).toMatchObject({ sub: 'alice-sub', email: 'alice@example.test' });

    // Without a proof: refused, whichever scheme it is sent with.
    const bearer = await fetch(`${engine.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${minted.value}` },
    });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(/invalid_token/);
    const noProof = await fetch(`${engine.issuer}/userinfo`, {
      headers: { authorization: `DPoP ${minted.value}` },
    });
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('binds to a pasted thumbprint; a proof of another key is refused', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
    const minted = await mint({ client_id: 'web', username: 'alice', dpop_jkt: jkt, scope: 'openid' });
    expect(minted.dpop_key).toBeNull();
    expect((await verifyAccess(minted.value, 'orders-api')).cnf).toEqual({ jkt });
    const config = await rp('web');
    expect(
      (
        await oidc.fetchUserInfo(config, minted.value, 'alice-sub', {
          DPoP: oidc.getDPoPHandle(config, pair),
        })
      ).sub,
    ).toBe('alice-sub');
    const other = oidc.getDPoPHandle(config, await generateKeyPair('ES256', { extractable: true }));
    await expect(oidc.fetchUserInfo(config, minted.value, 'alice-sub', { DPoP: other })).rejects.toThrow();
  });
});

describe('tokens.mint refuses what cannot be minted, and writes nothing', () => {
  it('refuses a missing, revoked or expired subject token with a clear message', async () => {
    const alice = await aliceToken();
    await adminHttp(engine, 'tokens.revoke', { id: alice.id });
    const short = await mint({ client_id: 'web', username: 'alice', ttl: 5 });
    const before = await tokenSnapshot(engine);

    const missing = await mintRefused({ client_id: 'gateway', subject_token_id: 'no-such-token' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      code: 'not_found',
      message: 'subject_token_id: no token with id "no-such-token".',
    });
    const revoked = await mintRefused({ client_id: 'gateway', subject_token_id: alice.id });
    expect(revoked.status).toBe(400);
    expect(revoked.body).toEqual({
      code: 'invalid_input',
      message: 'subject_token_id cannot be exchanged: it was revoked.',
    });
    clock.advance(10);
    try {
      const expired = await mintRefused({ client_id: 'gateway', subject_token_id: short.token.id });
      expect(expired.status).toBe(400);
      expect(expired.body.message).toBe('subject_token_id cannot be exchanged: it has expired.');
    } finally {
      clock.reset();
    }
    // Nothing was issued or changed by the refusals.
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses contradicting options and bad actors, naming the field', async () => {
    const alice = await aliceToken();
    const actor = await gatewayToken();
    const before = await tokenSnapshot(engine);
    const cases: Array<[unknown, RegExp]> = [
      [
        { client_id: 'web', username: 'alice', dpop: 'generate', dpop_jkt: 'a'.repeat(43) },
        /either dpop_jkt or dpop/,
      ],
      [
        { client_id: 'web', username: 'alice', kind: 'refresh', dpop: 'generate' },
        /DPoP binds access tokens/,
      ],
      [{ client_id: 'web', actor: { sub: 'x' } }, /set subject_token_id too/],
      [{ client_id: 'gateway', subject_token_id: alice.id, username: 'alice' }, /leave username out/],
      [
        { client_id: 'gateway', subject_token_id: alice.id, actor_token_id: actor.id, actor: { sub: 'x' } },
        /actor_token_id or actor, not both/,
      ],
      [
        { client_id: 'portal', subject_token_id: alice.id, actor_token_id: actor.id },
        /actor_token was issued to client "gateway", not to "portal"/,
      ],
      [{ client_id: 'gateway', subject_token_id: alice.id, scope: 'orders:write' }, /can only narrow it/],
      [{ client_id: 'gateway', subject_token_id: actor.id, kind: 'id' }, /An ID token is about a user/],
      [{ client_id: 'web', username: 'alice', dpop_jkt: 'not-a-thumbprint' }, /dpop_jkt.*43 base64url/],
      [{ client_id: 'web', username: 'alice', dpop: 'yes' }, /dpop/],
      [{ client_id: 'gateway', subject_token_id: alice.id, actor: { sub: '' } }, /actor\.sub/],
    ];
    for (const [input, message] of cases) {
      const refused = await mintRefused(input);
      expect(refused.status, JSON.stringify(input)).toBe(400);
      expect(refused.body.code).toBe('invalid_input');
      expect(refused.body.message, JSON.stringify(input)).toMatch(message);
    }
    // A refresh token cannot act, and one of another client cannot be exchanged by this one.
    const refresh = await mint({ client_id: 'web', username: 'alice', kind: 'refresh' });
    expect(
      (await mintRefused({ client_id: 'web', subject_token_id: alice.id, actor_token_id: refresh.token.id }))
        .body.message,
    ).toMatch(/actor_token_id is a refresh token/);
    expect(
      (await mintRefused({ client_id: 'gateway', subject_token_id: refresh.token.id })).body.message,
    ).toMatch(/refresh token of client "web"; only that client may exchange it/);
    const snapshot = JSON.parse(await tokenSnapshot(engine)) as Array<{ id: string }>;
    const previous = new Set((JSON.parse(before) as Array<{ id: string }>).map((t) => t.id));
    expect(snapshot.filter((t) => !previous.has(t.id)).map((t) => t.id)).toEqual([refresh.token.id]);
  });
});
