import fs from 'node:fs';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, EngineEvent, SigningKey, User, Workspace } from '../../shared/schemas';
import { DEFAULT_SETTINGS } from '../../shared/schemas';
import { startTestEngine, tempDir } from '../helpers/engine';
import { adminHttp, currentJwks, discovery, fetchJwks, tokenRequest } from '../helpers/script-http';

type Started = Awaited<ReturnType<typeof startTestEngine>>;

const SVC = { clientId: 'svc', secret: 'svc-secret' };
const DOC: Workspace = {
  settings: {
    access_token_ttl: 120,
    refresh_token_ttl: 7200,
    signing_alg: 'ES256',
    login_hint_skips_login: true,
  },
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      sub: 'alice-sub',
      claims: {
        name: 'Alice',
        email: 'alice@example.test',
        roles: ['admin', 'qa'],
        address: { country: 'NL' },
      },
    },
    // No sub: one is generated and must stay the same when the document is applied again.
    { username: 'bob', claims: { tenant: 'acme', level: 3, active: true, note: null } },
    { username: 'carol', password: 'carol-pw' },
  ],
  clients: [
    {
      client_id: 'web',
      client_name: 'Web app',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1:5173/bye'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access orders:read',
      audience: ['orders-api'],
      id_token_ttl: 600,
    },
    {
      client_id: 'spa',
      redirect_uris: ['http://localhost:3000/cb'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid',
      access_token_format: 'reference',
    },
    // No secret: one is generated and must survive re-seeding.
    {
      client_id: 'worker',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:write',
      access_token_ttl: 60,
    },
    {
      client_id: SVC.clientId,
      client_secret: SVC.secret,
      grant_types: ['password'],
      scope: 'openid profile',
    },
  ],
};

const withoutTimes = <T extends { created_at: string; updated_at: string }>(items: T[]) =>
  items.map(({ created_at: _c, updated_at: _u, ...rest }) => rest);

/** Everything an engine exposes about its users, clients, settings and keys, for comparisons. */
async function snapshot(engine: Started) {
  return {
    users: withoutTimes((await engine.call('users.list', {})) as User[]),
    clients: withoutTimes((await engine.call('clients.list', {})) as Client[]),
    settings: await engine.call('settings.get', {}),
    keys: (await engine.call('keys.list', {})) as SigningKey[],
    events: ((await engine.call('events.list', { limit: 5000 })) as EngineEvent[]).length,
    tokens: ((await engine.call('tokens.list', {})) as { total: number }).total,
  };
}

let source: Started;
const started: Started[] = [];
async function start(options: Parameters<typeof startTestEngine>[0]) {
  const engine = await startTestEngine({ inMemory: true, ...options });
  started.push(engine);
  return engine;
}

beforeAll(async () => {
  source = await start({ seed: DOC });
  // A previous key in the export too, not only the current one.
  await source.call('keys.rotate', {});
});
afterAll(async () => {
  for (const engine of started) await engine.cleanup();
});

describe('export seeds an identical engine', () => {
  it('without keys: same users, clients and settings; the copy has its own key', async () => {
    const exported = await adminHttp<Workspace>(source, 'workspace.export', {});
    expect(exported).not.toHaveProperty('keys');
    expect(JSON.stringify(exported)).not.toContain('"d"');
    const copy = await start({ seed: exported });

    const [a, b] = [await snapshot(source), await snapshot(copy)];
    expect(b.users).toEqual(a.users);
    expect(b.clients).toEqual(a.clients);
    expect(b.settings).toEqual(a.settings);
    expect(b.users.find((u) => u.username === 'bob')?.sub).toEqual(expect.any(String));
    expect(b.clients.find((c) => c.client_id === 'worker')?.client_secret).toEqual(expect.any(String));
    expect(b.keys).toHaveLength(1);
    expect(b.keys[0]?.alg).toBe('ES256');
    expect(a.keys.map((k) => k.kid)).not.toContain(b.keys[0]?.kid);
    // ...and its export is the same document.
    expect(await copy.call('workspace.export', {})).toEqual(exported);
  });

  it('claims named "constructor" and "prototype" survive export and import over HTTP', async () => {
    const claims = { constructor: { prototype: { role: 'x' } }, prototype: ['p'], __defineGetter__: 1 };
    const engine = await start({ seed: { users: [{ username: 'dana', claims }] } });
    const exported = await adminHttp<Workspace>(engine, 'workspace.export', { include_keys: true });
    const copy = await start({});
    await adminHttp(copy, 'workspace.import', exported);
    expect((await adminHttp<User>(copy, 'users.get', { username: 'dana' })).claims).toEqual(claims);
    // The copy keeps its own first key as a previous one; everything else is the same document.
    const { keys: _keys, ...rest } = exported;
    expect(await adminHttp(copy, 'workspace.export', {})).toEqual(rest);
  });

  it('with keys: identical JWKS, so a token from one verifies against the other', async () => {
    const exported = await adminHttp<Workspace>(source, 'workspace.export', { include_keys: true });
    expect(exported.keys?.map((k) => k.status).sort()).toEqual(['current', 'previous']);
    expect(exported.keys?.every((k) => typeof k.private_jwk.d === 'string')).toBe(true);
    const copy = await start({ seed: exported });

    expect(await fetchJwks(copy.issuer)).toEqual(await fetchJwks(source.issuer));
    expect((await snapshot(copy)).keys).toEqual((await snapshot(source)).keys);
    expect((await discovery(copy.issuer)).id_token_signing_alg_values_supported).toEqual(
      (await discovery(source.issuer)).id_token_signing_alg_values_supported,
    );

    const tokens = await tokenRequest(source.issuer, SVC, {
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pw',
    });
    const jwks = await currentJwks(copy.issuer);
    const { protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBe(exported.keys?.find((k) => k.status === 'current')?.kid);
    await expect(
      jwtVerify(tokens.id_token as string, jwks, { audience: SVC.clientId }),
    ).resolves.toBeTruthy();

    // The copy signs with the same current key.
    const own = await tokenRequest(copy.issuer, SVC, {
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pw',
    });
    expect(decodeProtectedHeader(own.access_token).kid).toBe(protectedHeader.kid);
  });
});

describe('seeding is idempotent', () => {
  it('applying the same document again changes nothing: no duplicates, subjects and secrets stable', async () => {
    const dataDir = tempDir('idp-sandbox-reseed-');
    try {
      const first = await startTestEngine({ dataDir, seed: DOC });
      const before = await snapshot(first);
      await first.close();

      // The CLI case: the same seed at the next start.
      const second = await startTestEngine({ dataDir, seed: DOC });
      try {
        const again = await snapshot(second);
        expect(again.users).toEqual(before.users);
        expect(again.clients).toEqual(before.clients);
        expect(again.settings).toEqual(before.settings);
        expect(again.keys).toEqual(before.keys);
        expect(again.users).toHaveLength(3);
        expect(again.clients).toHaveLength(4);

        // And once more at runtime.
        const summary = await adminHttp(second, 'workspace.import', DOC);
        expect(summary).toEqual({ users: 3, clients: 4, keys: 0, settings: true });
        const third = await snapshot(second);
        expect(third.users).toEqual(before.users);
        expect(third.clients).toEqual(before.clients);
        expect(third.keys).toEqual(before.keys);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keys without settings switch the signing algorithm to theirs instead of being replaced', async () => {
    const { keys } = (await source.call('workspace.export', { include_keys: true })) as Workspace;
    const target = await start({});
    expect(await target.call('settings.get', {})).toMatchObject({ signing_alg: 'RS256' });
    await target.call('workspace.import', { keys });
    expect(await target.call('settings.get', {})).toMatchObject({ signing_alg: 'ES256' });
    const published = (await fetchJwks(target.issuer)).keys.map((k) => k.kid);
    // The imported keys are published next to the engine's own (now previous) key.
    expect(published).toHaveLength(3);
    expect(published).toEqual(expect.arrayContaining(keys?.map((k) => k.kid) ?? []));
    const current = ((await target.call('keys.list', {})) as SigningKey[]).find(
      (k) => k.status === 'current',
    );
    expect(current?.kid).toBe(keys?.find((k) => k.status === 'current')?.kid);
  });

  it('importing a document with keys twice keeps one current key and no extra ones', async () => {
    const exported = await source.call('workspace.export', { include_keys: true });
    const copy = await start({ seed: exported as Workspace });
    await copy.call('workspace.import', exported);
    expect((await snapshot(copy)).keys).toEqual((await snapshot(source)).keys);
  });
});

describe('an invalid import applies nothing', () => {
  let target: Started;
  beforeAll(async () => {
    target = await start({ seed: DOC });
  });

  /** Valid new entries and a settings change around one bad entry. */
  const withBadEntry = (patch: Partial<Workspace>): Workspace => ({
    settings: { access_token_ttl: 999 },
    users: [
      { username: 'new-1', claims: { x: 1 } },
      { username: 'alice', password: 'changed' },
      { username: 'new-3', claims: { iss: 'https://evil.example' } },
    ],
    clients: [{ client_id: 'new-client', grant_types: ['client_credentials'] }],
    ...patch,
  });

  async function expectRefused(doc: unknown, status: number, code: string, message: RegExp) {
    const before = await snapshot(target);
    await expect(adminHttp(target, 'workspace.import', doc)).rejects.toMatchObject({
      status,
      body: { code, message: expect.stringMatching(message) },
    });
    expect(await snapshot(target)).toEqual(before);
  }

  it('names the JSON path of a reserved claim on the 3rd user', async () => {
    await expectRefused(
      withBadEntry({}),
      400,
      'invalid_input',
      /users\[2\]\.claims\.iss: "iss" is set by the provider/,
    );
  });

  it('names the JSON path of a client with authorization_code but no redirect URI', async () => {
    await expectRefused(
      withBadEntry({
        users: [{ username: 'new-1' }],
        clients: [
          { client_id: 'ok', grant_types: ['client_credentials'] },
          { client_id: 'no-redirect', grant_types: ['authorization_code'] },
        ],
      }),
      400,
      'invalid_input',
      /clients\[1\]\.redirect_uris: a client with the authorization_code grant needs at least one redirect URI/,
    );
  });

  it('rolls back entries already applied when a later one conflicts with what is stored', async () => {
    await expectRefused(
      withBadEntry({
        users: [{ username: 'new-1' }, { username: 'new-2' }, { username: 'new-3', sub: 'alice-sub' }],
      }),
      409,
      'conflict',
      /^users\[2\]: The subject "alice-sub" already belongs to user "alice"/,
    );
  });

  it('refuses the same username twice in one document instead of keeping the last', async () => {
    await expectRefused(
      withBadEntry({
        users: [{ username: 'new-1' }, { username: 'dup' }, { username: 'x' }, { username: 'dup' }],
      }),
      400,
      'invalid_input',
      /users\[3\]\.username: "dup" appears twice in this import \(also at users\[1\]\)/,
    );
  });

  it('answers an unusable key with invalid_input naming it, not a server error', async () => {
    const exported = (await source.call('workspace.export', { include_keys: true })) as Workspace;
    const [current] = exported.keys ?? [];
    await expectRefused(
      withBadEntry({
        users: [],
        keys: [{ ...(current as NonNullable<Workspace['keys']>[number]), alg: 'RS256' }],
      }),
      400,
      'invalid_input',
      /^keys\[0\]\.private_jwk: not a usable RS256 private key/,
    );
  });

  it('refuses keys whose current algorithm contradicts settings.signing_alg', async () => {
    const exported = (await source.call('workspace.export', { include_keys: true })) as Workspace;
    await expectRefused(
      { settings: { signing_alg: 'RS256' }, keys: exported.keys },
      400,
      'invalid_input',
      /^settings\.signing_alg: "RS256" differs from the current key's alg "ES256"/,
    );
  });

  it('refuses an invalid seed at start, naming the JSON path, before touching the data folder', async () => {
    const dataDir = tempDir('idp-sandbox-badseed-');
    try {
      await expect(startTestEngine({ dataDir, seed: withBadEntry({}) })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^Invalid seed: users\[2\]\.claims\.iss: /),
      });
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('workspace.reset', () => {
  it('empties everything, restores default settings and creates a new key', async () => {
    const engine = await start({ seed: DOC });
    const tokens = await tokenRequest(engine.issuer, SVC, {
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pw',
    });
    const before = await snapshot(engine);
    expect(before.tokens).toBeGreaterThan(0);

    await expect(adminHttp(engine, 'workspace.reset', {})).rejects.toMatchObject({
      status: 400,
      body: { code: 'invalid_input', message: expect.stringContaining('confirm') },
    });
    expect(await adminHttp(engine, 'workspace.reset', { confirm: true })).toEqual({ reset: true });

    const after = await snapshot(engine);
    expect(after.users).toEqual([]);
    expect(after.clients).toEqual([]);
    expect(after.tokens).toBe(0);
    expect(after.settings).toEqual(DEFAULT_SETTINGS);
    expect(after.keys).toHaveLength(1);
    expect(after.keys[0]).toMatchObject({ status: 'current', alg: DEFAULT_SETTINGS.signing_alg });
    expect(before.keys.map((k) => k.kid)).not.toContain(after.keys[0]?.kid);
    const types = ((await engine.call('events.list', {})) as EngineEvent[]).map((e) => e.type).sort();
    expect(types).toEqual(['key.rotated', 'workspace.reset']);

    expect((await fetchJwks(engine.issuer)).keys.map((k) => k.kid)).toEqual([after.keys[0]?.kid]);
    await expect(jwtVerify(tokens.access_token, await currentJwks(engine.issuer))).rejects.toThrow();
  });
});
