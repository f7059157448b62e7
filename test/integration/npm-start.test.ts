import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

// `npm start` runs scripts/start.mjs; Electron cannot run on these machines, so it must fall back.
describe('npm start fallback', () => {
  it.each([
    ['no display', { DISPLAY: '', WAYLAND_DISPLAY: '' }, 'no display'],
    [
      'no Electron binary',
      { DISPLAY: ':99' },
      'the Electron binary is not installed and could not be downloaded',
    ],
  ])('with %s prints one reason line and serves the UI in the browser', async (_case, env, reason) => {
    const proc = spawnProcess(
      process.execPath,
      [path.join(ROOT, 'scripts/start.mjs'), '--port', '0', '--in-memory'],
      {
        ...process.env,
        ...env,
      },
    );
    running.push(proc);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/, 60_000)) as [string, string];
    const reasonLines = proc
      .output()
      .split('\n')
      .filter((line) => line.startsWith('Desktop app unavailable:'));
    expect(reasonLines).toHaveLength(1);
    expect(reasonLines[0]).toContain(reason);
    expect(reasonLines[0]).toContain('Starting the headless engine with the UI in your browser instead');
    expect(proc.output()).toMatch(/Admin UI:\s+http:\/\/127\.0\.0\.1:\d+\/ui\/\?token=/);
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });
});
