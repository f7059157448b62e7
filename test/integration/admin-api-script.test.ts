import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Token, User } from '../../shared/schemas';
import { frozenClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { adminHttp, introspect, tokenRequest, tokenResponse } from '../helpers/script-http';

/** The README's admin API flow, as a QA script would run it: fetch, JSON and the bearer admin token. */

let engine: Awaited<ReturnType<typeof startTestEngine>>;
beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

const CLIENT = { clientId: 'qa-script', secret: 'qa-secret' };

describe('a QA script over the admin HTTP API', () => {
  it('creates a user and a client, gets tokens, lists and revokes them all', async () => {
    const user = await adminHttp<User>(engine, 'users.create', {
      username: 'qa-user',
      password: 'qa-pw',
      claims: { email: 'qa@example.test', roles: ['tester'], tenant: 'acme' },
    });
    expect(user).toMatchObject({ username: 'qa-user', sub: expect.any(String) });
    await adminHttp(engine, 'users.create', { username: 'bystander' });
    const client = await adminHttp(engine, 'clients.create', {
      client_id: CLIENT.clientId,
      client_secret: CLIENT.secret,
      grant_types: ['password', 'refresh_token'],
      scope: 'openid email orders:read',
    });
    expect(client).toMatchObject({ client_id: CLIENT.clientId, access_token_format: 'jwt' });

    const tokens = await tokenRequest(engine.issuer, CLIENT, {
      grant_type: 'password',
      username: 'qa-user',
      password: 'qa-pw',
      scope: 'openid email orders:read',
    });
    const other = await tokenRequest(engine.issuer, CLIENT, {
      grant_type: 'password',
      username: 'bystander',
    });
    expect(await introspect(engine.issuer, CLIENT, tokens.access_token)).toMatchObject({
      active: true,
      sub: user.sub,
      username: 'qa-user',
      roles: ['tester'],
      tenant: 'acme',
    });

    const listed = await adminHttp<{ tokens: Token[]; total: number }>(engine, 'tokens.list', {
      username: 'qa-user',
    });
    expect(listed.total).toBe(3);
    expect(listed.tokens.map((t) => t.kind).sort()).toEqual(['access', 'id', 'refresh']);
    expect(listed.tokens.every((t) => t.state === 'active' && t.client_id === CLIENT.clientId)).toBe(true);

    expect(await adminHttp(engine, 'tokens.revokeUser', { username: 'qa-user' })).toEqual({ revoked: 3 });
    expect(await introspect(engine.issuer, CLIENT, tokens.access_token)).toEqual({ active: false });
    expect(await introspect(engine.issuer, CLIENT, tokens.refresh_token as string)).toEqual({
      active: false,
    });
    const refresh = await tokenResponse(engine.issuer, CLIENT, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const revoked = await adminHttp<{ total: number }>(engine, 'tokens.list', {
      username: 'qa-user',
      state: 'revoked',
    });
    expect(revoked.total).toBe(3);
    // Only that user's tokens.
    expect(await introspect(engine.issuer, CLIENT, other.access_token)).toMatchObject({ active: true });
    expect(await adminHttp(engine, 'tokens.revokeUser', { username: 'qa-user' })).toEqual({ revoked: 0 });
  });

  it("keeps a renamed user's tokens under the new name", async () => {
    const before = await adminHttp<{ tokens: Token[]; total: number }>(engine, 'tokens.list', {
      username: 'bystander',
    });
    expect(before.total).toBeGreaterThan(0);
    await adminHttp(engine, 'users.update', { username: 'bystander', user: { username: 'renamed' } });
    const after = await adminHttp<{ tokens: Token[] }>(engine, 'tokens.list', { username: 'renamed' });
    expect(after.tokens.map((t) => t.id)).toEqual(before.tokens.map((t) => t.id));
    expect(await adminHttp(engine, 'tokens.list', { username: 'bystander' })).toMatchObject({ total: 0 });
    const access = after.tokens.find((t) => t.kind === 'access');
    const detail = await adminHttp<{ introspection: object }>(engine, 'tokens.get', { id: access?.id });
    expect(detail.introspection).toMatchObject({ active: true, username: 'renamed' });
    expect(await adminHttp(engine, 'tokens.revokeUser', { username: 'renamed' })).toEqual({
      revoked: before.total,
    });
  });

  it.each([
    [
      'users.create',
      { username: 'x', claims: { iss: 'https://evil.example' } },
      'claims.iss: "iss" is set by the provider and cannot be a user claim',
    ],
    ['users.create', { username: 'x', nickname: 'y' }, '(root): Unrecognized key: "nickname"'],
    [
      'clients.create',
      { client_id: 'web', grant_types: ['authorization_code'] },
      'redirect_uris: a client with the authorization_code grant needs at least one redirect URI',
    ],
    ['settings.update', { access_token_ttl: 0 }, 'access_token_ttl: Too small: expected number to be >=1'],
    ['tokens.list', { username: 'qa-user', limit: 0 }, 'limit: Too small'],
    ['tokens.revokeUser', {}, 'username: '],
  ])(
    'answers an invalid %s payload with 400 invalid_input naming the field',
    async (method, input, field) => {
      const before = await adminHttp<User[]>(engine, 'users.list', {});
      await expect(adminHttp(engine, method, input)).rejects.toMatchObject({
        status: 400,
        body: {
          code: 'invalid_input',
          message: expect.stringContaining(`Invalid input for ${method}: ${field}`),
        },
      });
      expect(await adminHttp(engine, 'users.list', {})).toEqual(before);
    },
  );

  it('answers with the error shape and nothing else', async () => {
    const error = await adminHttp(engine, 'settings.update', { refresh_token_ttl: -1 }).catch(
      (e: { status: number; body: unknown }) => e,
    );
    expect(Object.keys((error as { body: object }).body).sort()).toEqual(['code', 'message']);
    await expect(adminHttp(engine, 'users.get', { username: 'nobody' })).rejects.toMatchObject({
      status: 404,
      body: { code: 'not_found', message: 'No user named "nobody".' },
    });
    await expect(adminHttp(engine, 'users.create', { username: 'qa-user' })).rejects.toMatchObject({
      status: 409,
      body: { code: 'conflict', message: 'A user named "qa-user" already exists.' },
    });
  });
});

describe('tokens.purgeExpired', () => {
  it('purges every expired token now, not only those expired for a day', async () => {
    const clock = frozenClock(Date.parse('2030-01-01T00:00:00Z'));
    const clocked = await startTestEngine({
      inMemory: true,
      clock,
      seed: {
        settings: { access_token_ttl: 60 },
        users: [{ username: 'u' }],
        clients: [{ client_id: CLIENT.clientId, client_secret: CLIENT.secret, grant_types: ['password'] }],
      },
    });
    try {
      const tokens = await tokenRequest(clocked.issuer, CLIENT, { grant_type: 'password', username: 'u' });
      clock.advance(61);
      expect(await introspect(clocked.issuer, CLIENT, tokens.access_token)).toEqual({ active: false });
      // The access token expired a minute ago; the ID token (an hour) has not.
      expect(await adminHttp(clocked, 'tokens.list', { state: 'expired' })).toMatchObject({ total: 1 });
      expect(await adminHttp(clocked, 'tokens.purgeExpired', {})).toEqual({ purged: 1 });
      const left = await adminHttp<{ tokens: Token[] }>(clocked, 'tokens.list', {});
      expect(left.tokens.map((t) => `${t.kind}:${t.state}`)).toEqual(['id:active']);
    } finally {
      await clocked.cleanup();
    }
  });
});
