import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { bearerHeaderBytes, exceededHeaderLimits, MAX_CLAIMS_BYTES } from '../../shared/token-size';
import { startTestEngine } from '../helpers/engine';
import { basic, postForm, rawRequest, tokenRequest } from '../helpers/oauth-http';
import { adminHttp } from '../helpers/script-http';

/** Claims of about `bytes` bytes as JSON: a few custom claims, as a user with many groups would have. */
function claimsOf(bytes: number): Record<string, string> {
  const claims: Record<string, string> = {};
  const filler = 'g'.repeat(1000);
  for (let i = 0; JSON.stringify(claims).length < bytes - 1100; i++) claims[`group_${i}`] = filler;
  return claims;
}

const SEED: Workspace = {
  users: [
    { username: 'twenty', password: 'pw', claims: claimsOf(20 * 1024) },
    { username: 'largest', password: 'pw', claims: claimsOf(MAX_CLAIMS_BYTES) },
  ],
  clients: [
    {
      client_id: 'app',
      client_secret: 'app-secret',
      grant_types: ['password'],
      scope: 'openid profile',
      post_logout_redirect_uris: ['http://127.0.0.1:5173/bye'],
    },
    {
      client_id: 'ref',
      client_secret: 'ref-secret',
      grant_types: ['password'],
      scope: 'openid profile',
      access_token_format: 'reference',
    },
  ],
};

describe('the provider accepts back every token it issues, however many claims', () => {
  let engine: Awaited<ReturnType<typeof startTestEngine>>;
  beforeAll(async () => {
    engine = await startTestEngine({ inMemory: true, seed: SEED });
  });
  afterAll(async () => {
    await engine.cleanup();
  });

  const signIn = async (clientId: string, username: string) => {
    const response = await tokenRequest(
      engine.issuer,
      { grant_type: 'password', username, password: 'pw', scope: 'openid profile' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    );
    expect(response.status, response.text).toBe(200);
    return response.json as { access_token: string; id_token: string };
  };

  for (const username of ['twenty', 'largest']) {
    it(`${username}: the JWT access token works at userinfo and introspection; the ID token as id_token_hint`, async () => {
      const tokens = await signIn('app', username);
      if (username === 'twenty') {
        // The size this bug was found with: over Node's 16 KiB default, so every common server refuses it.
        expect(tokens.access_token.length).toBeGreaterThan(20 * 1024);
        expect(exceededHeaderLimits(bearerHeaderBytes(tokens.access_token)).map((l) => l.server)).toContain(
          'Node.js',
        );
      }
      const userinfo = await rawRequest(engine.issuer, {
        path: '/userinfo',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(userinfo.status, userinfo.text.slice(0, 200)).toBe(200);
      const claims = JSON.parse(userinfo.text) as Record<string, unknown>;
      expect(claims.group_0).toBe('g'.repeat(1000));
      expect(claims.sub).toBe(decodeJwt(tokens.access_token).sub);

      const introspection = await postForm(
        engine.issuer,
        '/introspect',
        { token: tokens.access_token },
        { authorization: basic('app', 'app-secret') },
      );
      expect(introspection.json.active).toBe(true);

      const logout = await rawRequest(engine.issuer, {
        path: `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5173/bye' })}`,
      });
      expect(logout.status).toBe(303);
      expect(logout.headers.location).toBe('http://127.0.0.1:5173/bye');
    });
  }

  it('a reference token of the largest user introspects with all its claims', async () => {
    const tokens = await signIn('ref', 'largest');
    const introspection = await postForm(
      engine.issuer,
      '/introspect',
      { token: tokens.access_token },
      { authorization: basic('ref', 'ref-secret') },
    );
    expect(introspection.json.active).toBe(true);
    const userinfo = await rawRequest(engine.issuer, {
      path: '/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
  });

  it('a minted token with the largest user and the most extra claims still works at userinfo', async () => {
    const minted = await adminHttp<{ value: string }>(engine, 'tokens.mint', {
      client_id: 'app',
      username: 'largest',
      scope: 'openid profile',
      extra_claims: claimsOf(MAX_CLAIMS_BYTES),
    });
    const userinfo = await rawRequest(engine.issuer, {
      path: '/userinfo',
      headers: { authorization: `Bearer ${minted.value}` },
    });
    expect(userinfo.status).toBe(200);
  });

  it('refuses claims too large for a token the provider could accept back, and keeps the user as it was', async () => {
    const before = await adminHttp<{ claims: Record<string, unknown> }>(engine, 'users.get', {
      username: 'twenty',
    });
    const error = await adminHttp(engine, 'users.update', {
      username: 'twenty',
      user: { username: 'twenty', password: 'pw', claims: claimsOf(MAX_CLAIMS_BYTES + 4096) },
    }).catch((e: { status: number; body: { message: string } }) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as { body: { message: string } }).body.message).toMatch(
      /claims are \d+ bytes as JSON; at most 131072/,
    );
    expect(await adminHttp(engine, 'users.get', { username: 'twenty' })).toEqual(before);
  });
});
