#!/usr/bin/env node
// Instructions per introspection on each server's main thread, counted by valgrind's callgrind: a
// measure this 2-core machine's noise does not move (the same build counts within ~1% from run to run,
// where its throughput moves by 10% between neighbouring windows). It tells how much more work the
// engine does per request than its floor, and what a change to the engine saves, without a quiet host.
//
// Each server runs under callgrind with instrumentation off (valgrind still slows it ~10×), is warmed
// up until V8 has compiled the hot path, then counts exactly `--requests` introspections of random
// tokens among `--tokens` stored (8 at a time, as the benchmark seeds and asks them) on its own copy of
// one seeded store. The floor is bench/experiments/floor-server.mjs (mode introspect-required, and
// introspect: without client authentication and the event); each --cli is an engine build. Kernel
// time (socket reads and writes, which both sides pay alike) is not counted, so a ratio of
// instructions is lower than the same ratio of throughput.
//
//   node bench/experiments/instructions.mjs [--cli FILE]… [--tokens N] [--requests N] [--warmup N]
//
// Needs valgrind (Debian: apt-get install valgrind) and a build (npm run build).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeEngineSeed } from '../lib/engine-seed.mjs';
import { copyDatabase, writeTemplateStore } from '../lib/floors.mjs';
import { ADMIN_TOKEN, ROOT, snapshotCli } from '../lib/procs.mjs';
import { basicAuth, CLIENTS, seededEngineToken } from '../lib/shared.mjs';
import { DATABASE_FILE, seedTokens } from '../lib/store-seed.mjs';

const USAGE =
  'usage: node bench/experiments/instructions.mjs [--cli FILE]… [--tokens N] [--requests N] [--warmup N]';
let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      cli: { type: 'string', multiple: true },
      tokens: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '20000' },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const tokens = Number(flags.tokens);
const requests = Number(flags.requests);
const warmup = Number(flags.warmup);
for (const [name, value] of Object.entries({ tokens, requests, warmup })) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a whole number above 0 (got ${flags[name]})\n${USAGE}`);
    process.exit(2);
  }
}
if (spawnSync('valgrind', ['--version']).error) {
  console.error('valgrind is not installed: apt-get install valgrind (Debian), then run this again.');
  process.exit(2);
}
const clis = (flags.cli ?? [path.join(ROOT, 'dist', 'cli', 'idp-sandbox.cjs')]).map((cli) =>
  path.resolve(cli),
);
for (const cli of clis) {
  if (!fs.existsSync(cli)) {
    console.error(`${cli} does not exist: run npm run build (or name a built CLI with --cli)`);
    process.exit(2);
  }
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-instructions-'));
process.on('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));
const storeDir = path.join(workDir, 'store');
console.log(`Seeding ${tokens.toLocaleString('en-US')} stored tokens…`);
await snapshotCli();
await writeTemplateStore(workDir, storeDir);
seedTokens(storeDir, { count: tokens, expired: 0, salt: 'instructions' });

/** A fresh copy of the seeded store for one server, so that no server reads another's writes. */
function copyStore(name) {
  const dataDir = path.join(workDir, name);
  fs.mkdirSync(dataDir);
  fs.copyFileSync(path.join(storeDir, 'admin-token'), path.join(dataDir, 'admin-token'));
  copyDatabase(storeDir, [path.join(dataDir, DATABASE_FILE)]);
  return dataDir;
}

/** Starts `args` under callgrind, uninstrumented; resolves with the process and its introspection URL. */
function startUnderCallgrind(name, args, readyUrl) {
  const out = path.join(workDir, `${name}.callgrind`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      // V8 writes and rewrites machine code: without this valgrind runs stale translations.
      '--smc-check=all',
      '--separate-threads=yes',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...args,
    ],
    { env: { ...process.env, IDP_SANDBOX_ADMIN_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready in 180 s:\n${errors}`)), 180_000);
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${errors}`)));
    child.stdout.on('data', async (chunk) => {
      printed += chunk;
      const url = readyUrl(printed);
      if (!url) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ child, url: await url, out });
    });
  });
}

/** Introspects `count` random stored tokens, 8 at a time; every answer must say active. */
async function introspect(url, count) {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      const value = seededEngineToken('instructions', Math.floor(Math.random() * tokens)).value;
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: basicAuth(CLIENTS.ref),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `token=${value}&token_type_hint=access_token`,
      });
      const answer = await response.json();
      if (answer.active !== true) throw new Error(`${url} answered ${JSON.stringify(answer)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The main thread's instructions per introspection (callgrind's thread 1 of the dump). */
async function measure(name, args, readyUrl) {
  process.stdout.write(`${name.padEnd(28)} `);
  const { child, url, out } = await startUnderCallgrind(name, args, readyUrl);
  try {
    await introspect(url, warmup);
    execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' });
    await introspect(url, requests);
    execFileSync('callgrind_control', ['--instr=off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
  } finally {
    child.kill('SIGKILL');
  }
  // The first dump (.1), of thread 1: the main thread.
  const dump = `${out}.1-01`;
  const totals = fs.existsSync(dump) && /^totals:\s+(\d+)/m.exec(fs.readFileSync(dump, 'utf8'));
  if (!totals) throw new Error(`no callgrind dump of ${name}'s main thread (${dump})`);
  const perRequest = Number(totals[1]) / requests;
  console.log(`${Math.round(perRequest).toLocaleString('en-US')} instructions per introspection`);
  return perRequest;
}

const results = [];
for (const mode of ['introspect-required', 'introspect']) {
  const database = path.join(copyStore(`floor-${mode}`), DATABASE_FILE);
  const floorArgs = [
    path.join(ROOT, 'bench', 'experiments', 'floor-server.mjs'),
    JSON.stringify({ mode, database }),
  ];
  results.push({
    name: `floor ${mode}`,
    count: await measure(`floor-${mode}`, floorArgs, (printed) => {
      const ready = /^READY (.*)$/m.exec(printed);
      return ready && `${JSON.parse(ready[1]).issuer}/introspect`;
    }),
  });
}
for (const [i, cli] of clis.entries()) {
  const name = `engine-${i + 1}`;
  const args = [
    cli,
    'serve',
    '--port',
    '0',
    '--seed',
    writeEngineSeed(workDir, 'RS256'),
    '--data-dir',
    copyStore(name),
  ];
  results.push({
    name: `engine ${path.relative(ROOT, cli) || cli}`,
    count: await measure(name, args, (printed) => {
      const issuer = /Issuer:\s+(\S+)/.exec(printed)?.[1];
      if (!issuer) return null;
      return fetch(`${issuer}/.well-known/openid-configuration`)
        .then((response) => response.json())
        .then((discovery) => discovery.introspection_endpoint);
    }),
  });
}

const floor = results[0].count;
console.log('\nmain-thread instructions per introspection (floor introspect-required ÷ each):');
for (const { name, count } of results) {
  console.log(
    `  ${name.padEnd(44)} ${Math.round(count).toLocaleString('en-US').padStart(9)}  ${(floor / count).toFixed(3)}`,
  );
}
process.exit(0);
