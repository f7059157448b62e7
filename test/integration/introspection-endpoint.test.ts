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
import { beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { RESOURCE_ENDPOINTS_SEED } from '../helpers/endpoint-seeds';
import { clock, engine, issuer, startFileEngine } from '../helpers/file-engine';
import {
  basic,
  expectActive,
  expectInactive,
  expectOAuthError,
  introspect,
  jwtHeader,
  jwtPayload,
  obtainCode,
  postForm,
  redeem,
  signedInTokens,
  tokenRequest,
  WEB,
} from '../helpers/oauth-http';
import { userinfo } from '../helpers/userinfo';

/** Attacks on introspection (RFC 7662): forged, dead and misused tokens, over real HTTP. */

startFileEngine(RESOURCE_ENDPOINTS_SEED);

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
    clock.advance(access_token_ttl + 1);
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
