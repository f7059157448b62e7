import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/core/tokens/keygen';
import { leftHalfHash } from '../../main/core/tokens/service';
import type { SigningAlg, SigningKey, Workspace } from '../../shared/schemas';
import { SIGNING_ALGS } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import {
  adminHttp,
  currentJwks,
  discovery,
  fetchJwks,
  introspect,
  tokenRequest,
} from '../helpers/script-http';

const REDIRECT = 'http://127.0.0.1:5173/callback';
const SVC = { clientId: 'svc', secret: 'svc-secret' };
const API = { clientId: 'api', secret: 'api-secret' };
const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
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
      client_id: SVC.clientId,
      client_secret: SVC.secret,
      grant_types: ['password'],
      scope: 'openid profile',
    },
    {
      client_id: API.clientId,
      client_secret: API.secret,
      grant_types: ['client_credentials'],
      scope: 'x',
      // A gateway: it introspects the tokens of every client here.
      introspect_any_token: true,
    },
  ],
};

/**
 * OIDC Core §3.1.3.6 (with errata set 2): at_hash is the left half of the hash "used in the alg
 * Header Parameter of the ID Token's JOSE Header". For EdDSA with Ed25519 that hash is SHA-512.
 * Written out here on purpose rather than taken from the engine.
 */
const AT_HASH_DIGEST: Record<SigningAlg, string> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  EdDSA: 'sha512',
};
const expectedAtHash = (accessToken: string, alg: SigningAlg) => {
  const digest = createHash(AT_HASH_DIGEST[alg]).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

type Started = Awaited<ReturnType<typeof startTestEngine>>;
let engine: Started;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

const passwordGrant = () =>
  tokenRequest(engine.issuer, SVC, { grant_type: 'password', username: 'alice', password: 'alice-pw' });

describe('key rotation and retirement', () => {
  it('keeps a rotated key published until it is retired, then its tokens are inactive', async () => {
    const [original] = (await engine.call('keys.list', {})) as SigningKey[];
    const old = await passwordGrant();
    expect(decodeProtectedHeader(old.access_token).kid).toBe(original?.kid);

    const rotated = (await adminHttp<SigningKey>(engine, 'keys.rotate', {})) as SigningKey;
    expect(rotated).toMatchObject({ status: 'current', alg: 'RS256' });
    expect(rotated.kid).not.toBe(original?.kid);
    const keys = (await engine.call('keys.list', {})) as SigningKey[];
    expect(keys.find((k) => k.kid === original?.kid)?.status).toBe('previous');
    expect((await fetchJwks(engine.issuer)).keys.map((k) => k.kid).sort()).toEqual(
      [original?.kid, rotated.kid].sort(),
    );

    // New tokens use the new key; the old key's tokens still verify and introspect active.
    const fresh = await passwordGrant();
    expect(decodeProtectedHeader(fresh.access_token).kid).toBe(rotated.kid);
    const jwks = await currentJwks(engine.issuer);
    for (const token of [old.access_token, fresh.access_token]) {
      await expect(jwtVerify(token, jwks, { issuer: engine.issuer, typ: 'at+jwt' })).resolves.toBeTruthy();
      expect(await introspect(engine.issuer, API, token)).toMatchObject({ active: true, sub: 'alice-sub' });
    }
    await expect(
      jwtVerify(old.id_token as string, jwks, { issuer: engine.issuer, audience: SVC.clientId }),
    ).resolves.toBeTruthy();

    const retired = await adminHttp<SigningKey>(engine, 'keys.retire', { kid: original?.kid });
    expect(retired).toMatchObject({ kid: original?.kid, status: 'retired', retired_at: expect.any(String) });
    const after = await fetchJwks(engine.issuer);
    expect(after.keys.map((k) => k.kid)).toEqual([rotated.kid]);
    await expect(
      jwtVerify(old.access_token, await currentJwks(engine.issuer), { issuer: engine.issuer }),
    ).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    expect(await introspect(engine.issuer, API, old.access_token)).toEqual({ active: false });
    expect(await introspect(engine.issuer, API, fresh.access_token)).toMatchObject({ active: true });

    const events = (await engine.call('events.list', {})) as { type: string; data: { kid?: string } }[];
    expect(events.some((e) => e.type === 'key.retired' && e.data.kid === original?.kid)).toBe(true);
    expect(events.some((e) => e.type === 'key.rotated' && e.data.kid === rotated.kid)).toBe(true);
  });

  it('refuses to retire the current key, and an unknown one, with clear messages', async () => {
    const current = ((await engine.call('keys.list', {})) as SigningKey[]).find(
      (k) => k.status === 'current',
    );
    await expect(adminHttp(engine, 'keys.retire', { kid: current?.kid })).rejects.toMatchObject({
      status: 409,
      body: {
        code: 'conflict',
        message: 'The current signing key cannot be retired. Rotate first, then retire it.',
      },
    });
    await expect(adminHttp(engine, 'keys.retire', { kid: 'no-such-kid' })).rejects.toMatchObject({
      status: 404,
      body: { code: 'not_found', message: expect.stringContaining('no-such-kid') },
    });
    // Nothing changed: the current key still signs and is still published.
    const token = await passwordGrant();
    expect(decodeProtectedHeader(token.access_token).kid).toBe(current?.kid);
    expect((await fetchJwks(engine.issuer)).keys.map((k) => k.kid)).toContain(current?.kid);
  });
});

describe('signing algorithms', () => {
  /** openid-client, strict: it must see an ID token signed with exactly `alg`. */
  async function codeFlow(alg: SigningAlg) {
    const config = await oidc.discovery(
      new URL(engine.issuer),
      'web',
      { client_secret: 'web-secret', id_token_signed_response_alg: alg },
      oidc.ClientSecretBasic('web-secret'),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await new FormBrowser().signIn(url.href, 'alice', 'alice-pw');
    return oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
  }

  for (const alg of ['ES256', 'PS256', 'EdDSA'] as const) {
    it(`completes the code flow with ${alg}: ID token, at_hash and access token`, async () => {
      const settings = await adminHttp<{ signing_alg: string }>(engine, 'settings.update', {
        signing_alg: alg,
      });
      expect(settings.signing_alg).toBe(alg);
      const current = ((await engine.call('keys.list', {})) as SigningKey[]).find(
        (k) => k.status === 'current',
      );
      expect(current?.alg).toBe(alg);

      const meta = await discovery(engine.issuer);
      expect(meta.id_token_signing_alg_values_supported).toContain(alg);

      const tokens = await codeFlow(alg);
      const claims = tokens.claims();
      expect(claims).toMatchObject({ iss: engine.issuer, sub: 'alice-sub', aud: 'web', name: 'Alice' });
      expect(decodeProtectedHeader(tokens.id_token as string)).toMatchObject({ alg, kid: current?.kid });
      // openid-client does not check at_hash in the code flow (it is optional there), so it is checked here.
      expect(claims?.at_hash).toBe(expectedAtHash(tokens.access_token, alg));

      const { protectedHeader, payload } = await jwtVerify(
        tokens.access_token,
        await currentJwks(engine.issuer),
        { issuer: engine.issuer, audience: 'orders-api', typ: 'at+jwt', algorithms: [alg] },
      );
      expect(protectedHeader).toMatchObject({ alg, kid: current?.kid, typ: 'at+jwt' });
      expect(payload).toMatchObject({ sub: 'alice-sub', client_id: 'web' });
      expect(await introspect(engine.issuer, API, tokens.access_token)).toMatchObject({ active: true });
    });
  }

  it('lists in discovery exactly the algorithms of the published keys', async () => {
    const published = (await engine.call('keys.list', {})) as SigningKey[];
    const live = published.filter((k) => k.status !== 'retired');
    const meta = await discovery(engine.issuer);
    expect(new Set(meta.id_token_signing_alg_values_supported as string[])).toEqual(
      new Set(live.map((k) => k.alg)),
    );
    expect(new Set(meta.id_token_signing_alg_values_supported as string[])).toEqual(
      new Set(['RS256', 'ES256', 'PS256', 'EdDSA']),
    );
    const jwks = await fetchJwks(engine.issuer);
    for (const jwk of jwks.keys) {
      expect(jwk).toMatchObject({ kid: expect.any(String), alg: expect.any(String), use: 'sig' });
      expect(jwk).not.toHaveProperty('d');
    }

    for (const key of live.filter((k) => k.status === 'previous')) {
      await engine.call('keys.retire', { kid: key.kid });
    }
    expect((await discovery(engine.issuer)).id_token_signing_alg_values_supported).toEqual(['EdDSA']);
    expect((await fetchJwks(engine.issuer)).keys).toHaveLength(1);
  });

  it('starts with only the seeded algorithm: no throwaway RS256 key in the JWKS', async () => {
    const seeded = await startTestEngine({
      seed: { ...SEED, settings: { signing_alg: 'ES256' } },
      inMemory: true,
    });
    try {
      const jwks = await fetchJwks(seeded.issuer);
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect((await discovery(seeded.issuer)).id_token_signing_alg_values_supported).toEqual(['ES256']);
      const token = await tokenRequest(seeded.issuer, SVC, {
        grant_type: 'password',
        username: 'alice',
        password: 'alice-pw',
      });
      await expect(
        jwtVerify(token.id_token as string, await currentJwks(seeded.issuer), {
          issuer: seeded.issuer,
          audience: SVC.clientId,
          algorithms: ['ES256'],
        }),
      ).resolves.toBeTruthy();
    } finally {
      await seeded.cleanup();
    }
  });
});

describe('ID token hashes agree with oauth4webapi (openid-client underneath)', () => {
  // oauth4webapi checks c_hash of detached-signature responses with the same per-alg hash table it
  // would use for at_hash; an ID token whose c_hash comes from the engine's leftHalfHash must pass.
  async function detachedResponse(alg: SigningAlg, hash: (code: string) => string) {
    const key = await generateSigningKey(alg, Math.floor(Date.now() / 1000));
    const code = 'an-authorization-code';
    const idToken = await new SignJWT({ sub: 'alice-sub', nonce: 'n-1', c_hash: hash(code) })
      .setProtectedHeader({ alg, kid: key.kid })
      .setIssuer('https://issuer.test')
      .setAudience('rp')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key.private_jwk, alg));
    return oauth.validateDetachedSignatureResponse(
      { issuer: 'https://issuer.test', jwks_uri: 'https://issuer.test/jwks' },
      { client_id: 'rp', id_token_signed_response_alg: alg },
      new URLSearchParams({ code, id_token: idToken }),
      'n-1',
      oauth.expectNoState,
      oauth.skipAuthTimeCheck,
      {
        [oauth.jwksCache]: {
          jwks: { keys: [key.public_jwk as oauth.JWK] },
          uat: Math.floor(Date.now() / 1000),
        },
      },
    );
  }

  it.each(SIGNING_ALGS)('%s', async (alg) => {
    await expect(detachedResponse(alg, (code) => leftHalfHash(code, alg))).resolves.toBeInstanceOf(
      URLSearchParams,
    );
  });

  it('rejects a SHA-256 hash for EdDSA, so the check above really discriminates', async () => {
    const sha256 = (code: string) =>
      createHash('sha256').update(code).digest().subarray(0, 16).toString('base64url');
    await expect(detachedResponse('EdDSA', sha256)).rejects.toThrow(/c_hash/);
  });
});
