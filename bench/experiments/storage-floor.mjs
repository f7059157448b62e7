#!/usr/bin/env node
// How close can a provider that keeps its tokens in SQLite get to the HTTP ceiling on this machine?
// Runs, in alternating rounds, the HTTP ceiling (bench/servers/http-ceiling.mjs) and the storage floors
// of floor-server.mjs against the engine's own schema and rows: issuing a reference token (a copy of a
// token row the engine wrote, committed before the answer), issuing an ES256 JWT the same way (against
// the combined ceiling, with the crypto ceiling measured in the same round), and introspecting one of
// 1,000,000 stored tokens (seeded as `npm run bench` seeds them). An experiment, not part of the
// benchmark: it tells which of the benchmark's targets any such provider could meet here.
//
// Each floor is described in floor-server.mjs; the modes engine-issue and engine-introspect run the
// engine's CLI on the same databases. Beside each rate it prints how busy the server's main thread and its
// other threads were; with --profile, where the main thread spent its time in the last round.
//
//   node bench/experiments/storage-floor.mjs [--rounds N] [--duration S] [--tokens N] [--modes a,b,…] [--profile]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { copyDatabase, startFloor, writeTemplateStore } from '../lib/floors.mjs';
import { runLoad } from '../lib/load.mjs';
import { killAll, ROOT, snapshotCli, startEngine, startScript } from '../lib/procs.mjs';
import { summariseProfile } from '../lib/profile.mjs';
import { API_SCOPE, basicAuth, CLIENTS, seededEngineToken } from '../lib/shared.mjs';
import { DATABASE_FILE, seedTokens } from '../lib/store-seed.mjs';
import { cryptoRate } from '../lib/systems.mjs';

/**
 * CPU seconds used so far by each thread of process `pid` (user + system, from /proc/PID/task/TID/stat
 * in clock ticks of 1/100 s, Linux's USER_HZ). The main thread's id is the pid.
 */
function threadSeconds(pid) {
  const seconds = new Map();
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const fields = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').split(') ')[1].split(' ');
    seconds.set(task, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return seconds;
}

/** How busy the main thread and the process's other threads were, in % of one core, since `before`. */
function cpuShares(pid, before, seconds) {
  let main = 0;
  let others = 0;
  for (const [task, used] of threadSeconds(pid)) {
    const share = (100 * (used - (before.get(task) ?? 0))) / seconds;
    if (task === String(pid)) main = share;
    else others += share;
  }
  return `main thread ${main.toFixed(0)}%, other threads ${others.toFixed(0)}%`;
}

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '1000000' },
    profile: { type: 'boolean', default: false },
    modes: {
      type: 'string',
      default: 'issue,issue-nostore,issue-worker,issue-required,issue-jwt,introspect,introspect-required',
    },
  },
});
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const total = Number(flags.tokens);
const FORM = 'application/x-www-form-urlencoded';
const salt = `floor-${process.pid}`;

if (spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale']).status !== 0)
  throw new Error('the build failed: run npm run build');
await snapshotCli();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-floor-'));
try {
  // The engine writes its schema and one reference token: the floors copy that row.
  const storeDir = path.join(workDir, 'store');
  const seedFile = await writeTemplateStore(workDir, storeDir);
  // The issuing floors write into a copy of that database, the engine into a data folder of its own copy.
  const issueDatabase = path.join(workDir, 'issue.db');
  const engineIssueDir = path.join(workDir, 'engine-issue');
  fs.mkdirSync(engineIssueDir);
  copyDatabase(storeDir, [issueDatabase, path.join(engineIssueDir, DATABASE_FILE)]);
  const modes = flags.modes.split(',');
  if (modes.some((name) => name.includes('introspect'))) {
    console.log(`seeding ${total.toLocaleString('en-US')} reference tokens…`);
    seedTokens(storeDir, { count: total, expired: 0, salt });
  }

  let next = 0;
  const sample = Array.from({ length: 50_000 }, () => {
    const { value } = seededEngineToken(salt, Math.floor(Math.random() * total));
    return `token=${value}&token_type_hint=access_token`;
  });
  const introspections = [
    {
      method: 'POST',
      path: '/introspect',
      headers: { authorization: basicAuth(CLIENTS.ref), 'content-type': FORM },
      setupRequest: (request) => ({ ...request, body: sample[next++ % sample.length] }),
    },
  ];
  const issues = [
    {
      method: 'POST',
      path: '/token',
      headers: { authorization: basicAuth(CLIENTS.ref), 'content-type': FORM },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`,
    },
  ];
  const profileRoot = path.join(workDir, 'profiles');
  let runs = 0;
  /** With --profile, a fresh folder for the next process's CPU profile. */
  const profiling = () => {
    if (!flags.profile) return { nodeArgs: [] };
    const dir = path.join(profileRoot, String(runs++));
    return { dir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] };
  };
  const withProfile = (server, profile) => Object.assign(server, { profileDir: profile.dir });
  const floor = async (mode, database) => {
    const profile = profiling();
    return withProfile(await startFloor({ mode, database }, { nodeArgs: profile.nodeArgs }), profile);
  };
  // The engine itself, as the benchmark starts it, on the same databases.
  const engineOn = async (dataDir) => {
    const profile = profiling();
    return withProfile(await startEngine({ seedFile, dataDir, nodeArgs: profile.nodeArgs }), profile);
  };
  const pairs = modes.map((name) => {
    if (name === 'engine-issue') return [name, issues, () => engineOn(engineIssueDir)];
    if (name === 'engine-introspect') return [name, introspections, () => engineOn(storeDir)];
    if (name.startsWith('issue')) return [name, issues, () => floor(name, issueDatabase)];
    if (name.startsWith('introspect'))
      return [name, introspections, () => floor(name, path.join(storeDir, DATABASE_FILE))];
    throw new Error(`unknown mode ${name}`);
  });
  // Each pair is the ceiling and a server under test: a floor, or the engine itself (engine-… modes).
  const shownAs = (name, system) => (system === 'floor' && name.startsWith('engine') ? 'engine' : system);
  const results = Object.fromEntries(pairs.map(([name]) => [name, { ceiling: [], floor: [] }]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, requests, startFloor] of pairs) {
      for (const [system, start] of [
        ['ceiling', () => startScript('http-ceiling.mjs')],
        ['floor', startFloor],
      ]) {
        const server = await start();
        const { origin } = server;
        if (name.includes('introspect') && system === 'floor') {
          // The floors answer what the engine would: a seeded token is active.
          const answer = await fetch(`${origin}/introspect`, {
            method: 'POST',
            headers: introspections[0].headers,
            body: sample[0],
          }).then((response) => response.json());
          if (answer.active !== true) throw new Error(`${name}: a seeded token was not active`);
        }
        await runLoad({ origin, requests, connections: 50, duration: 1.5 });
        const before = threadSeconds(server.pid);
        const result = await runLoad({ origin, requests, connections: 50, duration });
        const cpu = cpuShares(server.pid, before, result.seconds);
        await server.stop();
        if (server.profileDir && system === 'floor' && round === rounds) {
          const file = fs.readdirSync(server.profileDir).find((name) => name.endsWith('.cpuprofile'));
          if (!file) throw new Error(`${name}: no CPU profile was written`);
          const summary = summariseProfile(path.join(server.profileDir, file), {
            windows: [result.window],
            requests: result.ok,
          });
          console.log(`${name}, round ${round}:\n${summary.replace(/^/gm, '    ')}`);
        }
        if (result.non2xx || result.errors)
          throw new Error(`${name} ${system}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        if (system === 'ceiling' && name === 'issue-jwt') {
          // The benchmark's combined ceiling: signing and HTTP back to back, 1/(1/crypto + 1/http).
          const crypto = await cryptoRate('ES256', duration, 1);
          result.rps = 1 / (1 / crypto + 1 / result.rps);
        }
        results[name][system].push(result);
        console.log(
          `round ${round} ${name.padEnd(19)} ${shownAs(name, system).padEnd(7)} ${String(Math.round(result.rps)).padStart(6)} req/s  p99 ${result.p99} ms  (${cpu})`,
        );
      }
    }
  }
  const median = (list) => list.slice().sort((a, b) => a - b)[Math.floor(list.length / 2)];
  for (const [name, { ceiling, floor: floors }] of Object.entries(results)) {
    const ratios = floors.map((f, i) => f.rps / ceiling[i].rps);
    console.log(
      `${name}: ${shownAs(name, 'floor')} ${Math.round(median(floors.map((f) => f.rps)))} req/s (p99 ${median(floors.map((f) => f.p99))} ms), ` +
        `ceiling ${Math.round(median(ceiling.map((c) => c.rps)))} req/s; ${shownAs(name, 'floor')} ÷ ceiling by round ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`,
    );
  }
} finally {
  killAll();
  fs.rmSync(workDir, { recursive: true, force: true });
}
