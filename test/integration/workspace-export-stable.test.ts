import { afterAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';

/**
 * workspace.export is kept in git: the same state gives the same bytes, however it was reached, so a
 * diff shows only what changed. Records are sorted by name, claims and JWK members by name, set-like
 * arrays sorted; arrays whose order means something (redirect_uris: the first is the default) are kept.
 */

type Started = Awaited<ReturnType<typeof startTestEngine>>;
const started: Started[] = [];
afterAll(async () => {
  for (const engine of started) await engine.cleanup();
});
async function start(seed?: Workspace): Promise<Started> {
  const engine = await startTestEngine({ inMemory: true, ...(seed ? { seed } : {}) });
  started.push(engine);
  return engine;
}

/** The export exactly as the admin HTTP API sends it: the bytes a user saves to a file. */
async function exportText(engine: Started, includeKeys = false): Promise<string> {
  const response = await fetch(`${engine.issuer}/admin/api/workspace.export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ include_keys: includeKeys }),
  });
  expect(response.status).toBe(200);
  return response.text();
}

const USERS = {
  carol: {
    username: 'carol',
    sub: 'carol-sub',
    claims: { zone: 'eu', address: { street: 'x', country: 'NL' } },
  },
  alice: {
    username: 'alice',
    password: 'pw',
    sub: 'alice-sub',
    claims: { roles: ['viewer', 'admin'], email: 'a@x' },
  },
  Bob: { username: 'Bob', sub: 'bob-sub', claims: {} },
};
const CLIENTS = {
  web: {
    client_id: 'web',
    client_secret: 'web-secret',
    redirect_uris: ['http://127.0.0.1:5173/cb', 'http://127.0.0.1:4000/cb'],
    grant_types: ['refresh_token', 'authorization_code'] as const,
    scope: 'openid profile offline_access',
  },
  api: {
    client_id: 'api',
    client_secret: 'api-secret',
    grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange', 'client_credentials'] as const,
    audience: ['orders', 'billing'],
    token_exchange: { allowed_audiences: ['zeta', 'alpha'] },
  },
};

/** The same claims with their members the other way round, at every depth. */
function reversedMembers(value: unknown): unknown {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, member]) => [key, reversedMembers(member)]),
  );
}

describe('workspace.export is sorted and stable', () => {
  it('gives the same bytes for the same state reached in another order', async () => {
    const seeded = await start({
      users: [USERS.carol, USERS.alice, USERS.Bob],
      clients: [CLIENTS.web, CLIENTS.api].map((c) => ({ ...c, grant_types: [...c.grant_types] })),
    });
    // The same users and clients made one by one, the other way round, with claims typed in reverse.
    const handMade = await start();
    for (const user of [USERS.Bob, USERS.alice, USERS.carol]) {
      await handMade.call('users.create', { ...user, claims: reversedMembers(user.claims) });
    }
    for (const client of [CLIENTS.api, CLIENTS.web]) {
      await handMade.call('clients.create', { ...client, grant_types: [...client.grant_types].reverse() });
    }

    const text = await exportText(seeded);
    expect(await exportText(handMade)).toBe(text);
    // Two exports of one state are byte-identical, keys included.
    await seeded.call('keys.rotate', {});
    expect(await exportText(seeded, true)).toBe(await exportText(seeded, true));

    const exported = JSON.parse(text) as Required<Workspace>;
    // Names sorted by code unit, as JSON compares them ("Bob" before "alice"), the same on every machine.
    expect(exported.users.map((u) => u.username)).toEqual(['Bob', 'alice', 'carol']);
    expect(exported.clients.map((c) => c.client_id)).toEqual(['api', 'web']);
    expect(Object.keys(exported.users[2]?.claims ?? {})).toEqual(['address', 'zone']);
    expect(Object.keys((exported.users[2]?.claims?.address ?? {}) as object)).toEqual(['country', 'street']);
    const [api, web] = exported.clients;
    expect(Object.keys(web ?? {})[0]).toBe('client_id');
    expect(web?.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(api?.token_exchange?.allowed_audiences).toEqual(['alpha', 'zeta']);
    // Order that means something is kept: the first redirect URI is the default, the first audience the aud.
    expect(web?.redirect_uris).toEqual(CLIENTS.web.redirect_uris);
    expect(api?.audience).toEqual(['orders', 'billing']);
    // A claim's array is the user's data: kept as entered.
    expect(exported.users[1]?.claims?.roles).toEqual(['viewer', 'admin']);
  });

  it('an export imported into a fresh engine exports to the same bytes', async () => {
    const source = await start({
      users: [USERS.carol, USERS.alice],
      clients: [CLIENTS.web].map((c) => ({ ...c, grant_types: [...c.grant_types] })),
    });
    await source.call('keys.rotate', {});
    const text = await exportText(source, true);
    const copy = await start(JSON.parse(text) as Workspace);
    const again = JSON.parse(await exportText(copy, true)) as Workspace;
    const { keys: keys1, ...rest1 } = JSON.parse(text) as Workspace;
    const { keys: keys2, ...rest2 } = again;
    expect(JSON.stringify(rest2)).toBe(JSON.stringify(rest1));
    // A seed with keys makes them the engine's keys: the same two, oldest first.
    expect(keys2).toEqual(keys1);
    const created = (keys2 ?? []).map((k) => k.created_at);
    expect(created).toHaveLength(2);
    expect(created).toEqual([...created].sort());
  });
});
