import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';

const REDIRECT = 'http://127.0.0.1:5173/callback';
const SEED: Workspace = {
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      sub: 'alice-sub',
      claims: {
        name: 'Alice Example',
        email: 'alice@example.test',
        email_verified: true,
        roles: ['admin'],
        tenant: 'acme',
      },
    },
    { username: 'bob', claims: { name: 'Bob NoPassword' } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: ['http://127.0.0.1:5173/bye'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access orders:read',
      access_token_format: 'jwt',
      audience: ['orders-api'],
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
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
      scope: 'orders:read orders:write',
      access_token_format: 'reference',
      audience: ['orders-api'],
    },
    {
      client_id: 'legacy-script',
      client_secret: 'legacy-secret',
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile email',
    },
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      // A gateway: it introspects the tokens of every client here.
      introspect_any_token: true,
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

/** openid-client, strict, with the single allowance of plain HTTP on loopback. */
async function rp(clientId: string, secret?: string, auth?: oidc.ClientAuth) {
  // Confidential clients here are registered for client_secret_basic unless a test says otherwise.
  const method = auth ?? (secret ? oidc.ClientSecretBasic(secret) : oidc.None());
  return oidc.discovery(new URL(engine.issuer), clientId, secret, method, {
    execute: [oidc.allowInsecureRequests],
  });
}

async function codeFlow(
  config: oidc.Configuration,
  username: string,
  password?: string,
  scope = 'openid profile email offline_access',
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const browser = new FormBrowser();
  const callback = await browser.signIn(url.href, username, password);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });

  return { tokens, browser, nonce };
}

describe('discovery and JWKS', () => {
  it('publishes exactly what the provider supports', async () => {
    const config = await rp('web', 'web-secret');
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(engine.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'password',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ]);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(meta.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'offline_access', 'orders:read', 'orders:write']),
    );
    expect(meta.claims_supported).toEqual(expect.arrayContaining(['roles', 'tenant', 'email']));
    const jwks = (await (await fetch(meta.jwks_uri as string)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('authorization code + PKCE through the real login form', () => {
  it('signs in with a password, validates the ID token and reads userinfo', async () => {
    const config = await rp('web', 'web-secret');
    const { tokens, nonce } = await codeFlow(config, 'alice', 'alice-pw');
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: engine.issuer,
      sub: 'alice-sub',
      aud: 'web',
      nonce,
      name: 'Alice Example',
      email: 'alice@example.test',
      roles: ['admin'],
      tenant: 'acme',
      amr: ['pwd'],
    });
    expect(claims?.auth_time).toEqual(expect.any(Number));
    expect(claims?.sid).toEqual(expect.any(String));
    expect(claims?.at_hash).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice-sub');
    expect(userinfo).toMatchObject({
      sub: 'alice-sub',
      email: 'alice@example.test',
      email_verified: true,
      roles: ['admin'],
    });

    // The access token is an RFC 9068 JWT that jose verifies against the JWKS.
    const jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: engine.issuer,
      audience: 'orders-api',
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({
      sub: 'alice-sub',
      client_id: 'web',
      scope: 'openid profile email offline_access',
      roles: ['admin'],
    });
    expect(payload.jti).toEqual(expect.any(String));
    // ...and the ID token is never accepted as an access token.
    await expect(
      jwtVerify(tokens.id_token as string, jwks, {
        issuer: engine.issuer,
        typ: 'at+jwt',
        algorithms: ['RS256'],
      }),
    ).rejects.toThrow();
  });

  it('signs in a user without a password by username alone, for a public client with a reference token', async () => {
    const config = await rp('spa', undefined, oidc.None());
    const { tokens } = await codeFlow(config, 'bob', undefined, 'openid profile');
    expect(tokens.claims()).toMatchObject({ name: 'Bob NoPassword', aud: 'spa' });
    expect(tokens.claims()).not.toHaveProperty('amr');
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(Buffer.from(tokens.access_token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck);
    expect(userinfo.name).toBe('Bob NoPassword');
  });

  it('reuses the browser session on a second authorization without showing the login page', async () => {
    const config = await rp('web', 'web-secret');
    const { browser } = await codeFlow(config, 'alice', 'alice-pw');
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      prompt: 'none',
      state: 'xyz',
    });
    // The page that reuses the session posts the browser secret, as its script does in a browser.
    const response = await browser.authorize(url.href);
    expect(response.status).toBe(303);
    const callback = new URL(response.headers.get('location') as string);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(engine.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'xyz',
    });
    expect(tokens.claims()?.sub).toBe('alice-sub');
  });
});

describe('refresh token rotation', () => {
  it('rotates on every use and revokes the whole family when a rotated token is replayed', async () => {
    const config = await rp('web', 'web-secret');
    const { tokens } = await codeFlow(config, 'alice', 'alice-pw');
    const first = tokens.refresh_token as string;
    const second = await oidc.refreshTokenGrant(config, first);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first);
    expect(second.claims()?.sub).toBe('alice-sub');

    const narrower = await oidc.refreshTokenGrant(config, second.refresh_token as string, {
      scope: 'openid',
    });
    expect(narrower.scope).toBe('openid');
    await expect(
      oidc.refreshTokenGrant(config, narrower.refresh_token as string, { scope: 'openid orders:read' }),
    ).rejects.toMatchObject({
      error: 'invalid_scope',
    });

    // Replaying the first (rotated) token: invalid_grant, and the newest token is dead too.
    await expect(oidc.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, narrower.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const introspection = await oidc.tokenIntrospection(config, narrower.access_token);
    expect(introspection.active).toBe(false);

    const { tokens: listed } = (await engine.call('tokens.list', {
      grant_id: undefined,
      username: 'alice',
      kind: 'refresh',
    })) as {
      tokens: { id: string; state: string }[];
    };
    expect(listed.map((t) => t.state)).toContain('reuse_detected');
  });

  it('lets exactly one of two concurrent refreshes win', async () => {
    const config = await rp('web', 'web-secret');
    const { tokens } = await codeFlow(config, 'alice', 'alice-pw');
    const results = await Promise.allSettled([
      oidc.refreshTokenGrant(config, tokens.refresh_token as string),
      oidc.refreshTokenGrant(config, tokens.refresh_token as string),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });
});

describe('client credentials, introspection and revocation', () => {
  it('issues a reference token with the client as subject and no refresh token', async () => {
    const worker = await rp('worker', 'worker-secret', oidc.ClientSecretPost('worker-secret'));
    const tokens = await oidc.clientCredentialsGrant(worker, { scope: 'orders:read' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('orders:read');

    const api = await rp('api', 'api-secret');
    const active = await oidc.tokenIntrospection(api, tokens.access_token);
    expect(active).toMatchObject({
      active: true,
      client_id: 'worker',
      sub: 'worker',
      scope: 'orders:read',
      aud: 'orders-api',
    });

    await oidc.tokenRevocation(worker, tokens.access_token);
    expect(await oidc.tokenIntrospection(api, tokens.access_token)).toEqual({ active: false });
  });

  it('keeps a revoked JWT cryptographically valid while introspection reports it inactive', async () => {
    const web = await rp('web', 'web-secret');
    const { tokens } = await codeFlow(web, 'alice', 'alice-pw');
    const api = await rp('api', 'api-secret');
    expect((await oidc.tokenIntrospection(api, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(web, tokens.refresh_token as string);
    expect(await oidc.tokenIntrospection(api, tokens.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(api, tokens.refresh_token as string)).toEqual({ active: false });
    const jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
    await expect(
      jwtVerify(tokens.access_token, jwks, { issuer: engine.issuer, typ: 'at+jwt' }),
    ).resolves.toBeTruthy();
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
  });

  it('answers exactly {"active":false} for unknown and malformed tokens', async () => {
    const api = await rp('api', 'api-secret');
    for (const token of ['nope', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      expect(await oidc.tokenIntrospection(api, token)).toEqual({ active: false });
    }
  });
});

describe('password grant (legacy test scripts)', () => {
  it('issues access, refresh and ID tokens for a username and password', async () => {
    const config = await rp('legacy-script', 'legacy-secret');
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: 'alice-pw',
      scope: 'openid email',
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice-sub', email: 'alice@example.test', amr: ['pwd'] });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    await expect(
      oidc.genericGrantRequest(config, 'password', { username: 'alice', password: 'wrong' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('RP-initiated logout', () => {
  it('ends the session, revokes its grants and returns to the registered URI with state', async () => {
    const config = await rp('web', 'web-secret');
    const { tokens, browser } = await codeFlow(config, 'alice', 'alice-pw');
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:5173/bye',
      state: 'bye-state',
    });
    const response = await browser.get(url.href);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:5173/bye?state=bye-state');
    const api = await rp('api', 'api-secret');
    expect(await oidc.tokenIntrospection(api, tokens.refresh_token as string)).toEqual({ active: false });
    // The session is gone: prompt=none now fails with login_required.
    const again = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'none',
    });
    const denied = await browser.get(again.href);
    expect(new URL(denied.headers.get('location') as string).searchParams.get('error')).toBe(
      'login_required',
    );
  });
});
