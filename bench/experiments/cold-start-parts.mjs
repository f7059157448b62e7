#!/usr/bin/env node
// Where the engine's cold start goes beyond a bare Fastify start (issue 21: ≤ 1.2× of it), in alternating
// rounds: Node itself (`node -e 0`), the CLI bundle loaded from its code cache (`--version`), a bare
// Fastify start to its first answer (the HTTP ceiling), and the engine (`serve --in-memory`) with an ES256
// and an RS256 seed to its first discovery answer, as `npm run bench` measures them. An experiment: it
// prints medians, nothing is written.
//
//   node bench/experiments/cold-start-parts.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, killAll, snapshotCli } from '../lib/procs.mjs';
import { startSystem, untilDiscovery } from '../lib/systems.mjs';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '11' } } });
const runs = Number(flags.runs);
await snapshotCli();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-cold-parts-'));

const exitTime = (args) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return performance.now() - started;
};
/** Spawn → first 200 of the discovery document, as the benchmark's cold start. */
async function readyTime(id) {
  const started = performance.now();
  const server = await startSystem(id, { alg: 'RS256', workDir });
  await untilDiscovery(server);
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

const parts = {
  'node -e 0': () => exitTime(['-e', '0']),
  'CLI bundle, --version': () => exitTime([CLI, '--version']),
  'bare Fastify start → first answer': () => readyTime('http'),
  'engine, ES256 seed → discovery': () => readyTime('engine-es256'),
  'engine, RS256 seed → discovery': () => readyTime('engine'),
};
const samples = Object.fromEntries(Object.keys(parts).map((name) => [name, []]));
try {
  const names = Object.keys(parts);
  for (let i = 0; i < runs; i++) {
    for (const name of names.map((_, k) => names[(k + i) % names.length])) {
      samples[name].push(await parts[name]());
    }
  }
} finally {
  killAll();
  fs.rmSync(workDir, { recursive: true, force: true });
}
const median = (list) => list.slice().sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const [name, list] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(36)} median ${median(list).toFixed(0)} ms  (${list.map((v) => v.toFixed(0)).join(', ')})`,
  );
}
