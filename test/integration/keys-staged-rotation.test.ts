import fs from 'node:fs';
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, SigningKey, Workspace } from '../../shared/schemas';
import { frozenClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { adminHttp, currentJwks, fetchJwks, introspect, tokenRequest } from '../helpers/script-http';

const SVC = { clientId: 'svc', secret: 'svc-secret' };
const API = { clientId: 'api', secret: 'api-secret' };
const SEED: Workspace = {
  // ES256 keys are generated in a millisecond; the rotation logic is the same for every algorithm.
  settings: { signing_alg: 'ES256' },
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
  clients: [
    { client_id: SVC.clientId, client_secret: SVC.secret, grant_types: ['password'], scope: 'openid' },
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

type Started = Awaited<ReturnType<typeof startTestEngine>>;
/** A clock the test sets by hand: it stands still until advanced, from a whole second of the present. */
const clock = frozenClock(Math.floor(Date.now() / 1000) * 1000);
let engine: Started;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true, clock });
});
afterAll(async () => {
  await engine?.cleanup();
});

const keys = () => adminHttp<SigningKey[]>(engine, 'keys.list');
const keyWith = async (status: SigningKey['status']) => (await keys()).find((k) => k.status === status);
const events = async (type: string) =>
  (await adminHttp<EngineEvent[]>(engine, 'events.list', { type })).map((e) => e.data);
const publishedKids = async (on = engine) => (await fetchJwks(on.issuer)).keys.map((k) => k.kid).sort();

/** Signs a fresh access token through the real token endpoint; returns it and the kid that signed it. */
async function issue(on: Started = engine) {
  const { access_token } = await tokenRequest(on.issuer, SVC, {
    grant_type: 'password',
    username: 'alice',
    password: 'alice-pw',
  });
  return { token: access_token, kid: decodeProtectedHeader(access_token).kid };
}

/**
 * A resource server as jose documents it: createRemoteJWKSet on the jwks_uri, which caches the set
 * and, on an unknown kid, refetches at most once per 30 s cooldown. The count shows when it fetched.
 */
function remoteVerifier(on: Started = engine) {
  const counted = { fetches: 0 };
  const jwks = createRemoteJWKSet(new URL(`${on.issuer}/jwks`), {
    [customFetch]: (url, options) => {
      counted.fetches++;
      return fetch(url, options);
    },
  });
  // The engine's clock may stand still (see `clock`): times are checked by it, as the engine issued them.
  const verify = (token: string) =>
    jwtVerify(token, jwks, {
      issuer: on.issuer,
      typ: 'at+jwt',
      currentDate: new Date(on === engine ? clock.now() : Date.now()),
    });
  return Object.assign(counted, { verify });
}

describe('staged rotation: publish first, sign later', () => {
  it('publishes the next key at once; a verifier that fetched then accepts tokens signed after activation without refetching', async () => {
    const current = await keyWith('current');
    const staged = await adminHttp<SigningKey>(engine, 'keys.stage', {});
    expect(staged).toMatchObject({ status: 'next', alg: 'ES256', activates_at: null, activated_at: null });
    expect(await publishedKids()).toEqual([current?.kid, staged.kid].sort());

    // Staged, not signing: tokens still carry the current kid.
    const before = await issue();
    expect(before.kid).toBe(current?.kid);
    const verifier = remoteVerifier();
    await verifier.verify(before.token);
    expect(verifier.fetches).toBe(1);

    const activated = await adminHttp<SigningKey>(engine, 'keys.activate', {});
    expect(activated).toMatchObject({ kid: staged.kid, status: 'current', activates_at: null });
    expect(activated.activated_at).toBe(new Date(Math.floor(clock.now() / 1000) * 1000).toISOString());
    expect((await keys()).find((k) => k.kid === current?.kid)?.status).toBe('previous');

    const after = await issue();
    expect(after.kid).toBe(staged.kid);
    // The point of staging: the JWKS this verifier cached already had the new key.
    await expect(verifier.verify(after.token)).resolves.toBeTruthy();
    await expect(verifier.verify(before.token)).resolves.toBeTruthy();
    expect(verifier.fetches).toBe(1);

    expect(await events('key.staged')).toContainEqual({
      kid: staged.kid,
      alg: 'ES256',
      current_kid: current?.kid,
      activates_at: null,
    });
    expect(await events('key.activated')).toContainEqual({
      kid: staged.kid,
      alg: 'ES256',
      previous_kid: current?.kid,
      cause: 'activated',
      scheduled_for: null,
    });
  });

  it('rotate now still switches at once, which a verifier that fetched just before refuses for its cooldown', async () => {
    const verifier = remoteVerifier();
    const before = await issue();
    await verifier.verify(before.token);

    const rotated = await adminHttp<SigningKey>(engine, 'keys.rotate', {});
    expect(rotated).toMatchObject({ status: 'current', alg: 'ES256' });
    expect((await keys()).find((k) => k.kid === before.kid)?.status).toBe('previous');
    const after = await issue();
    expect(after.kid).toBe(rotated.kid);
    // The surprise staged rotation avoids: the new kid is unknown to the cache, and jose's 30 s
    // cooldown forbids refetching yet.
    await expect(verifier.verify(after.token)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    expect(verifier.fetches).toBe(1);
    expect(await events('key.rotated')).toContainEqual(
      expect.objectContaining({ kid: rotated.kid, previous_kid: before.kid, reason: 'rotated' }),
    );
  });

  it('activates a scheduled key exactly when its time comes by the engine clock', async () => {
    const current = await keyWith('current');
    const stagedAt = Math.floor(clock.now() / 1000);
    const staged = await adminHttp<SigningKey>(engine, 'keys.stage', { activate_after_seconds: 120 });
    const due = new Date((stagedAt + 120) * 1000).toISOString();
    expect(staged).toMatchObject({ status: 'next', activates_at: due });

    clock.advance(119);
    expect((await issue()).kid).toBe(current?.kid);
    expect(await keyWith('next')).toMatchObject({ kid: staged.kid, activates_at: due });

    clock.advance(1);
    // Nothing but the clock moved: the first token signed at the due second carries the new kid.
    expect((await issue()).kid).toBe(staged.kid);
    expect(await keyWith('current')).toMatchObject({ kid: staged.kid, activated_at: due });
    expect(await keyWith('next')).toBeUndefined();
    expect(await events('key.activated')).toContainEqual({
      kid: staged.kid,
      alg: 'ES256',
      previous_kid: current?.kid,
      cause: 'scheduled',
      scheduled_for: due,
    });
  });

  it('refuses a second staging while one is pending, and rotate now to another algorithm', async () => {
    const pending = await adminHttp<SigningKey>(engine, 'keys.stage', { activate_after_seconds: 3600 });
    const due = pending.activates_at as string;
    await expect(adminHttp(engine, 'keys.stage', {})).rejects.toMatchObject({
      status: 409,
      body: {
        code: 'conflict',
        message: `Key ${pending.kid} is already staged as next (it starts signing at ${due}). Activate it or retire it before staging another.`,
      },
    });
    await expect(adminHttp(engine, 'keys.rotate', { alg: 'EdDSA' })).rejects.toMatchObject({
      status: 409,
      body: { code: 'conflict', message: expect.stringContaining(`Key ${pending.kid} (ES256) is staged`) },
    });
    await expect(adminHttp(engine, 'keys.activate', { kid: 'no-such-kid' })).rejects.toMatchObject({
      status: 404,
    });
    expect((await keys()).filter((k) => k.status === 'next').map((k) => k.kid)).toEqual([pending.kid]);
    expect((await adminHttp<{ signing_alg: string }>(engine, 'settings.get')).signing_alg).toBe('ES256');

    // Rotate now with a key staged: the staged key (already published) is the one that starts signing.
    const current = await keyWith('current');
    const rotated = await adminHttp<SigningKey>(engine, 'keys.rotate', {});
    expect(rotated).toMatchObject({ kid: pending.kid, status: 'current' });
    expect((await issue()).kid).toBe(pending.kid);
    expect(await events('key.activated')).toContainEqual(
      expect.objectContaining({ kid: pending.kid, previous_kid: current?.kid, cause: 'rotated' }),
    );
    await expect(adminHttp(engine, 'keys.activate', {})).rejects.toMatchObject({
      status: 409,
      body: { code: 'conflict', message: 'No key is staged as next. Stage one first (keys.stage).' },
    });
  });

  it('retires the old key after activation: it leaves the JWKS and its tokens stop verifying', async () => {
    const old = await issue();
    const staged = await adminHttp<SigningKey>(engine, 'keys.stage', {});
    await adminHttp(engine, 'keys.activate', { kid: staged.kid });
    const fresh = await issue();
    expect(fresh.kid).toBe(staged.kid);

    const retired = await adminHttp<SigningKey>(engine, 'keys.retire', { kid: old.kid });
    expect(retired).toMatchObject({ kid: old.kid, status: 'retired' });
    expect(await publishedKids()).not.toContain(old.kid);
    expect(await publishedKids()).toContain(staged.kid);
    const jwks = await currentJwks(engine.issuer);
    const at = { issuer: engine.issuer, currentDate: new Date(clock.now()) };
    await expect(jwtVerify(old.token, jwks, at)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    await expect(jwtVerify(fresh.token, jwks, at)).resolves.toBeTruthy();
    expect(await introspect(engine.issuer, API, old.token)).toEqual({ active: false });
    expect(await events('key.retired')).toContainEqual(
      expect.objectContaining({ kid: old.kid, was: 'previous' }),
    );
  });

  it('cancels a staged key by retiring it: it leaves the JWKS without ever signing', async () => {
    const current = await keyWith('current');
    const staged = await adminHttp<SigningKey>(engine, 'keys.stage', { activate_after_seconds: 60 });
    expect(await publishedKids()).toContain(staged.kid);
    await adminHttp(engine, 'keys.retire', { kid: staged.kid });
    expect(await publishedKids()).not.toContain(staged.kid);
    clock.advance(61);
    expect((await issue()).kid).toBe(current?.kid);
    expect((await keys()).find((k) => k.kid === staged.kid)).toMatchObject({
      status: 'retired',
      activated_at: null,
      activates_at: null,
    });
    expect(await events('key.retired')).toContainEqual(
      expect.objectContaining({ kid: staged.kid, was: 'next' }),
    );
  });
});

/** The engine's export with keys carries `key`'s fields, and a fresh engine seeded from it lists them. */
async function expectExportAndImportKeep(key: Partial<SigningKey>) {
  const exported = await adminHttp<Workspace>(engine, 'workspace.export', { include_keys: true });
  expect(exported.keys).toContainEqual(expect.objectContaining(key));
  const copy = await startTestEngine({ seed: exported, inMemory: true });
  try {
    expect(await adminHttp<SigningKey[]>(copy, 'keys.list')).toContainEqual(expect.objectContaining(key));
  } finally {
    await copy.cleanup();
  }
}

describe('staged rotation to another algorithm', () => {
  it('switches signing_alg with the key at activation, and carries the staged key through export and import', async () => {
    const staged = await adminHttp<SigningKey>(engine, 'keys.stage', {
      alg: 'EdDSA',
      activate_after_seconds: 30,
    });
    expect((await adminHttp<{ signing_alg: string }>(engine, 'settings.get')).signing_alg).toBe('ES256');
    expect((await fetchJwks(engine.issuer)).keys).toContainEqual(
      expect.objectContaining({ kid: staged.kid, alg: 'EdDSA', crv: 'Ed25519', use: 'sig' }),
    );

    await expectExportAndImportKeep({ kid: staged.kid, status: 'next', activates_at: staged.activates_at });

    clock.advance(30);
    const { kid } = await issue();
    expect(kid).toBe(staged.kid);
    expect((await adminHttp<{ signing_alg: string }>(engine, 'settings.get')).signing_alg).toBe('EdDSA');

    // Once it signs, the export says since when (30 s after it was made), and an import keeps that.
    const signing = await keyWith('current');
    expect(signing).toMatchObject({ kid: staged.kid, activated_at: staged.activates_at });
    expect(signing?.activated_at).not.toBe(signing?.created_at);
    await expectExportAndImportKeep({
      kid: staged.kid,
      status: 'current',
      activated_at: staged.activates_at,
    });
  });
});

describe('staged rotation on the system clock', () => {
  it('activates on time with no request at all, and pushes each stage live', async () => {
    const live = await startTestEngine({ seed: SEED, inMemory: true });
    // The start's own first key is installed while the engine already listens: not one of these.
    await live.keyReady;
    try {
      const seen: EngineEvent[] = [];
      const activated = new Promise<void>((resolve) => {
        live.subscribe((event) => {
          if (event.type.startsWith('key.')) seen.push(event);
          if (event.type === 'key.activated') resolve();
        });
      });
      const staged = await adminHttp<SigningKey>(live, 'keys.stage', { activate_after_seconds: 1 });
      const started = Date.now();
      await activated;
      // Whole seconds: due at the next second boundary after one full second, so within (0, 2] s.
      expect(Date.now() - started).toBeLessThanOrEqual(2_500);
      expect(seen.map((e) => [e.type, e.data.kid])).toEqual([
        ['key.staged', staged.kid],
        ['key.activated', staged.kid],
      ]);
      expect(seen[1]?.data.cause).toBe('scheduled');
      expect((await issue(live)).kid).toBe(staged.kid);
    } finally {
      await live.cleanup();
    }
  });

  it('keeps a staged key and its schedule across a restart', async () => {
    const first = await startTestEngine({ seed: SEED });
    const dataDir = first.dataDir as string;
    let second: Started | undefined;
    try {
      const staged = await adminHttp<SigningKey>(first, 'keys.stage', { activate_after_seconds: 3600 });
      await first.close();
      second = await startTestEngine({ dataDir });
      expect(await adminHttp<SigningKey[]>(second, 'keys.list')).toContainEqual(
        expect.objectContaining({ kid: staged.kid, status: 'next', activates_at: staged.activates_at }),
      );
      expect(await publishedKids(second)).toContain(staged.kid);
    } finally {
      await second?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
