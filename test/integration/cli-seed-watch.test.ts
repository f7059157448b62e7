import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/**
 * `idp-sandbox serve --seed FILE --watch`, the built CLI as a user runs it: each save of the seed file
 * is applied (users and clients upserted, settings changed) and what changed is printed; a broken save
 * (bad JSON, a schema violation, data that conflicts, an unset variable) is refused with the message a
 * bad seed gets at start and changes nothing at all; the next good save applies again.
 */

const dir = tempDir('idp-sandbox-seed-watch-');
const dataDir = path.join(dir, 'data');
const file = path.join(dir, 'seed.json');
let proc: Spawned | undefined;
afterAll(() => {
  if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const ALICE = { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { roles: ['admin'] } };
const ORDERS = {
  client_id: 'orders',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a seed's environment reference, on purpose
  client_secret: '${ORDERS_SECRET}',
  grant_types: ['client_credentials'],
};
const SEED = { users: [ALICE], clients: [ORDERS] };

/** Saves as editors that write a temporary file and rename it over the original do. */
function saveByRename(document: unknown): void {
  const temporary = path.join(dir, '.seed.json.swp');
  fs.writeFileSync(temporary, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  fs.renameSync(temporary, file);
}

/** Saves in place (truncate and write), as most other editors do. */
function saveInPlace(document: unknown): void {
  fs.writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
}

/** Waits for `pattern` in what the process printed after `from` (an offset into its output). */
async function printedAfter(from: number, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = (proc as Spawned).output().slice(from);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${pattern}. Printed since:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let issuer = '';
async function call<T = Record<string, unknown>>(method: string, input: unknown = {}): Promise<T> {
  const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const response = await fetch(`${issuer}/admin/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(response.status, method).toBe(200);
  return (await response.json()) as T;
}
/** Everything a seed can change, as exact text (the export is stable: same state, same bytes). */
async function state(): Promise<string> {
  return JSON.stringify(await call('workspace.export', { include_keys: true }));
}
async function usernames(): Promise<string[]> {
  return (await call<{ username: string }[]>('users.list')).map((u) => u.username);
}
async function importEvents(): Promise<number> {
  return (await call<unknown[]>('events.list', { type: 'workspace.imported', limit: 500 })).length;
}

describe('idp-sandbox serve --seed FILE --watch', () => {
  it('applies each save, refuses a broken one whole, and applies the next good one', async () => {
    saveInPlace(SEED);
    fs.mkdirSync(dataDir);
    const args = [BUILT_CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--seed', file, '--watch'];
    proc = spawnProcess(process.execPath, args, { ...process.env, ORDERS_SECRET: 'from-the-env' });
    [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/Press Ctrl\+C to stop/);
    expect(proc.output()).toMatch(/Seed: +\S+ \(1 users, 1 clients\), applied again when saved/);
    expect(await call('clients.get', { client_id: 'orders' })).toMatchObject({
      client_secret: 'from-the-env',
    });

    // 1. A save by rename: a user added, one updated, a setting changed; said line by line.
    let mark = proc.output().length;
    saveByRename({
      settings: { access_token_ttl: 120 },
      users: [{ ...ALICE, claims: { roles: ['viewer'] } }, { username: 'bob' }],
      clients: [ORDERS],
    });
    let printed = await printedAfter(mark, /changed settings: .*\n/);
    expect(printed).toContain('applied (1 record unchanged):\n');
    expect(printed).toContain('  added user: bob\n');
    expect(printed).toContain('  updated user alice: claims\n');
    expect(printed).toContain('  changed settings: access_token_ttl\n');
    expect(await usernames()).toEqual(['alice', 'bob']);
    expect(await call('users.get', { username: 'alice' })).toMatchObject({ claims: { roles: ['viewer'] } });
    expect(await call('settings.get')).toMatchObject({ access_token_ttl: 120 });
    expect(await call('workspace.seedManaged')).toEqual({ users: ['alice', 'bob'], clients: ['orders'] });

    // 2. A burst of saves in place, as an editor's save can be: applied once, as last saved.
    const good = {
      settings: { access_token_ttl: 300 },
      users: [
        { ...ALICE, claims: { roles: ['viewer'] } },
        { username: 'bob', claims: { tier: 'gold' } },
      ],
      clients: [{ ...ORDERS, scope: 'orders:read' }],
    };
    mark = proc.output().length;
    for (const ttl of [150, 200, 250]) saveInPlace({ ...good, settings: { access_token_ttl: ttl } });
    saveInPlace(good);
    printed = await printedAfter(mark, /changed settings: access_token_ttl\n/);
    // Quiet for longer than the debounce: no second apply of the same bytes follows.
    await new Promise((resolve) => setTimeout(resolve, 600));
    printed = proc.output().slice(mark);
    expect(printed.match(/applied/g)).toHaveLength(1);
    expect(printed).toContain('  updated user bob: claims\n');
    expect(printed).toContain('  updated client orders: scope\n');
    expect(await call('settings.get')).toMatchObject({ access_token_ttl: 300 });

    const before = await state();
    const eventsBefore = await importEvents();
    const refused = [
      // Not JSON.
      {
        document: '{ "users": [ { "username": "carol", } ] }',
        says: /idp-sandbox: seed file \S*seed\.json is not valid JSON at line 1, column \d+/,
      },
      // JSON, but not a workspace: every problem with its path, as at start.
      {
        document: { users: [{ username: 'carol' }, { username: '' }], settings: { access_token_ttl: -5 } },
        says: /idp-sandbox: seed file \S*seed\.json is invalid; nothing was applied:\n {2}settings\.access_token_ttl: .*\n {2}users\[1\]\.username: /,
      },
      // Valid, but conflicting with what is stored: carol and the settings come first in the same
      // transaction, then dave's subject is alice's. Nothing of it may be left behind.
      {
        document: {
          settings: { access_token_ttl: 999, login_hint_skips_login: true },
          users: [{ username: 'carol' }, { username: 'dave', sub: 'alice-sub' }],
          clients: [{ client_id: 'new-client', grant_types: ['client_credentials'] }],
        },
        says: /idp-sandbox: seed file \S*seed\.json could not be applied; nothing was changed: users\[1\]: .*alice-sub/,
      },
      // An environment variable that is not set, named with where it is used.
      {
        document: {
          users: [{ username: 'carol' }],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a seed's environment reference, on purpose
          clients: [{ ...ORDERS, client_secret: '${NOT_SET_ANYWHERE}' }],
        },
        says: /cannot be expanded from the environment; nothing was applied:\n {2}clients\[0\]\.client_secret: environment variable NOT_SET_ANYWHERE is not set/,
      },
    ];
    for (const { document, says } of refused) {
      mark = proc.output().length;
      saveByRename(document);
      printed = await printedAfter(mark, /The last applied seed is still in place/);
      expect(printed).toMatch(says);
      expect(printed).not.toMatch(/\n\s+at |applied:\n {2}added/);
      // Byte for byte what it was: no user, client, setting or key of the refused save was written.
      expect(await state()).toBe(before);
      expect(await importEvents()).toBe(eventsBefore);
      expect(await call('workspace.seedManaged')).toEqual({ users: ['alice', 'bob'], clients: ['orders'] });
    }
    expect(proc.child.exitCode).toBeNull();

    // 3. Fixed: the next good save applies again.
    mark = proc.output().length;
    saveByRename({ ...good, users: [...good.users, { username: 'carol' }] });
    printed = await printedAfter(mark, /added user: carol\n/);
    expect(printed).toMatch(/Seed \S*seed\.json applied \(3 records unchanged\):\n {2}added user: carol\n/);
    expect(await usernames()).toEqual(['alice', 'bob', 'carol']);
    expect(await importEvents()).toBe(eventsBefore + 1);

    // 4. A user left out of the file is kept (a seed upserts) and said to be no longer seeded.
    mark = proc.output().length;
    saveByRename({ ...good, users: [ALICE] });
    printed = await printedAfter(mark, /no longer in the seed/);
    expect(printed).toContain('  no longer in the seed, kept: users bob, carol');
    expect(await usernames()).toEqual(['alice', 'bob', 'carol']);
    expect(await call('workspace.seedManaged')).toEqual({ users: ['alice'], clients: ['orders'] });

    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 60_000);
});
