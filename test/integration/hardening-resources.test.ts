import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  expectActive,
  expectInactive,
  expectOAuthError,
  introspect,
  jwtHeader,
  jwtPayload,
  listTokens,
  obtainCode,
  postForm,
  REDIRECT,
  redeem,
  signedInTokens,
  skewableClock,
  tokenById,
  tokenRequest,
  tokenSnapshot,
} from '../helpers/hardening-http';

/** Attacks on userinfo (RFC 6750), introspection (RFC 7662) and revocation (RFC 7009), over real HTTP. */

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice', roles: ['user'] } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      audience: ['orders-api'],
    },
    {
      client_id: 'web-ref',
      client_secret: 'web-ref-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      access_token_format: 'reference',
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
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

const clock = skewableClock();
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let issuer: string;
const WEB = { authorization: basic('web', 'web-secret') };

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true, clock });
  issuer = engine.issuer;
});
afterAll(async () => {
  await engine.cleanup();
});
afterEach(() => {
  clock.skew = 0;
});

async function userinfo(token: string | null, init: { method?: string; body?: string; query?: string } = {}) {
  const response = await fetch(`${issuer}/userinfo${init.query ?? ''}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
}

/** RFC 6750 §3: status, `error` in the body and the same error in WWW-Authenticate: Bearer. */
function expectBearerError(response: Awaited<ReturnType<typeof userinfo>>, status: number, error: string) {
  expect({ status: response.status, error: response.json?.error }).toEqual({ status, error });
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain(`error="${error}"`);
  expect(response.headers.get('cache-control')).toBe('no-store');
}

async function clientCredentialsToken(): Promise<string> {
  const response = await tokenRequest(
    issuer,
    { grant_type: 'client_credentials', scope: 'orders:read' },
    { authorization: basic('worker', 'worker-secret') },
  );
  expect(response.status).toBe(200);
  return response.json.access_token;
}

describe('userinfo', () => {
  it('answers a request without a token with 401 and a bare WWW-Authenticate: Bearer challenge', async () => {
    for (const init of [{}, { method: 'POST', body: 'x=1' }, { query: '?access_token=whatever' }]) {
      const response = await userinfo(null, init);
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer /);
      // RFC 6750 §3.1: no error code when the request carried no authentication at all.
      expect(challenge).not.toContain('error=');
    }
    const wrongScheme = await fetch(`${issuer}/userinfo`, {
      headers: { authorization: basic('web', 'web-secret') },
    });
    expect(wrongScheme.status).toBe(401);
  });

  it('answers an unknown, expired or revoked token with 401 invalid_token', async () => {
    expectBearerError(await userinfo('not-a-token'), 401, 'invalid_token');
    expectBearerError(await userinfo('a.b.c'), 401, 'invalid_token');

    const expiring = await signedInTokens(issuer);
    expect((await userinfo(expiring.access_token)).status).toBe(200);
    const { access_token_ttl } = (await engine.call('settings.get', {})) as { access_token_ttl: number };
    clock.skew = access_token_ttl + 1;
    expectBearerError(await userinfo(expiring.access_token), 401, 'invalid_token');
    clock.skew = 0;

    const revoked = await signedInTokens(issuer);
    const revocation = await postForm(issuer, '/revoke', { token: revoked.access_token }, WEB);
    expect(revocation.status).toBe(200);
    expectBearerError(await userinfo(revoked.access_token), 401, 'invalid_token');
  });

  it('refuses an ID token presented as an access token with 401 invalid_token', async () => {
    const tokens = await signedInTokens(issuer);
    expectBearerError(await userinfo(tokens.id_token as string), 401, 'invalid_token');
    expectBearerError(await userinfo(tokens.refresh_token as string), 401, 'invalid_token');
  });

  it('refuses a client_credentials token (no user, no openid scope) with 403 insufficient_scope', async () => {
    const token = await clientCredentialsToken();
    expectBearerError(await userinfo(token), 403, 'insufficient_scope');
  });

  it('refuses a token sent in both the header and the body with 400 invalid_request', async () => {
    const tokens = await signedInTokens(issuer);
    const response = await userinfo(tokens.access_token, {
      method: 'POST',
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect({ status: response.status, error: response.json.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    // The body alone is fine (RFC 6750 §2.2).
    const bodyOnly = await userinfo(null, {
      method: 'POST',
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect(bodyOnly.status).toBe(200);
  });
});

describe('introspection of forged and dead tokens', () => {
  let live: string;
  let livePayload: JWTPayload;
  let kid: string;
  let publicJwk: JWK;
  let privateJwk: JWK;

  beforeAll(async () => {
    live = (await signedInTokens(issuer, { scope: 'openid profile' })).access_token;
    livePayload = jwtPayload(live);
    kid = jwtHeader(live).kid as string;
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;
    publicJwk = jwks.keys.find((k) => k.kid === kid) as JWK;
    // The attacks below that need the provider's own private key model a leaked key or a second engine
    // seeded with the same keys: even then, a token we did not issue byte for byte is not active.
    const exported = (await engine.call('workspace.export', { include_keys: true })) as Workspace;
    privateJwk = exported.keys?.find((k) => k.kid === kid)?.private_jwk as JWK;
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  async function signWith(
    key: Parameters<SignJWT['sign']>[0],
    header: Record<string, unknown>,
    payload: JWTPayload = livePayload,
  ) {
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
  }

  async function forgeries(): Promise<Record<string, string>> {
    const realKey = await importJWK(privateJwk, 'RS256');
    const attacker = await generateKeyPair('RS256');
    const attackerJwk = await exportJWK(attacker.publicKey);
    const pem = await exportSPKI((await importJWK(publicJwk, 'RS256')) as Parameters<typeof exportSPKI>[0]);
    const [liveHeader, , liveSignature] = live.split('.');
    const other = (await signedInTokens(issuer, { scope: 'openid' })).access_token;
    const now = Math.floor(Date.now() / 1000);
    return {
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(livePayload)}.`,
      'alg NONE with the real signature': `${b64({ alg: 'NONE', typ: 'at+jwt', kid })}.${b64(livePayload)}.${liveSignature}`,
      'HS256 keyed with the public key PEM': await signWith(new TextEncoder().encode(pem), {
        alg: 'HS256',
        typ: 'at+jwt',
        kid,
      }),
      'HS256 keyed with the public JWK': await signWith(new TextEncoder().encode(JSON.stringify(publicJwk)), {
        alg: 'HS256',
        typ: 'at+jwt',
        kid,
      }),
      'HS256 keyed with the modulus': await signWith(Buffer.from(publicJwk.n as string, 'base64url'), {
        alg: 'HS256',
        typ: 'at+jwt',
        kid,
      }),
      'unknown kid': await signWith(attacker.privateKey, {
        alg: 'RS256',
        typ: 'at+jwt',
        kid: 'attacker-kid',
      }),
      "attacker key under the provider's kid": await signWith(attacker.privateKey, {
        alg: 'RS256',
        typ: 'at+jwt',
        kid,
      }),
      'embedded jwk header': await signWith(attacker.privateKey, {
        alg: 'RS256',
        typ: 'at+jwt',
        jwk: attackerJwk,
      }),
      'tampered payload': `${liveHeader}.${b64({ ...livePayload, scope: 'openid profile admin' })}.${liveSignature}`,
      'signature of another token': `${other.split('.').slice(0, 2).join('.')}.${liveSignature}`,
      'wrong iss': await signWith(
        realKey,
        { alg: 'RS256', typ: 'at+jwt', kid },
        { ...livePayload, iss: 'http://evil.example' },
      ),
      'wrong typ (JWT)': await signWith(realKey, { alg: 'RS256', typ: 'JWT', kid }),
      'no typ': await signWith(realKey, { alg: 'RS256', kid }),
      'wrong aud': await signWith(
        realKey,
        { alg: 'RS256', typ: 'at+jwt', kid },
        { ...livePayload, aud: 'evil-api' },
      ),
      'extra claims': await signWith(
        realKey,
        { alg: 'RS256', typ: 'at+jwt', kid },
        { ...livePayload, roles: ['admin'] },
      ),
      expired: await signWith(
        realKey,
        { alg: 'RS256', typ: 'at+jwt', kid },
        { ...livePayload, iat: now - 7200, exp: now - 3600 },
      ),
    };
  }

  it('answers exactly {"active":false} for every forged JWT, and userinfo refuses them', async () => {
    await expectActive(issuer, live);
    const forged = await forgeries();
    for (const [name, token] of Object.entries(forged)) {
      const response = await introspect(issuer, token);
      expect({ name, status: response.status, body: response.text }).toEqual({
        name,
        status: 200,
        body: '{"active":false}',
      });
      const info = await userinfo(token);
      expect({ name, status: info.status, error: info.json.error }).toEqual({
        name,
        status: 401,
        error: 'invalid_token',
      });
    }
    // The genuine token they were made from is still active and unchanged.
    await expectActive(issuer, live);
  });

  it('answers {"active":false} for a real ID token (wrong typ) and for token type hints that do not fit', async () => {
    const tokens = await signedInTokens(issuer);
    await expectInactive(issuer, tokens.id_token as string);
    const hinted = await introspect(issuer, tokens.id_token as string, { token_type_hint: 'access_token' });
    expect(hinted.text).toBe('{"active":false}');
  });

  it('answers {"active":false} for a genuine token once it has expired, of either format', async () => {
    const jwt = await signedInTokens(issuer);
    const reference = await redeem(
      issuer,
      await obtainCode(issuer, { clientId: 'web-ref' }),
      basic('web-ref', 'web-ref-secret'),
    );
    await expectActive(issuer, reference.access_token);
    const { access_token_ttl } = (await engine.call('settings.get', {})) as { access_token_ttl: number };
    clock.skew = access_token_ttl + 1;
    await expectInactive(issuer, jwt.access_token);
    await expectInactive(issuer, reference.access_token);
  });

  it('answers {"active":false} for a refresh token after rotation, and active for its successor', async () => {
    const tokens = await signedInTokens(issuer);
    const rotated = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      WEB,
    );
    expect(rotated.status).toBe(200);
    await expectInactive(issuer, tokens.refresh_token as string);
    const hinted = await introspect(issuer, tokens.refresh_token as string, {
      token_type_hint: 'refresh_token',
    });
    expect(hinted.text).toBe('{"active":false}');
    await expectActive(issuer, rotated.json.refresh_token);
  });

  it('lets only an authenticated confidential client introspect (401 invalid_client otherwise)', async () => {
    const tokens = await signedInTokens(issuer);
    const publicClient = await postForm(issuer, '/introspect', {
      token: tokens.access_token,
      client_id: 'spa',
    });
    expectOAuthError(publicClient, 401, 'invalid_client');
    const nobody = await postForm(issuer, '/introspect', { token: tokens.access_token });
    expectOAuthError(nobody, 401, 'invalid_client');
    const wrongSecret = await postForm(
      issuer,
      '/introspect',
      { token: tokens.access_token },
      { authorization: basic('api', 'nope') },
    );
    expectOAuthError(wrongSecret, 401, 'invalid_client');
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);
    for (const response of [publicClient, nobody, wrongSecret]) {
      expect(response.json.active).toBeUndefined();
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('revocation', () => {
  it('answers 200 for an unknown token', async () => {
    const hints: Record<string, string>[] = [
      {},
      { token_type_hint: 'access_token' },
      { token_type_hint: 'refresh_token' },
    ];
    for (const extra of hints) {
      const response = await postForm(issuer, '/revoke', { token: 'never-issued', ...extra }, WEB);
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
    }
  });

  it("refuses to revoke another client's token and leaves it active", async () => {
    const tokens = await signedInTokens(issuer);
    const before = await tokenSnapshot(engine);
    for (const token of [tokens.access_token, tokens.refresh_token as string]) {
      const response = await postForm(
        issuer,
        '/revoke',
        { token },
        { authorization: basic('worker', 'worker-secret') },
      );
      expectOAuthError(response, 400, 'invalid_request');
      await expectActive(issuer, token);
    }
    // A wrong secret for the rightful client does not revoke it either.
    const wrongSecret = await postForm(
      issuer,
      '/revoke',
      { token: tokens.access_token },
      { authorization: basic('web', 'wrong') },
    );
    expectOAuthError(wrongSecret, 401, 'invalid_client');
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('revokes the access tokens of the grant, earlier ones included, when a refresh token is revoked', async () => {
    const first = await signedInTokens(issuer);
    const second = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      WEB,
    );
    expect(second.status).toBe(200);
    await expectActive(issuer, first.access_token);
    await expectActive(issuer, second.json.access_token);

    const response = await postForm(
      issuer,
      '/revoke',
      { token: second.json.refresh_token, token_type_hint: 'refresh_token' },
      WEB,
    );
    expect(response.status).toBe(200);
    for (const token of [first.access_token, second.json.access_token, second.json.refresh_token]) {
      await expectInactive(issuer, token);
    }
    const grantId = (await tokenById(engine, jwtPayload(first.access_token).jti as string)).grant_id;
    const grant = await listTokens(engine, { grant_id: grantId });
    expect(grant.filter((t) => t.kind === 'access')).toHaveLength(2);
    expect(grant.filter((t) => t.kind === 'access').every((t) => t.state === 'revoked')).toBe(true);
    expect(grant.some((t) => t.state === 'active')).toBe(false);
  });

  it('answers an unsupported token_type_hint with unsupported_token_type and revokes nothing', async () => {
    const tokens = await signedInTokens(issuer);
    const before = await tokenSnapshot(engine);
    for (const hint of ['id_token', 'authorization_code', 'ACCESS_TOKEN']) {
      const response = await postForm(
        issuer,
        '/revoke',
        { token: tokens.access_token, token_type_hint: hint },
        WEB,
      );
      expectOAuthError(response, 400, 'unsupported_token_type');
    }
    await expectActive(issuer, tokens.access_token);
    expect(await tokenSnapshot(engine)).toBe(before);
  });
});
