#!/usr/bin/env node
// Where the engine's cold start goes beyond a bare Fastify start (issue 21: ≤ 1.2× of it), in alternating
// rounds: Node itself (`node -e 0`), the CLI bundle loaded from its code cache (`--version`), a bare
// Fastify start to its first answer (the HTTP ceiling), and the engine (`serve --in-memory`) with an ES256
// and an RS256 seed to its first discovery answer, as `npm run bench` measures them. Each engine start
// also runs with a small preload that stamps, in the engine's own clock (ms since its process began):
// when Node had booted, when the signing key's generation began and ended (WebCrypto generateKey, which
// jose calls), when the server listened and when the first request arrived: what is on the critical path;
// and, when that request arrived, the CPU time, minor page faults and garbage collections so far.
// An experiment: it prints medians, nothing is written.
//
//   node bench/experiments/cold-start-parts.mjs [--runs N] [--cli FILE]...
//
// With several --cli builds (each beside a node_modules/, e.g. copies under node_modules/.cache/), each
// build's engine rows are measured in the same alternating rounds: before/after on equal terms.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeEngineSeed } from '../lib/engine-seed.mjs';
import { ADMIN_TOKEN, CLI, killAll, snapshotCli, spawnNode } from '../lib/procs.mjs';
import { startSystem, untilDiscovery } from '../lib/systems.mjs';

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '11' }, cli: { type: 'string', multiple: true } },
});
const runs = Number(flags.runs);
const builds = flags.cli?.map((file) => path.resolve(file)) ?? [];
// Without --cli, the build in dist/ runs from the benchmark's snapshot, as `npm run bench` runs it.
if (builds.length === 0) {
  await snapshotCli();
  builds.push(CLI);
}
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-cold-parts-'));

// The preload: performance.now() in the engine's process counts from that process's start.
const PRELOAD = path.join(workDir, 'stamps.cjs');
fs.writeFileSync(
  PRELOAD,
  `const http = require('node:http');
const { webcrypto } = require('node:crypto');
const stamp = (name) => process.stderr.write('[stamp ' + performance.now().toFixed(1) + '] ' + name + '\\n');
stamp('node booted');
let gcCount = 0;
let gcMs = 0;
new (require('node:perf_hooks').PerformanceObserver)((list) => {
  for (const entry of list.getEntries()) (gcCount += 1), (gcMs += entry.duration);
}).observe({ entryTypes: ['gc'] });
const generateKey = webcrypto.subtle.generateKey;
webcrypto.subtle.generateKey = function (...args) {
  stamp('key generation began');
  return generateKey.apply(this, args).then((key) => (stamp('key generated'), key));
};
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once('listening', () => stamp('listening'));
  this.prependOnceListener('request', () => {
    stamp('first request');
    const usage = process.resourceUsage();
    const cost = { cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, faults: usage.minorPageFault, gcCount, gcMs };
    process.stderr.write('[cost] ' + JSON.stringify(cost) + '\\n');
  });
  return listen.apply(this, args);
};
`,
);
const STAMPS = ['node booted', 'key generation began', 'listening', 'first request', 'key generated'];

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

/** The engine of build `cli` with an `alg` seed, spawn → first discovery 200, and its stamps. */
async function engineTime(cli, alg) {
  const started = performance.now();
  const server = await spawnNode([cli, 'serve', '--port', '0', '--in-memory', '--seed', seeds[alg]], {
    env: { IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN },
    nodeArgs: ['-r', PRELOAD],
    ready: (line) => {
      const issuer = /^\s*Issuer:\s+(\S+)/.exec(line)?.[1];
      if (issuer) return { issuer };
      return line.startsWith('Press Ctrl+C') ? { ready: true } : null;
    },
  });
  await untilDiscovery(server);
  const ms = performance.now() - started;
  // The key may still be in the making (that is the point): its stamp comes in a moment.
  for (let waited = 0; !server.stderr().includes('key generated') && waited < 5000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const stamps = {};
  for (const [, at, name] of server.stderr().matchAll(/\[stamp ([\d.]+)\] (.+)/g))
    stamps[name] ??= Number(at);
  Object.assign(stamps, JSON.parse(/\[cost\] (.+)/.exec(server.stderr())?.[1] ?? '{}'));
  await server.stop();
  samples[`${label(cli)} ${alg} stamps`].push(stamps);
  return ms;
}

const seeds = { ES256: writeEngineSeed(workDir, 'ES256'), RS256: writeEngineSeed(workDir, 'RS256') };
const label = (cli) => (builds.length > 1 ? `[${builds.indexOf(cli) + 1}] ` : '');
const parts = {
  'node -e 0': () => exitTime(['-e', '0']),
  'CLI bundle, --version': () => exitTime([builds[0], '--version']),
  'bare Fastify start → first answer': () => readyTime('http'),
};
for (const cli of builds) {
  parts[`${label(cli)}engine, ES256 seed → discovery`] = () => engineTime(cli, 'ES256');
  parts[`${label(cli)}engine, RS256 seed → discovery`] = () => engineTime(cli, 'RS256');
}
const samples = Object.fromEntries(Object.keys(parts).map((name) => [name, []]));
for (const cli of builds) for (const alg of ['ES256', 'RS256']) samples[`${label(cli)} ${alg} stamps`] = [];
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
for (const [index, cli] of builds.entries()) if (builds.length > 1) console.log(`[${index + 1}] ${cli}`);
for (const name of Object.keys(parts)) {
  const list = samples[name];
  console.log(
    `${name.padEnd(40)} median ${median(list).toFixed(0)} ms  (${list.map((v) => v.toFixed(0)).join(', ')})`,
  );
}
console.log('\nIn the engine, ms since its process began (medians):');
for (const cli of builds) {
  for (const alg of ['ES256', 'RS256']) {
    const list = samples[`${label(cli)} ${alg} stamps`];
    const cells = STAMPS.map((name) => {
      const values = list.map((stamps) => stamps[name]).filter((v) => v !== undefined);
      return values.length ? `${name} ${median(values).toFixed(0)}` : null;
    }).filter(Boolean);
    // Per start: did it listen, and answer, before the key was made (the key off the critical path)?
    const before = (stamp) => list.filter((s) => s[stamp] < s['key generated']).length;
    const keyNote =
      alg === 'RS256'
        ? `; listened before the key was made in ${before('listening')}/${list.length} starts, ` +
          `answered before it in ${before('first request')}/${list.length}`
        : '';
    console.log(`${label(cli)}${alg}: ${cells.join(', ')}${keyNote}`);
    // What the process spent until the first request: CPU (all threads), minor page faults (≈ 30 µs each
    // on the benchmark machine) and V8's collections; these move far less than times on a shared machine.
    const cost = ['cpuMs', 'faults', 'gcCount', 'gcMs'].map((name) => {
      const values = list.map((stamps) => stamps[name]).filter((v) => v !== undefined);
      return values.length ? `${name} ${median(values).toFixed(0)}` : null;
    });
    console.log(`${' '.repeat(label(cli).length + alg.length + 2)}${cost.filter(Boolean).join(', ')}`);
  }
}
