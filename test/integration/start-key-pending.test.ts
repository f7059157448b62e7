// A fresh start listens while its signing key is still being made (engine.ts, keys/pending-key.ts).
// The host hands the engine that key as a promise (EngineOptions.preparedKey, as the CLI does), so
// these tests decide when it is ready, or that it fails, while real requests wait on 127.0.0.1.
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/core/engine';
import type { KeyRecord } from '../../main/core/store/keys';
import { generateSigningKey } from '../../main/core/tokens/keygen';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { adminHttp, basicAuth } from '../helpers/script-http';

const SVC = { clientId: 'svc', secret: 'svc-secret' };
const SEED: Workspace = {
  settings: { signing_alg: 'RS256' },
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } }],
  clients: [
    {
      client_id: SVC.clientId,
      client_secret: SVC.secret,
      grant_types: ['password', 'client_credentials'],
      scope: 'openid profile api',
      access_token_format: 'jwt',
    },
  ],
};

/** A key promise the test settles: the engine gets it as the host's prepared key. */
function heldKey() {
  let release!: (key: KeyRecord) => void;
  let fail!: (error: Error) => void;
  const key = new Promise<KeyRecord>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { key, release, fail };
}

/** Tracks whether a request has been answered yet, without awaiting it. */
function tracked<T>(request: Promise<T>) {
  const state = { answered: false, result: request };
  request.then(
    () => {
      state.answered = true;
    },
    () => {
      state.answered = true;
    },
  );
  return state;
}

async function postToken(issuer: string, fields: Record<string, string>) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(SVC.clientId, SVC.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
  return { status: response.status, body: (await response.json()) as any };
}

const getJson = async (url: string) => {
  const response = await fetch(url);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the answer field by field
  return { status: response.status, body: (await response.json()) as any };
};

/** Long enough for a request the engine would answer at once to have been answered (it is local). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('a start that listens before its signing key is made', () => {
  it('holds token, JWKS and key requests until the key is in, then signs with the published key', async () => {
    const held = heldKey();
    const engine = await startTestEngine({
      inMemory: true,
      seed: SEED,
      preparedKey: { alg: 'RS256', key: held.key },
    });
    cleanup = engine.cleanup;
    const { issuer } = engine;

    // Discovery answers at once, complete: the algorithm the key will have, and where its JWKS is.
    const discovery = await getJson(`${issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(discovery.body.jwks_uri).toBe(`${issuer}/jwks`);
    expect(discovery.body.token_endpoint).toBe(`${issuer}/token`);

    // Everything that signs or lists keys waits: a client_credentials token, an id_token (password
    // grant with openid), the JWKS and the admin API's key list.
    const clientToken = tracked(postToken(issuer, { grant_type: 'client_credentials', scope: 'api' }));
    const idToken = tracked(
      postToken(issuer, { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' }),
    );
    const jwks = tracked(getJson(`${issuer}/jwks`));
    const keyList = tracked(adminHttp<{ kid: string; status: string }[]>(engine, 'keys.list'));
    await settle();
    expect({
      clientToken: clientToken.answered,
      idToken: idToken.answered,
      jwks: jwks.answered,
      keyList: keyList.answered,
    }).toEqual({ clientToken: false, idToken: false, jwks: false, keyList: false });

    const key = await generateSigningKey('RS256', Math.floor(Date.now() / 1000));
    held.release(key);
    await engine.keyReady;

    const published = await jwks.result;
    expect(published.status).toBe(200);
    expect((published.body as JSONWebKeySet).keys.map((jwk) => jwk.kid)).toEqual([key.kid]);
    const keySet = createLocalJWKSet(published.body as JSONWebKeySet);

    const access = await clientToken.result;
    expect(access.status).toBe(200);
    expect(decodeProtectedHeader(access.body.access_token)).toMatchObject({ alg: 'RS256', kid: key.kid });
    const { payload } = await jwtVerify(access.body.access_token, keySet, { issuer });
    expect(payload.client_id).toBe(SVC.clientId);

    const password = await idToken.result;
    expect(password.status).toBe(200);
    expect(decodeProtectedHeader(password.body.id_token).kid).toBe(key.kid);
    const idClaims = await jwtVerify(password.body.id_token, keySet, { issuer, audience: SVC.clientId });
    expect(idClaims.payload.sub).toBe('alice-sub');

    expect((await keyList.result).map(({ kid, status }) => ({ kid, status }))).toEqual([
      { kid: key.kid, status: 'current' },
    ]);
  });

  it('answers server_error naming the cause when the key cannot be made, and says so to the host', async () => {
    const held = heldKey();
    const engine = await createEngine({
      port: 0,
      inMemory: true,
      seed: SEED,
      preparedKey: { alg: 'RS256', key: held.key },
    });
    cleanup = () => engine.close();
    const waiting = tracked(postToken(engine.issuer, { grant_type: 'client_credentials', scope: 'api' }));
    await settle();
    expect(waiting.answered).toBe(false);

    held.fail(new Error('the thread pool is gone'));
    await expect(engine.keyReady).rejects.toThrow(
      'Could not generate the RS256 signing key: the thread pool is gone.',
    );
    const refused = await waiting.result;
    expect(refused.status).toBe(500);
    expect(refused.body.error).toBe('server_error');
    expect(refused.body.error_description).toContain('Could not generate the RS256 signing key');
    expect(refused.body.error_description).toContain('the thread pool is gone');

    // Later requests get the same answer at once, JWKS included; the admin API in its own envelope.
    const jwks = await getJson(`${engine.issuer}/jwks`);
    expect(jwks.status).toBe(500);
    expect(jwks.body.error_description).toContain('the thread pool is gone');
    await expect(adminHttp(engine, 'keys.list')).rejects.toMatchObject({
      status: 500,
      body: { code: 'internal', message: expect.stringContaining('the thread pool is gone') },
    });
    // What needs no key still answers, so the host can be asked what went wrong.
    expect((await getJson(`${engine.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });

  it('fails the start itself when the key has already failed before the engine would listen', async () => {
    const failed = Promise.reject(new Error('out of memory'));
    await expect(
      createEngine({
        port: 0,
        inMemory: true,
        seed: SEED,
        preparedKey: { alg: 'RS256', key: failed },
      }),
    ).rejects.toThrow('Could not generate the RS256 signing key: out of memory.');
  });

  it('does not hold anything when the seed carries the signing key', async () => {
    const key = await generateSigningKey('ES256', Math.floor(Date.now() / 1000));
    const engine = await startTestEngine({
      inMemory: true,
      seed: {
        ...SEED,
        settings: { signing_alg: 'ES256' },
        keys: [
          {
            kid: key.kid,
            alg: 'ES256',
            status: 'current',
            created_at: new Date().toISOString(),
            private_jwk: key.private_jwk,
          },
        ],
      },
    });
    cleanup = engine.cleanup;
    await engine.keyReady;
    const jwks = await getJson(`${engine.issuer}/jwks`);
    expect((jwks.body as JSONWebKeySet).keys.map((jwk) => jwk.kid)).toEqual([key.kid]);
  });
});
