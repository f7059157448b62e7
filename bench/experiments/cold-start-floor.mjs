#!/usr/bin/env node
// What a cold start of any provider built like the engine must do, against the benchmark's bare Fastify
// start (issue 21: the engine's cold start ≤ 1.2× it). In alternating rounds, each spawned as the
// benchmark spawns them and timed from spawn to the first discovery answer:
//   fastify        bench/servers/http-ceiling.mjs, the benchmark's baseline;
//   + sqlite       the same, and before listening: load better-sqlite3 (its native module), open an
//                  in-memory database and apply the engine's migrations (main/core/store/migrations.ts);
//   + seed         and also: validate the benchmark's seed with the engine's zod schema (shared/schemas.ts)
//                  and begin the start's signing key with WebCrypto (which jose calls), not awaited;
//   engine         the built CLI (`serve --in-memory` with the seed), as `npm run bench` runs it.
// Each process also reports, when the first request arrives, its CPU time and its minor page faults: on
// the benchmark machine every page of memory first touched costs ≈ 30 µs (docs/ARCHITECTURE.md, Build),
// and unlike wall time neither figure moves much when other processes share the two cores.
// An experiment: it prints medians (and quartiles), nothing is written.
//
//   node bench/experiments/cold-start-floor.mjs [--runs N] [--alg ES256|RS256] [--cli FILE]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { writeEngineSeed } from '../lib/engine-seed.mjs';
import { killAll, ROOT, snapshotCli, spawnNode, startEngine } from '../lib/procs.mjs';
import { untilDiscovery } from '../lib/systems.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    alg: { type: 'string', default: 'ES256' },
    cli: { type: 'string' },
  },
});
const runs = Number(flags.runs);
// The engine runs from the benchmark's snapshot of the build: dist/, or --cli's (as `npm run bench`).
await snapshotCli(flags.cli && path.resolve(flags.cli));

// Under node_modules/ so that the floor servers resolve fastify and better-sqlite3 as the ceiling does.
const workDir = path.join(ROOT, 'node_modules', '.cache', `idp-cold-floor-${process.pid}`);
fs.mkdirSync(workDir, { recursive: true });
const seedFile = writeEngineSeed(workDir, flags.alg);

// The engine's own sources the floors use, bundled as small CommonJS files (no code cache, like the
// ceiling's packages): the migrations alone, and the seed's schema with its validation.
const seedEntry = path.join(workDir, 'seed-schema.ts');
fs.writeFileSync(
  seedEntry,
  `export { WorkspaceSchema } from ${JSON.stringify(path.join(ROOT, 'shared', 'schemas'))};
export { validateInput } from ${JSON.stringify(path.join(ROOT, 'shared', 'validation'))};
`,
);
await esbuild.build({
  entryPoints: {
    migrations: path.join(ROOT, 'main', 'core', 'store', 'migrations.ts'),
    'seed-schema': seedEntry,
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outdir: workDir,
  outExtension: { '.js': '.cjs' },
  logLevel: 'warning',
});

/** The preload each process runs: CPU time and minor page faults when the first request arrives. */
const PRELOAD = path.join(workDir, 'first-request.cjs');
fs.writeFileSync(
  PRELOAD,
  `const http = require('node:http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.prependOnceListener('request', () => {
    const usage = process.resourceUsage();
    process.stderr.write('[first request] ' + JSON.stringify({
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, faults: usage.minorPageFault,
    }) + '\\n');
  });
  return listen.apply(this, args);
};
`,
);

/** A floor server: the ceiling's Fastify app, with the steps `withSqlite` and `withSeed` before it listens. */
const FLOOR = path.join(workDir, 'floor.mjs');
fs.writeFileSync(
  FLOOR,
  `import { createRequire } from 'node:module';
import fastifyFormbody from '@fastify/formbody';
import Fastify from 'fastify';
const require = createRequire(import.meta.url);
const [, , mode, seedFile] = process.argv;
if (mode === 'sqlite' || mode === 'seed') {
  const Database = require('better-sqlite3');
  const { migrations } = require('./migrations.cjs');
  const db = new Database(':memory:');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrations.forEach((sql, index) => db.transaction(() => { db.exec(sql); db.pragma('user_version = ' + (index + 1)); })());
}
if (mode === 'seed') {
  const fs = require('node:fs');
  const { WorkspaceSchema, validateInput } = require('./seed-schema.cjs');
  const seed = validateInput(WorkspaceSchema, JSON.parse(fs.readFileSync(seedFile, 'utf8')));
  if (!seed.success) throw new Error(seed.problems.join('; '));
  // WebCrypto itself (jose calls it): generated in libuv's thread pool, not awaited before listening.
  const alg = seed.data.settings?.signing_alg ?? 'RS256';
  const params = alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  globalThis.crypto.subtle.generateKey(params, true, ['sign', 'verify']);
}
const app = Fastify({ logger: false });
await app.register(fastifyFormbody);
app.get('/.well-known/openid-configuration', async () => ({ issuer: 'http://127.0.0.1', jwks_uri: '/jwks' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
process.stdout.write('READY ' + JSON.stringify({ port, issuer: 'http://127.0.0.1:' + port }) + '\\n');
`,
);

const readyLine = (line) =>
  line.startsWith('READY ') ? { ...JSON.parse(line.slice(6)), ready: true } : null;
const SYSTEMS = {
  fastify: () =>
    spawnNode([path.join(ROOT, 'bench', 'servers', 'http-ceiling.mjs'), '{}'], {
      nodeArgs: ['-r', PRELOAD],
      ready: readyLine,
    }),
  '+ sqlite': () => spawnNode([FLOOR, 'sqlite'], { nodeArgs: ['-r', PRELOAD], ready: readyLine }),
  '+ seed': () => spawnNode([FLOOR, 'seed', seedFile], { nodeArgs: ['-r', PRELOAD], ready: readyLine }),
  engine: () => startEngine({ seedFile, nodeArgs: ['-r', PRELOAD] }),
};

const samples = Object.fromEntries(Object.keys(SYSTEMS).map((name) => [name, []]));
try {
  const names = Object.keys(SYSTEMS);
  for (let i = 0; i < runs; i++) {
    for (const name of names.map((_, k) => names[(k + i) % names.length])) {
      const started = performance.now();
      const server = await SYSTEMS[name]();
      await untilDiscovery(server);
      const ms = performance.now() - started;
      for (let waited = 0; !server.stderr().includes('[first request]') && waited < 2000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const reported = JSON.parse(/\[first request\] (.*)/.exec(server.stderr())?.[1] ?? '{}');
      samples[name].push({ ms, ...reported });
      await server.stop();
    }
  }
} finally {
  killAll();
  fs.rmSync(workDir, { recursive: true, force: true });
}

const sorted = (list) => list.slice().sort((a, b) => a - b);
const at = (list, q) => sorted(list)[Math.min(list.length - 1, Math.floor(q * list.length))];
const cell = (list) =>
  `${at(list, 0.5).toFixed(0)} (${at(list, 0.25).toFixed(0)}–${at(list, 0.75).toFixed(0)})`;
const base = samples.fastify;
console.log(
  `${runs} runs each, ${flags.alg} seed, alternating; median (quartiles); ratio of medians to fastify`,
);
for (const [name, list] of Object.entries(samples)) {
  const field = (key) => list.map((s) => s[key]);
  const ratio = (key) =>
    (
      at(field(key), 0.5) /
      at(
        base.map((s) => s[key]),
        0.5,
      )
    ).toFixed(2);
  console.log(
    `${name.padEnd(8)} spawn → discovery ${cell(field('ms'))} ms ×${ratio('ms')}` +
      `   CPU ${cell(field('cpuMs'))} ms ×${ratio('cpuMs')}   page faults ${cell(field('faults'))} ×${ratio('faults')}`,
  );
}
