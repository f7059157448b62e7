import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/**
 * The built CLI takes its admin token from a mounted secret file (issue 20 §2, the container image's
 * IDP_SANDBOX_ADMIN_TOKEN_FILE): used as given, and a bad file stops the start with exit code 2.
 */

const dir = tempDir();
const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function serve(args: string[], env: Record<string, string> = {}): Spawned {
  const { IDP_SANDBOX_ADMIN_TOKEN: _unset, ...base } = process.env;
  const spawned = spawnProcess(
    process.execPath,
    [BUILT_CLI, 'serve', '--port', '0', '--in-memory', ...args],
    {
      ...base,
      ...env,
    },
  );
  running.push(spawned);
  return spawned;
}

async function engineInfoStatus(issuer: string, token: string): Promise<number> {
  const response = await fetch(`${issuer}/admin/api/engine.info`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

describe('serve with the admin token from a file', () => {
  it.each([
    ['--admin-token-file', (file: string) => ({ args: ['--admin-token-file', file], env: {} })],
    [
      'IDP_SANDBOX_ADMIN_TOKEN_FILE',
      (file: string) => ({ args: [], env: { IDP_SANDBOX_ADMIN_TOKEN_FILE: file } }),
    ],
  ])('uses the token in the file named by %s', async (_name, source) => {
    const file = path.join(dir, 'secret');
    fs.writeFileSync(file, 'mounted-secret-token\n');
    const { args, env } = source(file);
    const proc = serve(args, env);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/is ready|Press Ctrl\+C/);
    expect(await engineInfoStatus(issuer, 'mounted-secret-token')).toBe(200);
    expect(await engineInfoStatus(issuer, 'some-other-token')).toBe(401);
  });

  it('refuses a missing file with exit code 2, naming it, before anything starts', async () => {
    const missing = path.join(dir, 'not-mounted');
    const proc = serve([], { IDP_SANDBOX_ADMIN_TOKEN_FILE: missing });
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain(`IDP_SANDBOX_ADMIN_TOKEN_FILE: ${missing} does not exist.`);
    expect(proc.output()).not.toContain('is ready');
  });

  it('refuses a file and IDP_SANDBOX_ADMIN_TOKEN together with exit code 2', async () => {
    const file = path.join(dir, 'both');
    fs.writeFileSync(file, 'from-file');
    const proc = serve(['--admin-token-file', file], { IDP_SANDBOX_ADMIN_TOKEN: 'from-env' });
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('Both IDP_SANDBOX_ADMIN_TOKEN and --admin-token-file are set');
  });
});
