import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  expectActive,
  expectInactive,
  expectOAuthError,
  jwtPayload,
  listTokens,
  obtainCode,
  postForm,
  REDIRECT,
  rawRequest,
  redeem,
  redemption,
  skewableClock,
  tokenById,
  tokenRequest,
  tokenSnapshot,
} from '../helpers/hardening-http';

/** Attacks on and bad input to the token endpoint, over real HTTP. */

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT, 'http://127.0.0.1:5173/other'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      // As a desktop app with a secret would: codes for other loopback ports, bound to them at redemption.
      allow_loopback_port_variance: true,
    },
    {
      client_id: 'web2',
      client_secret: 'web2-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
      access_token_format: 'reference',
    },
    {
      client_id: 'legacy',
      client_secret: 'legacy-secret',
      grant_types: ['password'],
      scope: 'openid profile',
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

describe('authorization codes', () => {
  it('refuses a second redemption with invalid_grant and revokes the tokens of the first', async () => {
    const result = await obtainCode(issuer);
    const first = await redeem(issuer, result);
    await expectActive(issuer, first.access_token);
    await expectActive(issuer, first.refresh_token as string);

    const second = await tokenRequest(issuer, redemption(result), WEB);
    expectOAuthError(second, 400, 'invalid_grant');
    expect(second.json.access_token).toBeUndefined();

    await expectInactive(issuer, first.access_token);
    await expectInactive(issuer, first.refresh_token as string);
    const grantId = (await tokenById(engine, jwtPayload(first.access_token).jti as string)).grant_id;
    const grantTokens = await listTokens(engine, { grant_id: grantId });
    expect(grantTokens.map((t) => t.kind).sort()).toEqual(['access', 'id', 'refresh']);
    expect(grantTokens.every((t) => t.state === 'revoked')).toBe(true);
    // ...and the refresh token of the first redemption can no longer be used.
    const refresh = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      WEB,
    );
    expectOAuthError(refresh, 400, 'invalid_grant');
  });

  it('lets one of two concurrent redemptions win, then treats the other as reuse and revokes what was issued', async () => {
    const result = await obtainCode(issuer);
    const responses = await Promise.all([
      tokenRequest(issuer, redemption(result), WEB),
      tokenRequest(issuer, redemption(result), WEB),
    ]);
    const winners = responses.filter((r) => r.status === 200);
    const losers = responses.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expectOAuthError(losers[0] as (typeof responses)[number], 400, 'invalid_grant');
    await expectInactive(issuer, winners[0]?.json.access_token);
    await expectInactive(issuer, winners[0]?.json.refresh_token);
  });

  it('binds a code to its client: another client redeeming it gets invalid_grant and changes nothing', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const stolen = await tokenRequest(issuer, redemption(result), {
      authorization: basic('web2', 'web2-secret'),
    });
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await tokenSnapshot(engine)).toBe(before);
    // The rightful client still can.
    await redeem(issuer, result);
  });

  it('binds a code to its redirect_uri', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    for (const redirect of [
      'http://127.0.0.1:5173/other',
      `${REDIRECT}/`,
      'http://127.0.0.1:49152/callback',
    ]) {
      const response = await tokenRequest(issuer, { ...redemption(result), redirect_uri: redirect }, WEB);
      expectOAuthError(response, 400, 'invalid_grant');
    }
    const { redirect_uri: _omitted, ...withoutRedirect } = redemption(result);
    expectOAuthError(await tokenRequest(issuer, withoutRedirect, WEB), 400, 'invalid_request');
    expect(await tokenSnapshot(engine)).toBe(before);

    // A loopback code issued for another port is redeemable only with that port.
    const otherPort = await obtainCode(issuer, { redirectUri: 'http://127.0.0.1:49152/callback' });
    const wrongPort = await tokenRequest(issuer, { ...redemption(otherPort), redirect_uri: REDIRECT }, WEB);
    expectOAuthError(wrongPort, 400, 'invalid_grant');
    await redeem(issuer, otherPort);
  });

  it('binds a code to its PKCE challenge: a wrong, missing or malformed verifier is invalid_grant', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const fields = redemption(result);
    const { code_verifier: _verifier, ...withoutVerifier } = fields;
    for (const attempt of [
      // The last character changed (a verifier that already ends in "A" must not get "A" again).
      {
        ...fields,
        code_verifier: `${result.verifier?.slice(0, -1)}${result.verifier?.endsWith('A') ? 'B' : 'A'}`,
      },
      { ...fields, code_verifier: 'x'.repeat(43) },
      { ...fields, code_verifier: 'short' },
      { ...fields, code_verifier: `${result.verifier} ` },
      withoutVerifier,
    ]) {
      expectOAuthError(await tokenRequest(issuer, attempt, WEB), 400, 'invalid_grant');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    await redeem(issuer, result);
  });

  it('refuses a code_verifier for a code issued without a challenge (PKCE downgrade)', async () => {
    const result = await obtainCode(issuer, { pkce: false });
    const before = await tokenSnapshot(engine);
    const response = await tokenRequest(
      issuer,
      { ...redemption(result), code_verifier: 'a'.repeat(43) },
      WEB,
    );
    expectOAuthError(response, 400, 'invalid_grant');
    expect(response.json.error_description).toContain('code_challenge');
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses an expired code', async () => {
    const result = await obtainCode(issuer);
    const before = await tokenSnapshot(engine);
    const { authorization_code_ttl } = (await engine.call('settings.get', {})) as {
      authorization_code_ttl: number;
    };
    clock.skew = authorization_code_ttl + 1;
    const response = await tokenRequest(issuer, redemption(result), WEB);
    expectOAuthError(response, 400, 'invalid_grant');
    expect(response.json.error_description).toContain('expired');
    clock.skew = 0;
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses a made-up code', async () => {
    const response = await tokenRequest(
      issuer,
      { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT },
      WEB,
    );
    expectOAuthError(response, 400, 'invalid_grant');
  });
});

describe('client authentication', () => {
  const ccFields = { grant_type: 'client_credentials' };

  it('answers an unknown client with Basic auth with 401 invalid_client and WWW-Authenticate: Basic', async () => {
    for (const authorization of [
      basic('nobody', 'x'),
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Basic !!!not-base64',
      `Basic ${Buffer.from('%zz:x').toString('base64')}`,
      `Basic ${Buffer.from(':secret').toString('base64')}`,
    ]) {
      const response = await tokenRequest(issuer, ccFields, { authorization });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
  });

  it('decodes Basic credentials as form-urlencoded parts (RFC 6749 §2.3.1), and only those that are', async () => {
    const client = { client_id: 'odd id:+%', client_secret: 'a b+c:d%e é' };
    await engine.call('clients.create', { ...client, grant_types: ['client_credentials'], scope: 'x' });
    try {
      const raw = (id: string, secret: string) =>
        `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
      // Encoded as the RFC says: accepted.
      const encoded = await tokenRequest(issuer, ccFields, {
        authorization: basic(client.client_id, client.client_secret),
      });
      expect(encoded.status).toBe(200);
      // '+' is a space, and %XX a byte of UTF-8, in either part.
      const plus = await tokenRequest(issuer, ccFields, {
        authorization: raw('odd+id%3A%2B%25', 'a+b%2Bc%3Ad%25e+%C3%A9'),
      });
      expect(plus.status).toBe(200);
      // The same characters unencoded are another secret.
      const unencoded = await tokenRequest(issuer, ccFields, {
        authorization: raw('odd+id%3A%2B%25', client.client_secret),
      });
      expectOAuthError(unencoded, 401, 'invalid_client');
      // Plain ids and secrets (nothing to decode) still authenticate.
      const plain = await tokenRequest(issuer, ccFields, { authorization: raw('api', 'api-secret') });
      expect(plain.status).toBe(200);
    } finally {
      await engine.call('clients.delete', { client_id: client.client_id });
    }
  });

  it('refuses a wrong secret, with Basic (401 + WWW-Authenticate) and with client_secret_post (401)', async () => {
    const withBasic = await tokenRequest(issuer, ccFields, { authorization: basic('api', 'wrong') });
    expectOAuthError(withBasic, 401, 'invalid_client');
    expect(withBasic.headers.get('www-authenticate')).toMatch(/^Basic /);

    const withPost = await tokenRequest(issuer, {
      ...ccFields,
      client_id: 'worker',
      client_secret: 'wrong',
    });
    expectOAuthError(withPost, 401, 'invalid_client');
    const empty = await tokenRequest(issuer, { ...ccFields, client_id: 'worker', client_secret: '' });
    expectOAuthError(empty, 401, 'invalid_client');
  });

  it('refuses a client authenticating with another method than the one it registered', async () => {
    // api is registered for client_secret_basic and sends its (correct) secret in the body.
    const post = await tokenRequest(issuer, { ...ccFields, client_id: 'api', client_secret: 'api-secret' });
    expectOAuthError(post, 401, 'invalid_client');
    // worker is registered for client_secret_post and uses Basic.
    const viaBasic = await tokenRequest(issuer, ccFields, {
      authorization: basic('worker', 'worker-secret'),
    });
    expectOAuthError(viaBasic, 401, 'invalid_client');
    // A confidential client cannot pose as public by leaving the secret out.
    const none = await tokenRequest(issuer, { ...ccFields, client_id: 'api' });
    expectOAuthError(none, 401, 'invalid_client');
    // No client at all.
    expectOAuthError(await tokenRequest(issuer, ccFields), 401, 'invalid_client');
  });

  it('refuses two authentication methods at once and a body client_id that contradicts Basic', async () => {
    const both = await tokenRequest(
      issuer,
      { ...ccFields, client_secret: 'api-secret' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(both, 400, 'invalid_request');
    const mismatch = await tokenRequest(
      issuer,
      { ...ccFields, client_id: 'worker' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(mismatch, 400, 'invalid_request');
  });
});

describe('request format', () => {
  it('refuses a parameter sent twice with invalid_request', async () => {
    const before = await tokenSnapshot(engine);
    for (const body of [
      'grant_type=client_credentials&grant_type=client_credentials',
      'grant_type=client_credentials&scope=orders:read&scope=orders:read',
      'grant_type=client_credentials&client_id=worker&client_id=worker&client_secret=worker-secret',
    ]) {
      const response = await tokenRequest(
        issuer,
        body,
        body.includes('client_id') ? {} : { authorization: basic('api', 'api-secret') },
      );
      expectOAuthError(response, 400, 'invalid_request');
      expect(response.json.error_description).toContain('more than once');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('refuses a JSON body (or any non-form content type) with 400 invalid_request', async () => {
    const json = await tokenRequest(issuer, JSON.stringify({ grant_type: 'client_credentials' }), {
      authorization: basic('api', 'api-secret'),
      'content-type': 'application/json',
    });
    expectOAuthError(json, 400, 'invalid_request');
    const brokenJson = await tokenRequest(issuer, '{"grant_type":', {
      authorization: basic('api', 'api-secret'),
      'content-type': 'application/json',
    });
    expectOAuthError(brokenJson, 400, 'invalid_request');
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
      const response = await tokenRequest(issuer, 'grant_type=client_credentials', {
        authorization: basic('api', 'api-secret'),
        'content-type': type,
      });
      expectOAuthError(response, 400, 'invalid_request');
    }
    // A Content-Type that is not even a media type, or none at all, is the same malformed request.
    for (const type of ['garbage', '', undefined]) {
      const body = 'grant_type=client_credentials';
      const response = await rawRequest(issuer, {
        method: 'POST',
        path: '/token',
        headers: {
          authorization: basic('api', 'api-secret'),
          'content-length': body.length,
          ...(type === undefined ? {} : { 'content-type': type }),
        },
        body,
      });
      expect({ type, status: response.status, body: JSON.parse(response.text).error }).toEqual({
        type,
        status: 400,
        body: 'invalid_request',
      });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers unsupported_grant_type for grants it does not implement, and unauthorized_client for ones the client may not use', async () => {
    for (const grantType of [
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'CLIENT_CREDENTIALS',
    ]) {
      const response = await tokenRequest(
        issuer,
        { grant_type: grantType },
        { authorization: basic('api', 'api-secret') },
      );
      expectOAuthError(response, 400, 'unsupported_grant_type');
    }
    const missing = await tokenRequest(issuer, {}, { authorization: basic('api', 'api-secret') });
    expectOAuthError(missing, 400, 'invalid_request');
    const notAllowed = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'alice-pw' },
      { authorization: basic('api', 'api-secret') },
    );
    expectOAuthError(notAllowed, 400, 'unauthorized_client');
  });

  it('sends Cache-Control: no-store and Pragma: no-cache on successes and errors', async () => {
    const ok = await tokenRequest(issuer, {
      grant_type: 'client_credentials',
      client_id: 'worker',
      client_secret: 'worker-secret',
    });
    expect(ok.status).toBe(200);
    const error = await tokenRequest(issuer, { grant_type: 'client_credentials' });
    expect(error.status).toBe(401);
    for (const response of [ok, error]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('answers a body over the size limit with 413 and an OAuth-shaped JSON error, and keeps serving', async () => {
    const big = `grant_type=client_credentials&junk=${'a'.repeat(300 * 1024)}`;
    const before = await tokenSnapshot(engine);
    for (const chunks of [undefined, 8]) {
      const response = await rawRequest(issuer, {
        method: 'POST',
        path: '/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic('api', 'api-secret'),
          ...(chunks ? {} : { 'content-length': Buffer.byteLength(big) }),
        },
        body: big,
        chunks,
      });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    const alive = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(alive.status).toBe(200);
  });
});

describe('grants', () => {
  it('refuses openid (or any identity scope) for client_credentials with invalid_scope', async () => {
    const before = await tokenSnapshot(engine);
    for (const scope of ['openid', 'orders:read openid', 'profile', 'offline_access', 'orders:write']) {
      const response = await tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_id: 'worker',
        client_secret: 'worker-secret',
        scope,
      });
      expectOAuthError(response, 400, 'invalid_scope');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
  });

  it('answers a wrong password or unknown user in the password grant with invalid_grant', async () => {
    const before = await tokenSnapshot(engine);
    const legacy = { authorization: basic('legacy', 'legacy-secret') };
    const attempts: Record<string, string>[] = [
      { username: 'alice', password: 'wrong' },
      { username: 'alice', password: '' },
      { username: 'alice' },
      { username: 'mallory', password: 'x' },
    ];
    for (const fields of attempts) {
      const response = await tokenRequest(
        issuer,
        { grant_type: 'password', scope: 'openid', ...fields },
        legacy,
      );
      expectOAuthError(response, 400, 'invalid_grant');
    }
    expect(await tokenSnapshot(engine)).toBe(before);
    const ok = await tokenRequest(
      issuer,
      { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' },
      legacy,
    );
    expect(ok.status).toBe(200);
  });

  it('refuses a resource (RFC 8707) that is not an absolute URI, has a fragment or widens a refresh, with invalid_target', async () => {
    const before = await tokenSnapshot(engine);
    const legacy = { authorization: basic('legacy', 'legacy-secret') };
    for (const resource of ['not a uri', 'orders-api', 'https://api.example/#frag']) {
      const password = await tokenRequest(
        issuer,
        { grant_type: 'password', username: 'alice', password: 'alice-pw', resource },
        legacy,
      );
      expectOAuthError(password, 400, 'invalid_target');
      const cc = await tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_id: 'worker',
        client_secret: 'worker-secret',
        resource,
      });
      expectOAuthError(cc, 400, 'invalid_target');
    }
    expect(await tokenSnapshot(engine)).toBe(before);

    const tokens = await redeem(issuer, await obtainCode(issuer));
    const wider = await tokenRequest(
      issuer,
      {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
        resource: 'https://other.example/',
      },
      WEB,
    );
    expectOAuthError(wider, 400, 'invalid_target');
  });

  it("refuses another client's refresh token with invalid_grant and leaves it usable", async () => {
    const tokens = await redeem(issuer, await obtainCode(issuer));
    const before = await tokenSnapshot(engine);
    const stolen = await tokenRequest(
      issuer,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      { authorization: basic('web2', 'web2-secret') },
    );
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect(await tokenSnapshot(engine)).toBe(before);
    const own = await postForm(
      issuer,
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      WEB,
    );
    expect(own.status).toBe(200);
  });
});
