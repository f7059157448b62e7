// The required-work floors (bench/experiments/floor-server.mjs) as systems of the benchmark: minimal
// servers that do only what the product must do for a scenario (authenticate, verify, sign, store with
// its event, answer after the commit), measured in the same rounds as the engine.
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeEngineSeed } from './engine-seed.mjs';
import { ROOT, spawnNode, startEngine } from './procs.mjs';
import { API_SCOPE, basicAuth, CLIENTS } from './shared.mjs';
import { DATABASE_FILE } from './store-seed.mjs';

/**
 * Has the engine write its schema and one reference token into `storeDir` (the floors copy that row),
 * then stops it. Returns the seed file it used.
 */
export async function writeTemplateStore(workDir, storeDir, { alg = 'RS256', nodeArgs = [] } = {}) {
  const seedFile = writeEngineSeed(workDir, alg);
  const engine = await startEngine({ seedFile, dataDir: storeDir, nodeArgs });
  try {
    const issued = await fetch(`${engine.origin}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(CLIENTS.ref), 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`,
    });
    if (!issued.ok) throw new Error(`the engine did not issue a template token: ${await issued.text()}`);
  } finally {
    await engine.stop();
  }
  return seedFile;
}

/** Copies the store's database (with its WAL folded in) to each of `targets`. */
export function copyDatabase(storeDir, targets) {
  const source = new Database(path.join(storeDir, DATABASE_FILE));
  try {
    for (const target of targets) source.exec(`VACUUM INTO '${target}'`);
  } finally {
    source.close();
  }
}

/** The libuv pool size the CLI gives the engine on this machine (main/cli/runtime-tuning.ts). */
export const ENGINE_POOL_SIZE = String(Math.min(4, Math.max(1, os.availableParallelism())));

/**
 * Starts floor-server.mjs in `mode` on `database` (signing with `alg`), with the engine's pool size.
 * The server's facts (origin, issuer, and for exchange-required its subject token) come with it.
 */
export function startFloor({ mode, database, alg }, { nodeArgs = [] } = {}) {
  return spawnNode(
    [path.join(ROOT, 'bench', 'experiments', 'floor-server.mjs'), JSON.stringify({ mode, database, alg })],
    {
      env: { UV_THREADPOOL_SIZE: ENGINE_POOL_SIZE },
      nodeArgs,
      ready: (line) => (line.startsWith('READY ') ? { ...JSON.parse(line.slice(6)), ready: true } : null),
    },
  );
}
