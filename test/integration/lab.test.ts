import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';

const SEED: Workspace = {
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      sub: 'alice-sub',
      claims: { email: 'alice@example.test', roles: ['admin'] },
    },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
      audience: ['orders-api'],
    },
    {
      client_id: 'spa',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
      access_token_format: 'reference',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
      access_token_format: 'reference',
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED });
});
afterAll(async () => {
  await engine.cleanup();
});

const mint = (input: unknown) => engine.call('tokens.mint', input) as Promise<AdminOutput<'tokens.mint'>>;
const lookup = (value: string) =>
  engine.call('tokens.lookup', { value }) as Promise<AdminOutput<'tokens.lookup'>>;
const play = (input: unknown) =>
  engine.call('playground.run', input) as Promise<AdminOutput<'playground.run'>>;

describe('mint', () => {
  it('mints a JWT access token with extra claims, audience and lifetime that jose verifies', async () => {
    const { value, token } = await mint({
      client_id: 'web',
      username: 'alice',
      scope: 'openid orders:read',
      // orders:read is not registered for web: minted on purpose (see the refusal below).
      allow_unregistered_scope: true,
      audience: ['billing-api'],
      extra_claims: { tenant: 'acme' },
      ttl: 120,
    });
    const { payload } = await jwtVerify(value, createRemoteJWKSet(new URL(`${engine.issuer}/jwks`)), {
      issuer: engine.issuer,
      audience: 'billing-api',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'alice-sub',
      scope: 'openid orders:read',
      tenant: 'acme',
      roles: ['admin'],
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
    expect(token).toMatchObject({ kind: 'access', format: 'jwt', state: 'active', username: 'alice' });
    expect(token.introspection).toMatchObject({ active: true, aud: 'billing-api' });
    const events = (await engine.call('events.list', { token_id: token.id })) as {
      type: string;
      data: { grant_type: string };
    }[];
    expect(events[0]).toMatchObject({ type: 'token.issued', data: { grant_type: 'mint' } });
  });

  it('mints a reference token for a machine (no user) and an ID token for a user', async () => {
    const machine = await mint({ client_id: 'worker', format: 'reference' });
    expect(machine.value.split('.')).toHaveLength(1);
    expect(machine.token).toMatchObject({
      subject: 'worker',
      username: null,
      format: 'reference',
      scope: 'orders:read',
    });
    const id = await mint({ client_id: 'web', username: 'alice', kind: 'id', scope: 'openid email' });
    expect(id.token.kind).toBe('id');
    expect(id.token.claims).toMatchObject({ aud: 'web', email: 'alice@example.test', sub: 'alice-sub' });
    expect(id.token.claims).not.toHaveProperty('at_hash');
  });

  it('refuses scopes the client is not registered for, unless asked to mint them on purpose', async () => {
    const before = ((await engine.call('tokens.list', {})) as unknown[]).length;
    await expect(
      mint({ client_id: 'web', username: 'alice', scope: 'openid admin:all' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message:
        'scope: client "web" is not registered for "admin:all" (its scope: "openid profile email offline_access"). Add it to the client, or set allow_unregistered_scope to mint a token no flow would issue, on purpose.',
    });
    expect(((await engine.call('tokens.list', {})) as unknown[]).length).toBe(before);
    const onPurpose = await mint({
      client_id: 'web',
      username: 'alice',
      scope: 'openid admin:all',
      allow_unregistered_scope: true,
    });
    expect(onPurpose.token.scope).toBe('openid admin:all');
    // A registered subset needs nothing.
    expect((await mint({ client_id: 'web', username: 'alice', scope: 'openid email' })).token.scope).toBe(
      'openid email',
    );
  });

  it('refuses an ID token without a user and a reserved extra claim', async () => {
    await expect(mint({ client_id: 'web', kind: 'id' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(mint({ client_id: 'web', extra_claims: { iss: 'x' } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('extra_claims.iss'),
    });
  });
});

describe('lookup', () => {
  it('finds reference, JWT and ID tokens by value and reports revocation at once', async () => {
    const reference = await mint({ client_id: 'worker' });
    expect((await lookup(reference.value)).introspection).toMatchObject({ active: true });
    await engine.call('tokens.revoke', { id: reference.token.id });
    const after = await lookup(reference.value);
    expect(after.token?.state).toBe('revoked');
    expect(after.introspection).toEqual({ active: false });

    const id = await mint({ client_id: 'web', username: 'alice', kind: 'id' });
    expect((await lookup(id.value)).token?.id).toBe(id.token.id);
    expect(await lookup('not-a-token-we-know')).toEqual({ token: null, introspection: { active: false } });
  });
});

describe('flow playground', () => {
  it('runs authorization code + PKCE over real HTTP and shows every exchange', async () => {
    const result = await play({ flow: 'authorization_code', client_id: 'web', username: 'alice' });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.title)).toEqual([
      'Client prepares PKCE, state and nonce',
      'Browser → GET /authorize',
      'User signs in as alice → POST /login',
      'Client → POST /token (authorization_code)',
      'Client validates the ID token',
      'Client → GET /userinfo',
    ]);
    const [pkce, authorize, login, token, validation, userinfo] = result.steps;
    expect(pkce?.values.code_challenge_method).toBe('S256');
    expect(authorize?.http?.response.status).toBe(200);
    expect(login?.http?.response.status).toBe(303);
    expect(login?.values.iss).toBe(engine.issuer);
    expect(token?.http?.request.headers.authorization).toMatch(/^Basic /);
    expect(token?.http?.request.body).toContain(`code_verifier=${pkce?.values.code_verifier}`);
    expect(validation?.values).toMatchObject({ iss_matches: true, aud_matches: true, nonce_matches: true });
    expect(JSON.parse(userinfo?.http?.response.body ?? '{}')).toMatchObject({ sub: 'alice-sub' });
    expect(result.tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await play({
      flow: 'refresh_token',
      client_id: 'web',
      token: result.tokens.refresh_token,
    });
    expect(refreshed.ok).toBe(true);
    expect(refreshed.steps[0]?.values.new_refresh_token_differs).toBe(true);

    const revoked = await play({
      flow: 'revocation',
      client_id: 'web',
      token: refreshed.tokens.access_token,
    });
    expect(revoked.ok).toBe(true);
    expect(revoked.steps[1]?.values.introspection).toEqual({ active: false });
  });

  it('runs client credentials with introspection, and a public client flow', async () => {
    const cc = await play({ flow: 'client_credentials', client_id: 'worker' });
    expect(cc.ok).toBe(true);
    expect(cc.steps[1]?.values.introspection).toMatchObject({ active: true, client_id: 'worker' });
    const spa = await play({ flow: 'authorization_code', client_id: 'spa', username: 'alice' });
    expect(spa.ok).toBe(true);
    expect(spa.steps[3]?.http?.request.body).toContain('client_id=spa');
  });

  it('stops at a failing step and shows the error response', async () => {
    const replay = await play({ flow: 'refresh_token', client_id: 'web', token: 'not-a-refresh-token' });
    expect(replay.ok).toBe(false);
    expect(replay.steps[0]?.http?.response.status).toBe(400);
    expect(JSON.parse(replay.steps[0]?.http?.response.body ?? '{}')).toMatchObject({
      error: 'invalid_grant',
    });
  });
});
