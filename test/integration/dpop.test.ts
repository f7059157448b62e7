import { createHash, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  exportJWK,
  type GenerateKeyPairResult,
  generateKeyPair,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { runningClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { basic, expectOAuthError, introspect, REDIRECT, tokenRequest } from '../helpers/oauth-http';

// RFC 9449 DPoP driven by openid-client v6 (getDPoPHandle passed as the DPoP option), strictly: its only
// allowance is plain HTTP on loopback. Issued JWTs are verified with jose; each bad proof is made by
// hand with jose and must be refused with a clear OAuth error.

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice Example' } }],
  clients: [
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'jwt',
      audience: ['orders-api'],
    },
    {
      client_id: 'svc-ref',
      client_secret: 'svc-ref-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'reference',
    },
    {
      client_id: 'strict',
      client_secret: 'strict-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      dpop_bound_access_tokens: true,
    },
    {
      // A public client (a SPA or native app): its refresh tokens are bound to its DPoP key (§5).
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      access_token_format: 'jwt',
    },
    {
      // Its proofs must carry the server's DPoP-Nonce (RFC 9449 §8).
      client_id: 'nonce-svc',
      client_secret: 'nonce-svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      dpop_nonce_required: true,
    },
    {
      client_id: 'spa-nonce',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      dpop_nonce_required: true,
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

type KeyPair = GenerateKeyPairResult;
/** An error answer's JSON body. */
type ErrorBody = { error: string; error_description: string };

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

async function rp(clientId: string): Promise<oidc.Configuration> {
  const secret = `${clientId}-secret`;
  const isPublic = clientId.startsWith('spa');
  const auth = isPublic ? oidc.None() : oidc.ClientSecretBasic(secret);
  return oidc.discovery(new URL(engine.issuer), clientId, isPublic ? undefined : secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

async function keyPair(alg = 'ES256'): Promise<KeyPair> {
  return generateKeyPair(alg, { extractable: true });
}

async function thumbprint(pair: KeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
}

async function verifyAccessJwt(token: string) {
  const { payload } = await jwtVerify(token, jwks, { issuer: engine.issuer, typ: 'at+jwt' });
  return payload;
}

interface ProofOptions {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
  /** The key whose public part goes in the header; the proof is signed by `pair` regardless. */
  headerKey?: KeyPair;
}

/** A DPoP proof made by hand (jose), correct for POST /token unless an option says otherwise. */
async function proof(pair: KeyPair, options: ProofOptions = {}): Promise<string> {
  const jwk = await exportJWK((options.headerKey ?? pair).publicKey);
  return new SignJWT({
    htm: options.htm ?? 'POST',
    htu: options.htu ?? `${engine.issuer}/token`,
    jti: options.jti ?? randomUUID(),
    ...(options.ath ? { ath: options.ath } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt(options.iat ?? Math.floor(clock.now() / 1000))
    .sign(pair.privateKey);
}

/** client_credentials with the given DPoP header (raw HTTP, so every byte is the test's). */
function clientToken(dpop: string, clientId = 'svc') {
  return tokenRequest(
    engine.issuer,
    { grant_type: 'client_credentials' },
    { authorization: basic(clientId, `${clientId}-secret`), dpop },
  );
}
const svcToken = (dpop: string) => clientToken(dpop);

async function expectProofRefused(dpop: string, description: RegExp) {
  const response = await svcToken(dpop);
  expectOAuthError(response, 400, 'invalid_dpop_proof');
  expect(response.json.error_description).toMatch(description);
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The authorization code flow of a public client, redeemed with a DPoP proof of `pair` (null: none). */
async function spaSignIn(pair: KeyPair | null, clientId = 'spa') {
  const config = await rp(clientId);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await new FormBrowser().signIn(url.href, 'alice', 'alice-pw');
  const DPoP = pair ? oidc.getDPoPHandle(config, pair) : undefined;
  const tokens = await oidc.authorizationCodeGrant(
    config,
    new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    DPoP ? { DPoP } : undefined,
  );
  return { config, DPoP, tokens };
}

describe('DPoP with openid-client', () => {
  it('lists the proof algorithms in discovery (asymmetric only)', async () => {
    const meta = (await rp('svc')).serverMetadata();
    expect(meta.dpop_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['ES256', 'RS256', 'PS256', 'EdDSA']),
    );
    expect(meta.dpop_signing_alg_values_supported?.some((alg) => alg.startsWith('HS'))).toBe(false);
  });

  it('binds a client_credentials JWT to the proof key: token_type DPoP, cnf.jkt its thumbprint', async () => {
    const config = await rp('svc');
    const pair = await keyPair();
    const tokens = await oidc.clientCredentialsGrant(config, {}, { DPoP: oidc.getDPoPHandle(config, pair) });
    expect(tokens.token_type).toBe('dpop');
    const payload = await verifyAccessJwt(tokens.access_token);
    expect(payload.cnf).toEqual({ jkt: await thumbprint(pair) });
    const introspected = await introspect(engine.issuer, tokens.access_token);
    expect(introspected.json).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await thumbprint(pair) },
    });
  });

  it('keeps cnf.jkt of a reference token for introspection', async () => {
    const config = await rp('svc-ref');
    const pair = await keyPair('RS256');
    const tokens = await oidc.clientCredentialsGrant(config, {}, { DPoP: oidc.getDPoPHandle(config, pair) });
    expect(tokens.token_type).toBe('dpop');
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const introspected = await introspect(engine.issuer, tokens.access_token);
    expect(introspected.json).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await thumbprint(pair) },
    });
  });

  it('issues Bearer tokens, without cnf, to a request without a proof', async () => {
    const tokens = await oidc.clientCredentialsGrant(await rp('svc'));
    expect(tokens.token_type).toBe('bearer');
    expect((await verifyAccessJwt(tokens.access_token)).cnf).toBeUndefined();
  });

  it('keeps the client settings as stated (admin API and export)', async () => {
    const strict = (await engine.call('clients.get', { client_id: 'strict' })) as Record<string, unknown>;
    expect(strict.dpop_bound_access_tokens).toBe(true);
    const nonce = (await engine.call('clients.get', { client_id: 'nonce-svc' })) as Record<string, unknown>;
    expect(nonce.dpop_nonce_required).toBe(true);
    const plain = (await engine.call('clients.get', { client_id: 'svc' })) as Record<string, unknown>;
    expect('dpop_bound_access_tokens' in plain).toBe(false);
  });

  it('requires a proof of a client with dpop_bound_access_tokens', async () => {
    const response = await tokenRequest(
      engine.issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic('strict', 'strict-secret') },
    );
    expectOAuthError(response, 400, 'invalid_dpop_proof');
    expect(response.json.error_description).toMatch(/requires DPoP \(dpop_bound_access_tokens\)/);
    const config = await rp('strict');
    const tokens = await oidc.clientCredentialsGrant(
      config,
      {},
      { DPoP: oidc.getDPoPHandle(config, await keyPair()) },
    );
    expect(tokens.token_type).toBe('dpop');
  });

  it('runs the code flow of a public client: bound access and refresh tokens, userinfo with the proof', async () => {
    const pair = await keyPair();
    const jkt = await thumbprint(pair);
    const { config, DPoP, tokens } = await spaSignIn(pair);
    expect(tokens.token_type).toBe('dpop');
    expect((await verifyAccessJwt(tokens.access_token)).cnf).toEqual({ jkt });
    const refreshToken = tokens.refresh_token as string;
    const introspected = await introspect(engine.issuer, refreshToken);
    expect(introspected.json).toMatchObject({ active: true, token_type: 'refresh_token', cnf: { jkt } });

    const sub = tokens.claims()?.sub as string;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP });
    expect(info).toMatchObject({ sub: 'alice-sub', name: 'Alice Example' });

    const refreshed = await oidc.refreshTokenGrant(config, refreshToken, undefined, { DPoP });
    expect(refreshed.token_type).toBe('dpop');
    expect((await verifyAccessJwt(refreshed.access_token)).cnf).toEqual({ jkt });
    const resource = await oidc.fetchProtectedResource(
      config,
      refreshed.access_token,
      new URL(`${engine.issuer}/userinfo`),
      'GET',
      undefined,
      undefined,
      { DPoP },
    );
    expect(resource.status).toBe(200);
  });

  it('refuses to refresh a bound refresh token with another key or without a proof', async () => {
    const { config, tokens } = await spaSignIn(await keyPair());
    const refreshToken = tokens.refresh_token as string;
    const other = oidc.getDPoPHandle(config, await keyPair());
    const withOther = await oidc
      .refreshTokenGrant(config, refreshToken, undefined, { DPoP: other })
      .catch((e) => e);
    expect(withOther).toBeInstanceOf(oidc.ResponseBodyError);
    expect(withOther.error).toBe('invalid_grant');
    expect(withOther.error_description).toMatch(
      /bound to the DPoP key with thumbprint .* signed by another key/,
    );
    const without = await tokenRequest(engine.issuer, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'spa',
    });
    expectOAuthError(without, 400, 'invalid_grant');
    expect(without.json.error_description).toMatch(/DPoP-bound .* send a DPoP proof signed by that key/);
  });
});

describe('bad DPoP proofs at the token endpoint', () => {
  it('accepts a correct hand-made proof (the baseline of the cases below)', async () => {
    const response = await svcToken(await proof(await keyPair()));
    expect(response.status, response.text).toBe(200);
    expect(response.json.token_type).toBe('DPoP');
  });

  it('refuses a wrong htu', async () => {
    const pair = await keyPair();
    await expectProofRefused(
      await proof(pair, { htu: `${engine.issuer}/userinfo` }),
      /htu .* does not match this endpoint/,
    );
    await expectProofRefused(await proof(pair, { htu: 'https://elsewhere.example/token' }), /htu/);
  });

  it('accepts an htu with a query, which is ignored', async () => {
    const response = await svcToken(await proof(await keyPair(), { htu: `${engine.issuer}/token?x=1#y` }));
    expect(response.status, response.text).toBe(200);
  });

  it('refuses a wrong htm', async () => {
    await expectProofRefused(
      await proof(await keyPair(), { htm: 'GET' }),
      /htm 'GET' does not match the request method POST/,
    );
  });

  it('refuses an iat too old or too far ahead', async () => {
    const now = Math.floor(clock.now() / 1000);
    await expectProofRefused(await proof(await keyPair(), { iat: now - 120 }), /iat is 1\d\d s old/);
    await expectProofRefused(
      await proof(await keyPair(), { iat: now + 120 }),
      /iat is 1\d\d s in the future/,
    );
  });

  it('refuses a replayed jti', async () => {
    const once = await proof(await keyPair());
    expect((await svcToken(once)).status).toBe(200);
    await expectProofRefused(once, /already used \(its jti was seen\)/);
  });

  it('refuses a proof signed by another key than its jwk', async () => {
    const signer = await keyPair();
    await expectProofRefused(
      await proof(signer, { headerKey: await keyPair() }),
      /signature does not verify with the jwk/,
    );
  });

  it('checks each proof of a key it has accepted before: signature, and the jwk as sent', async () => {
    // The engine keeps each proof key it has imported (protocol/dpop-keys.ts): a key seen before must
    // still verify each proof's own signature, and a jwk differing in any member is a key of its own.
    const pair = await keyPair();
    const first = await svcToken(await proof(pair));
    expect(first.status, first.text).toBe(200);
    await expectProofRefused(
      await proof(await keyPair(), { headerKey: pair }),
      /signature does not verify with the jwk/,
    );
    const jwk = await exportJWK(pair.publicKey);
    const forEncryption = await new SignJWT({ htm: 'POST', htu: `${engine.issuer}/token`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...jwk, use: 'enc' } })
      .setIssuedAt()
      .sign(pair.privateKey);
    await expectProofRefused(forEncryption, /Invalid Embedded JWK, its .use. must be .sig./);
    const again = await svcToken(await proof(pair));
    expect(again.status, again.text).toBe(200);
    const jkt = await thumbprint(pair);
    for (const response of [first, again]) {
      expect((await verifyAccessJwt(response.json.access_token as string)).cnf).toEqual({ jkt });
    }
  });

  it('refuses an HS256 proof', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-of-32-bytes-long!');
    const octJwk: JWK = { kty: 'oct', k: 'c2VjcmV0' };
    const hs = await new SignJWT({ htm: 'POST', htu: `${engine.issuer}/token`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: octJwk })
      .setIssuedAt()
      .sign(secret);
    await expectProofRefused(hs, /alg 'HS256' is not allowed/);
  });

  it('refuses a wrong typ, a private jwk and something that is no JWT', async () => {
    const pair = await keyPair();
    const wrongTyp = await new SignJWT({ htm: 'POST', htu: `${engine.issuer}/token`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(pair.publicKey) })
      .setIssuedAt()
      .sign(pair.privateKey);
    await expectProofRefused(wrongTyp, /typ must be 'dpop\+jwt'/);
    const privateJwk = (await exportJWK(pair.privateKey)) as JWK;
    const leaky = await new SignJWT({ htm: 'POST', htu: `${engine.issuer}/token`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: privateJwk })
      .setIssuedAt()
      .sign(pair.privateKey);
    await expectProofRefused(leaky, /must be a public key; it has private members \(d\)/);
    await expectProofRefused('not-a-jwt', /not a JWT/);
  });
});

describe('DPoP-bound tokens at userinfo', () => {
  async function boundToken() {
    const pair = await keyPair();
    const { tokens } = await spaSignIn(pair);
    return { pair, token: tokens.access_token };
  }

  function userinfo(headers: Record<string, string>) {
    return fetch(`${engine.issuer}/userinfo`, { headers });
  }

  async function expectChallenge(response: Response, error: string, description: RegExp) {
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(description);
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^DPoP error="${error}", error_description="[^"]+", algs="ES256 `),
    );
  }

  const userinfoProof = (pair: KeyPair, token: string | undefined, more: ProofOptions = {}) =>
    proof(pair, {
      htm: 'GET',
      htu: `${engine.issuer}/userinfo`,
      ...(token ? { ath: ath(token) } : {}),
      ...more,
    });

  it('refuses a bound token sent as Bearer', async () => {
    const { token } = await boundToken();
    await expectChallenge(
      await userinfo({ authorization: `Bearer ${token}` }),
      'invalid_token',
      /DPoP-bound: send it as .*Authorization: DPoP/,
    );
  });

  it('refuses a bound token without a proof, with a proof lacking ath, or with a wrong ath', async () => {
    const { pair, token } = await boundToken();
    await expectChallenge(
      await userinfo({ authorization: `DPoP ${token}` }),
      'invalid_dpop_proof',
      /Send one DPoP proof/,
    );
    await expectChallenge(
      await userinfo({ authorization: `DPoP ${token}`, dpop: await userinfoProof(pair, undefined) }),
      'invalid_dpop_proof',
      /no ath/,
    );
    await expectChallenge(
      await userinfo({
        authorization: `DPoP ${token}`,
        dpop: await userinfoProof(pair, undefined, { ath: ath('other') }),
      }),
      'invalid_dpop_proof',
      /ath is not the SHA-256 hash/,
    );
  });

  it('refuses a valid proof of another key than the token is bound to', async () => {
    const { token } = await boundToken();
    const response = await userinfo({
      authorization: `DPoP ${token}`,
      dpop: await userinfoProof(await keyPair(), token),
    });
    await expectChallenge(
      response,
      'invalid_dpop_proof',
      /signed by another key .* than the one the access token is bound to/,
    );
  });

  it('answers a correct hand-made proof, and refuses it replayed', async () => {
    const { pair, token } = await boundToken();
    const dpop = await userinfoProof(pair, token);
    const ok = await userinfo({ authorization: `DPoP ${token}`, dpop });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { sub: string }).sub).toBe('alice-sub');
    await expectChallenge(
      await userinfo({ authorization: `DPoP ${token}`, dpop }),
      'invalid_dpop_proof',
      /already used/,
    );
  });

  it('answers an unknown token sent with the DPoP scheme with a DPoP challenge', async () => {
    const response = await userinfo({ authorization: 'DPoP not-a-token' });
    await expectChallenge(response, 'invalid_token', /unknown, expired or revoked/);
  });

  it('refuses an unbound token sent with the DPoP scheme', async () => {
    // The same public client, signed in without DPoP: a Bearer token.
    const { tokens } = await spaSignIn(null);
    expect(tokens.token_type).toBe('bearer');
    const response = await userinfo({ authorization: `DPoP ${tokens.access_token}` });
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorBody;
    expect(body).toMatchObject({ error: 'invalid_token' });
    expect(body.error_description).toMatch(/not DPoP-bound: send it as .*Bearer/);
    expect((await userinfo({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
  });
});

describe('DPoP-Nonce (RFC 9449 §8) for a client that requires it', () => {
  const nonceSvcToken = (dpop: string) => clientToken(dpop, 'nonce-svc');

  it('answers a proof without the nonce with use_dpop_nonce and the nonce; accepts it with the nonce', async () => {
    const pair = await keyPair();
    const first = await nonceSvcToken(await proof(pair));
    expectOAuthError(first, 400, 'use_dpop_nonce');
    expect(first.json.error_description).toMatch(/use the DPoP-Nonce header/);
    const nonce = first.headers.get('dpop-nonce') as string;
    expect(nonce).toMatch(/^[\w-]{43}$/);
    const second = await nonceSvcToken(await proof(pair, { nonce }));
    expect(second.status, second.text).toBe(200);
    expect(second.json.token_type).toBe('DPoP');
    expect(second.headers.get('dpop-nonce')).toBe(nonce);
  });

  it('refuses a made-up nonce with use_dpop_nonce', async () => {
    const response = await nonceSvcToken(await proof(await keyPair(), { nonce: 'guess' }));
    expectOAuthError(response, 400, 'use_dpop_nonce');
    expect(response.json.error_description).toMatch(/nonce is not \(or no longer\) valid/);
  });

  it('lets openid-client follow the nonce by itself: token endpoint and userinfo', async () => {
    const config = await rp('nonce-svc');
    const tokens = await oidc.clientCredentialsGrant(
      config,
      {},
      { DPoP: oidc.getDPoPHandle(config, await keyPair()) },
    );
    expect(tokens.token_type).toBe('dpop');
    const pair = await keyPair();
    const signedIn = await spaSignIn(pair, 'spa-nonce');
    expect((await verifyAccessJwt(signedIn.tokens.access_token)).cnf).toEqual({
      jkt: await thumbprint(pair),
    });
    const sub = signedIn.tokens.claims()?.sub as string;
    const info = await oidc.fetchUserInfo(signedIn.config, signedIn.tokens.access_token, sub, {
      DPoP: signedIn.DPoP,
    });
    expect(info.sub).toBe('alice-sub');
  });

  it('asks for the nonce at userinfo with a 401 DPoP challenge', async () => {
    const pair = await keyPair();
    const { tokens } = await spaSignIn(pair, 'spa-nonce');
    const token = tokens.access_token;
    const dpop = await proof(pair, { htm: 'GET', htu: `${engine.issuer}/userinfo`, ath: ath(token) });
    const response = await fetch(`${engine.issuer}/userinfo`, {
      headers: { authorization: `DPoP ${token}`, dpop },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error).toBe('use_dpop_nonce');
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(response.headers.get('dpop-nonce')).toMatch(/^[\w-]{43}$/);
  });
});
