import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Spawned {
  const spawned = spawnProcess(process.execPath, [BUILT_CLI, ...args], env);
  running.push(spawned);
  return spawned;
}

describe('idp-sandbox CLI (built, spawned for real)', () => {
  it('serves discovery, writes the admin token file and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const proc = cli(['serve', '--port', '0', '--data-dir', dataDir]);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/Admin token:\s+\S+/);
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(issuer);

    const tokenFile = path.join(dataDir, 'admin-token');
    expect(proc.output()).toContain(tokenFile);
    expect((fs.statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const info = await fetch(`${issuer}/admin/api/engine.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.status).toBe(200);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.output()).toContain('Stopped (SIGTERM)');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects a bad flag with exit code 2 and says what to do', async () => {
    const proc = cli(['serve', '--port', 'eighty']);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('--port must be a whole number from 0 to 65535 (got "eighty")');
    expect(proc.output()).toContain('idp-sandbox --help');
  });

  it('explains a port that is already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const proc = cli(['serve', '--port', String(port), '--in-memory']);
      expect((await proc.exited).code).toBe(1);
      expect(proc.output()).toContain(`Port 127.0.0.1:${port} is already in use`);
      expect(proc.output()).toContain('--port 0');
    } finally {
      blocker.close();
    }
  });

  it('warns when binding beyond loopback', async () => {
    const proc = cli(['serve', '--port', '0', '--in-memory', '--host', '0.0.0.0']);
    await proc.waitFor(/Issuer:/);
    expect(proc.output()).toContain(
      'warning: binding 0.0.0.0 makes the provider and its admin API reachable',
    );
  });
});
