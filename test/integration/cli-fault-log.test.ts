import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

let proc: Spawned | undefined;
afterEach(() => {
  if (proc?.child.exitCode === null) proc.child.kill('SIGKILL');
});

describe('idp-sandbox serve logs faults (built, spawned for real)', () => {
  it('prints a line on stderr when a fault is turned on and when it turns itself off', async () => {
    proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--in-memory']);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    const [, tokenFile] = (await proc.waitFor(/Admin token:\s+(\S+)/)) as [string, string];
    const adminToken = fs.readFileSync(tokenFile, 'utf8').trim();
    const added = await fetch(`${issuer}/admin/api/faults.add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'jwks', effect: { kind: 'error_status', status: 503 }, requests: 1 }),
    });
    const fault = (await added.json()) as { id: string };
    expect(added.status).toBe(200);
    await proc.waitFor(/fault on: jwks → 503 temporarily_unavailable for the next request \(id f1\)/);

    expect((await fetch(`${issuer}/jwks`)).status).toBe(503);
    await proc.waitFor(/fault off: jwks → .* \(id f1\), its requests are used \(applied 1 times\)/);
    expect(fault.id).toBe('f1');
    expect((await fetch(`${issuer}/jwks`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });
});
