import fs from 'node:fs';
import path from 'node:path';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

/** The built CLI, spawned for real on a free port of 127.0.0.1, as the interop clients reach it. */
export interface InteropProvider {
  issuer: string;
  adminToken: string;
  process: Spawned;
  /** POST <issuer>/admin/api/<method> with the admin token; throws on a non-2xx answer. */
  admin<T = unknown>(method: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface StartProviderOptions {
  /** A seed document (written to a temp file and passed as --seed). */
  seed?: unknown;
  /** Extra CLI flags, e.g. ['--https']. */
  args?: string[];
}

export async function startProvider(options: StartProviderOptions = {}): Promise<InteropProvider> {
  const dataDir = tempDir('idp-sandbox-interop-');
  const args = ['serve', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])];
  if (options.seed !== undefined) {
    const seedFile = path.join(dataDir, 'seed.json');
    fs.writeFileSync(seedFile, JSON.stringify(options.seed));
    args.push('--seed', seedFile);
  }
  const adminToken = `interop-${Math.random().toString(36).slice(2)}${Date.now()}`;
  const proc = spawnProcess(process.execPath, [BUILT_CLI, ...args], {
    ...process.env,
    IDP_SANDBOX_ADMIN_TOKEN: adminToken,
  });
  const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
  await proc.waitFor(/Admin token:\s+\S+/);
  return {
    issuer,
    adminToken,
    process: proc,
    async admin<T>(method: string, body: unknown = {}): Promise<T> {
      const response = await fetch(`${issuer}/admin/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`admin ${method} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async close() {
      if (proc.child.exitCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
