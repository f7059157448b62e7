import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/**
 * Restarting with --seed over edits made in the UI (or the admin API) says what it overwrites, on the
 * CLI's output, never silently; and the records the seed wrote are reported as seed-managed.
 */

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
const dataDir = tempDir();
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const SEED = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { roles: ['admin'] } }],
  clients: [{ client_id: 'worker', client_secret: 'worker-secret', grant_types: ['client_credentials'] }],
};

/** Starts the built CLI on the data folder with `seed`; answers its output so far and an admin caller. */
async function serveWith(seed: unknown) {
  const file = path.join(dataDir, 'seed.json');
  fs.writeFileSync(file, JSON.stringify(seed));
  const proc = spawnProcess(process.execPath, [
    BUILT_CLI,
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--seed',
    file,
  ]);
  running.push(proc);
  const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
  await proc.waitFor(/Press Ctrl\+C to stop/);
  const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const call = async (method: string, input: unknown = {}) => {
    const response = await fetch(`${issuer}/admin/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(response.status, method).toBe(200);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const stop = async () => {
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  };
  return { output: proc.output, call, stop };
}

describe('idp-sandbox serve --seed over edits made in the UI', () => {
  it('marks what the seed wrote, and says which edits a restart overwrites', async () => {
    const first = await serveWith(SEED);
    expect(first.output()).not.toContain('seed overwrites');
    expect(await first.call('workspace.seedManaged')).toEqual({ users: ['alice'], clients: ['worker'] });
    // Edits as the UI makes them: alice's claims, the worker's name, and a user made by hand.
    await first.call('users.update', {
      username: 'alice',
      user: { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { roles: ['viewer'] } },
    });
    await first.call('clients.update', { ...SEED.clients[0], client_name: 'Renamed in the UI' });
    await first.call('users.create', { username: 'bob', claims: { tier: 'gold' } });
    await first.stop();

    // The seed file now also lists bob (with other claims) and changes the worker's scope itself.
    const seed = {
      users: [...SEED.users, { username: 'bob', claims: { tier: 'silver' } }],
      clients: [{ ...SEED.clients[0], scope: 'orders:read' }],
    };
    const second = await serveWith(seed);
    const lines = second
      .output()
      .split('\n')
      .filter((line) => line.includes('seed '));
    expect(lines).toEqual([
      'warning: seed overwrites user alice (changed in the UI: claims)',
      'warning: seed overwrites user bob (made in the UI, not by the seed: claims)',
      'warning: seed overwrites client worker (changed in the UI: client_name)',
    ]);
    // The seed won, as it says: the edits are gone.
    expect(await second.call('users.get', { username: 'alice' })).toMatchObject({
      claims: { roles: ['admin'] },
    });
    expect(await second.call('workspace.seedManaged')).toEqual({
      users: ['alice', 'bob'],
      clients: ['worker'],
    });
    await second.stop();

    // Nothing edited since: a restart with the same seed overwrites nothing and says nothing.
    const third = await serveWith(seed);
    expect(third.output()).not.toContain('seed overwrites');
    await third.stop();
  });
});
