#!/usr/bin/env node
// Instructions per request on each server's main thread, counted by valgrind's callgrind: a measure
// this 2-core machine's noise does not move (the same build counts within ~1% from run to run, where
// its throughput moves by 10% between neighbouring windows). It tells how much more work the engine
// does per request than its floor, and what a change to the engine saves, without a quiet host.
//
// Each server runs under callgrind with instrumentation off (valgrind still slows it ~10×), is warmed
// up until V8 has compiled the hot path, then counts exactly `--requests` requests, 8 at a time. The
// floors are bench/experiments/floor-server.mjs; each --cli is an engine build. Scenarios, as the
// benchmark runs them:
//   introspect  introspection of random tokens among `--tokens` stored, each server on its own copy of
//               one seeded store (RS256 seed); floors introspect-required and introspect (without
//               client authentication and the event)
//   exchange    RFC 8693 token exchange of one ES256 access JWT (the engine --in-memory); floor
//               exchange-required
// Kernel time (socket reads and writes, which both sides pay alike) is not counted, so a ratio of
// instructions is lower than the same ratio of throughput. Signing runs on other threads (the
// engine's signing workers, the floor's libuv pool): the table gives every thread's count beside the
// main thread's.
//
//   node bench/experiments/instructions.mjs [--scenario introspect|exchange] [--cli FILE]… [--tokens N]
//                                           [--requests N] [--warmup N]
//
// Needs valgrind (Debian: apt-get install valgrind) and a build (npm run build).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeEngineSeed } from '../lib/engine-seed.mjs';
import { copyDatabase, writeTemplateStore } from '../lib/floors.mjs';
import { tokenRequestBody } from '../lib/flows.mjs';
import { ADMIN_TOKEN, ROOT, snapshotCli } from '../lib/procs.mjs';
import {
  ACCESS_TOKEN_TYPE,
  API_SCOPE,
  basicAuth,
  CLIENTS,
  seededEngineToken,
  TOKEN_EXCHANGE,
} from '../lib/shared.mjs';
import { DATABASE_FILE, seedTokens } from '../lib/store-seed.mjs';
import { endpointsOf } from '../lib/systems.mjs';

const USAGE =
  'usage: node bench/experiments/instructions.mjs [--scenario introspect|exchange] [--cli FILE]… [--tokens N] [--requests N] [--warmup N]';
let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'introspect' },
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
if (!['introspect', 'exchange'].includes(flags.scenario)) {
  console.error(`--scenario must be introspect or exchange (got ${flags.scenario})\n${USAGE}`);
  process.exit(2);
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
await snapshotCli();
// Every floor reads and writes the engine's own schema: a store the engine made (and for
// introspection, filled).
await writeTemplateStore(workDir, storeDir);
if (flags.scenario === 'introspect') {
  console.log(`Seeding ${tokens.toLocaleString('en-US')} stored tokens…`);
  seedTokens(storeDir, { count: tokens, expired: 0, salt: 'instructions' });
}

/** A fresh copy of the seeded store for one server, so that no server reads another's writes. */
function copyStore(name) {
  const dataDir = path.join(workDir, name);
  fs.mkdirSync(dataDir);
  fs.copyFileSync(path.join(storeDir, 'admin-token'), path.join(dataDir, 'admin-token'));
  copyDatabase(storeDir, [path.join(dataDir, DATABASE_FILE)]);
  return dataDir;
}

/** Starts `args` under callgrind, uninstrumented; resolves once `ready` (of its output) says it serves. */
function startUnderCallgrind(name, args, ready) {
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
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready in 180 s:\n${errors}`));
    }, 180_000);
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${errors}`)));
    child.stdout.on('data', (chunk) => {
      printed += chunk;
      const server = ready(printed);
      if (!server) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ child, server, out });
    });
  });
}

const FORM = 'application/x-www-form-urlencoded';

/** Sends `count` requests made by `send`, 8 at a time. */
async function drive(send, count) {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** POSTs a form as a Basic-authenticated client and returns the JSON answer, which must be a 200. */
async function postForm(url, client, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: basicAuth(client), 'content-type': FORM },
    body,
  });
  const answer = await response.json();
  if (response.status !== 200)
    throw new Error(`${url} answered ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Per scenario: the floor modes, the engine's arguments, and `sender(server)`, which returns the one
 * request to repeat (and checks its answer) for a started server: `{ kind, issuer, subjectToken }`.
 */
const SCENARIOS = {
  introspect: {
    what: 'introspection',
    floorModes: ['introspect-required', 'introspect'],
    floorOptions: (name, mode) => ({ mode, database: path.join(copyStore(name), DATABASE_FILE) }),
    engineArgs: (name) => ['--seed', writeEngineSeed(workDir, 'RS256'), '--data-dir', copyStore(name)],
    sender: async ({ kind, issuer }) => {
      const url = issuer + (await endpointsAt(kind, issuer)).introspection;
      return async () => {
        const value = seededEngineToken('instructions', Math.floor(Math.random() * tokens)).value;
        const answer = await postForm(url, CLIENTS.ref, `token=${value}&token_type_hint=access_token`);
        if (answer.active !== true) throw new Error(`${url} answered ${JSON.stringify(answer)}`);
      };
    },
  },
  exchange: {
    what: 'token exchange',
    floorModes: ['exchange-required'],
    floorOptions: (name, mode) => ({
      mode,
      alg: 'ES256',
      database: path.join(copyStore(name), DATABASE_FILE),
    }),
    engineArgs: () => ['--seed', writeEngineSeed(workDir, 'ES256'), '--in-memory'],
    sender: async ({ kind, issuer, subjectToken }) => {
      const url = issuer + (await endpointsAt(kind, issuer)).token;
      const subject =
        subjectToken ??
        (
          await postForm(
            url,
            CLIENTS.jwt,
            `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`,
          )
        ).access_token;
      const body = tokenRequestBody({
        grant_type: TOKEN_EXCHANGE,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      return async () => {
        const answer = await postForm(url, CLIENTS.exchange, body);
        if (typeof answer.access_token !== 'string')
          throw new Error(`${url} answered ${JSON.stringify(answer)}`);
      };
    },
  },
};
const scenario = SCENARIOS[flags.scenario];

/** The benchmark's endpoint paths of a server (fixed for a floor, from discovery for the engine). */
const endpointsAt = (kind, issuer) => endpointsOf(kind, { origin: issuer, local: (url) => url });

/** Instructions per request: the main thread's (callgrind's thread 1 of the dump) and every thread's. */
async function measure(name, args, ready) {
  process.stdout.write(`${name.padEnd(28)} `);
  const { child, server, out } = await startUnderCallgrind(name, args, ready);
  try {
    const send = await scenario.sender(server);
    await drive(send, warmup);
    execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' });
    await drive(send, requests);
    execFileSync('callgrind_control', ['--instr=off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
  } finally {
    child.kill('SIGKILL');
  }
  // The first dump (.1), one file per thread: -01 is the main thread.
  const dumps = fs.readdirSync(workDir).filter((file) => file.startsWith(`${path.basename(out)}.1-`));
  const count = (file) =>
    Number(/^totals:\s+(\d+)/m.exec(fs.readFileSync(path.join(workDir, file), 'utf8'))?.[1] ?? 0);
  if (!dumps.includes(`${path.basename(out)}.1-01`))
    throw new Error(`no callgrind dump of ${name}'s main thread in ${workDir}`);
  const main = count(`${path.basename(out)}.1-01`) / requests;
  const all = dumps.reduce((sum, file) => sum + count(file), 0) / requests;
  console.log(
    `${Math.round(main).toLocaleString('en-US')} on the main thread, ${Math.round(all).toLocaleString('en-US')} in all`,
  );
  return { main, all };
}

const results = [];
for (const mode of scenario.floorModes) {
  const name = `floor-${mode}`;
  const args = [
    path.join(ROOT, 'bench', 'experiments', 'floor-server.mjs'),
    JSON.stringify(scenario.floorOptions(name, mode)),
  ];
  results.push({
    name: `floor ${mode}`,
    ...(await measure(name, args, (printed) => {
      const ready = /^READY (.*)$/m.exec(printed);
      return ready && { kind: 'floor', ...JSON.parse(ready[1]) };
    })),
  });
}
for (const [i, cli] of clis.entries()) {
  const name = `engine-${i + 1}`;
  const args = [cli, 'serve', '--port', '0', ...scenario.engineArgs(name)];
  results.push({
    name: `engine ${path.relative(ROOT, cli) || cli}`,
    ...(await measure(name, args, (printed) => {
      // The issuer line comes before the key is ready; "Press Ctrl+C" once it serves.
      const issuer = /Issuer:\s+(\S+)/.exec(printed)?.[1];
      return issuer && /Press Ctrl\+C/.test(printed) ? { kind: 'engine', issuer } : null;
    })),
  });
}

const [floor] = results;
console.log(`\ninstructions per ${scenario.what} (${floor.name} ÷ each, main thread and all threads):`);
for (const { name, main, all } of results) {
  const cells = [main, all].map((n) => Math.round(n).toLocaleString('en-US').padStart(9));
  console.log(
    `  ${name.padEnd(40)} main ${cells[0]}  ${(floor.main / main).toFixed(3)}   all ${cells[1]}  ${(floor.all / all).toFixed(3)}`,
  );
}
process.exit(0);
