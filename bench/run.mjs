#!/usr/bin/env node
// The side-by-side benchmark (issues 6 and 21): this engine against its required-work floors
// (bench/experiments/floor-server.mjs), oauth2-mock-server and oidc-provider, with an HTTP ceiling and a
// crypto ceiling measured in the same run. A script, not a test.
//
//   npm run bench                 full run (≈ 16–22 min on 2 cores), writes docs/BENCHMARKS.md
//   npm run bench -- --quick      every scenario briefly (CI), writes test-results/BENCHMARKS-quick.md
//
// Options: --help (this text) --rounds N --extra-rounds N (for a scenario whose rounds fall on both sides
//          of a bar; default 12, quick 0) --duration S --warmup S --connections N --tokens N --cold-starts N --out FILE
//          --only id,id (scenario ids: cold-start, cc-jwt-RS256, cc-jwt-ES256, cc-ref, introspect, refresh,
//          code, discovery, exchange, dpop, issuer2)
//          --engine-node-args "ARGS"  Node options for the engine's process (e.g. --max-old-space-size=1024)
//          --cli FILE  benchmark another build of the engine's CLI bundle (default dist/cli/idp-sandbox.cjs)
//          --report-only RAW.json  rewrites the report from the raw results a run saved beside it
//          --profile  runs the engine under node --cpu-prof and prints where its main thread spent the time
//                     (profiles kept in test-results/bench-profiles/)
//
//   npm run bench -- --ui         the UI at scale instead of the engine (bench/ui/run-ui.mjs, ≈ 12 min plus
//                                 ≈ 1 min to seed the cached store the first time): headless Chromium over
//                                 1,000,000 tokens and 5,000,000 events, idle and under 2,000 tokens/s; writes
//                                 the "The UI at scale" section of docs/BENCHMARKS.md (between markers; an
//                                 engine run keeps it). With --quick: a 50,000-token store and short windows,
//                                 written to test-results/BENCHMARKS-ui-quick.md. Options: --ui-tokens N
//                                 --ui-events N --ui-timeline-tokens N --ui-opens N --ui-live-seconds S
//                                 --ui-throughput-seconds S --out FILE; --report-only test-results/ui-bench.json
//                                 rewrites the section from a run's raw results. Needs Chromium (CHROME_PATH or
//                                 /usr/bin/chromium) and a build with the UI (npm run bench builds if stale).
// Each system runs in its own process; autocannon runs in this one. Every run is bounded in time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mintProofs } from './lib/dpop.mjs';
import { writeEngineSeed } from './lib/engine-seed.mjs';
import { copyDatabase, writeTemplateStore } from './lib/floors.mjs';
import { CookieJar, mintCodes, mintRefreshTokens, tokenRequestBody } from './lib/flows.mjs';
import { fixedRequest, poolRequest, rotationRequest, runLoad } from './lib/load.mjs';
import { ADMIN_TOKEN, ROOT, snapshotCli } from './lib/procs.mjs';
import { summariseProfile } from './lib/profile.mjs';
import { barsOf, roundRatios, writeReport } from './lib/report.mjs';
import {
  ACCESS_TOKEN_TYPE,
  API_SCOPE,
  basicAuth,
  CLIENTS,
  REDIRECT_URI,
  seededEngineToken,
  seededTokenValue,
  TOKEN_EXCHANGE,
} from './lib/shared.mjs';
import { DATABASE_FILE, databaseSizeMb, seedTokens } from './lib/store-seed.mjs';
import { cryptoRate, endpointsOf, PEERS, startSystem, untilDiscovery } from './lib/systems.mjs';
import { readUiSection, withUiSection, writeUiReport } from './ui/report.mjs';
import { runUiBench, uiConfig } from './ui/run-ui.mjs';

/** This file's opening comment, which is its usage: printed for --help and after a flag it does not know. */
function usage() {
  const lines = fs
    .readFileSync(new URL(import.meta.url), 'utf8')
    .split('\n')
    .slice(1);
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines
    .slice(0, end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}

const { values: flags } = parseBenchArgs({
  options: {
    help: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'extra-rounds': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    tokens: { type: 'string' },
    'cold-starts': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'report-only': { type: 'string' },
    cli: { type: 'string' },
    'engine-node-args': { type: 'string' },
    ui: { type: 'boolean', default: false },
    'ui-tokens': { type: 'string' },
    'ui-events': { type: 'string' },
    'ui-timeline-tokens': { type: 'string' },
    'ui-opens': { type: 'string' },
    'ui-live-seconds': { type: 'string' },
    'ui-throughput-seconds': { type: 'string' },
  },
});

if (flags.help) {
  console.log(usage());
  process.exit(0);
}

/** parseArgs, but a flag it does not know (or a value it lacks) ends the run with usage, not a stack trace. */
function parseBenchArgs(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`bench: ${error.message}\n\n${usage()}`);
    process.exit(2);
  }
}

const quick = flags.quick;
const config = {
  quick,
  engineNodeArgs: (flags['engine-node-args'] ?? '').split(' ').filter(Boolean),
  // Four rounds of 2 s windows: the engine now runs beside every system it is held to (roundOrder), so a
  // round has more windows; four ratios per comparison give a median less swayed by one disturbed round.
  rounds: Number(flags.rounds ?? (quick ? 1 : 4)),
  // More rounds for a bar whose rounds disagree on its verdict (disputedComparisons), of its systems only:
  // a median of 4 ratios spread ±10% decides a row 0.03 from its bar by chance. Resampled from the 28
  // pooled rounds of runs B–E (bench/analysis.md), token exchange (pooled 0.92) missed its bar in 28% of
  // simulated runs with 4 extra rounds, 22% with 8 and 18% with 12. A round of two systems takes ≈ 6 s.
  extraRounds: Number(flags['extra-rounds'] ?? (quick ? 0 : 12)),
  // Quick (CI): a third of a second per system (hundreds of requests) proves every scenario still runs.
  duration: Number(flags.duration ?? (quick ? 0.3 : 2)),
  warmup: Number(flags.warmup ?? (quick ? 0 : 1.5)),
  // Quick: fewer connections, so the one-time codes, refresh tokens and proofs minted per run are fewer.
  connections: Number(flags.connections ?? (quick ? 10 : 50)),
  tokens: Number(flags.tokens ?? (quick ? 10_000 : 1_000_000)),
  expiredShare: 0.2,
  // RSA prime search makes the RS256 start's key take 0.1–0.8 s (main/cli/start-key.ts): with 7 starts its
  // median moved between 1.09 and 1.22× bare Fastify over runs B–E; 8 more starts of each cost ≈ 25 s.
  coldStarts: Number(flags['cold-starts'] ?? (quick ? 1 : 15)),
  out: flags.out ?? path.join(ROOT, quick ? 'test-results/BENCHMARKS-quick.md' : 'docs/BENCHMARKS.md'),
  /** The raw measurements, from which --report-only rebuilds the report (beside --out when given). */
  raw: flags.out
    ? `${path.resolve(flags.out).replace(/\.md$/, '')}.json`
    : path.join(ROOT, quick ? 'test-results/BENCHMARKS-quick.json' : 'bench/last-run.json'),
};
// A number flag that is not one (`--rounds four`) would run nothing, or forever, without a word.
for (const [flag, value, least] of [
  ['rounds', config.rounds, 1],
  ['extra-rounds', config.extraRounds, 0],
  ['duration', config.duration, 0.1],
  ['warmup', config.warmup, 0],
  ['connections', config.connections, 1],
  ['tokens', config.tokens, 1],
  ['cold-starts', config.coldStarts, 1],
]) {
  if (!Number.isFinite(value) || value < least) {
    console.error(`bench: --${flag} takes a number of at least ${least} (got ${flags[flag]}).\n\n${usage()}`);
    process.exit(2);
  }
}
const profileRoot = path.join(ROOT, 'test-results', 'bench-profiles');
const only = flags.only ? new Set(flags.only.split(',')) : null;
const wanted = (id) => !only || only.has(id);

/** Node options for every start of the engine, e.g. `--engine-node-args=--max-old-space-size=1024`. */
const { engineNodeArgs } = config;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-bench-'));
/** Where the engine of the scenario being measured writes its CPU profile (with --profile). */
let profileDir = null;
let profileWindows = [];
let profileRequests = 0;
const start = (id, options) =>
  startSystem(id, {
    workDir,
    ...options,
    engineNodeArgs: [
      ...engineNodeArgs,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
  });
const FORM = 'application/x-www-form-urlencoded';
let templateReady = null;
/**
 * A data folder in which the engine wrote its schema and one reference token (then stopped), made once
 * per run: the issuing floors write into a copy of its database (the row they copy is that token), and the
 * introspection scenario seeds its tokens into the folder itself. `database` is the floors' copy.
 */
function templateStore() {
  templateReady ??= (async () => {
    const storeDir = path.join(workDir, 'store');
    await writeTemplateStore(workDir, storeDir);
    const database = path.join(workDir, 'floor.db');
    copyDatabase(storeDir, [database]);
    return { storeDir, database };
  })();
  return templateReady;
}
const floorDatabase = async () => (await templateStore()).database;
/** Starts the required-work floor `mode` on the floors' database. */
const startFloorSystem = async (mode, alg) =>
  start('floor', { alg, floor: { mode, database: await floorDatabase() } });
const log = (message) => process.stdout.write(`${message}\n`);
const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rotates the order each round, so no system always runs first (or right after the same neighbour). */
const rotated = (ids, round) => ids.map((_, i) => ids[(i + round) % ids.length]);

/**
 * The systems whose ratio to the engine is a target: its floor, the peers, the HTTP ceiling and the second
 * issuer (held to its root issuer). Each of their windows sits between two of the engine's, and its ratio
 * is over the mean of those two: this host's speed drifts by tens of percent within a minute (the same
 * server answered 36,606/s and 23,797/s one round apart), and a drift shared by neighbouring windows cancels
 * in their ratio, where one engine window per round compared with windows up to a minute away did not.
 */
const HELD_TO = new Set(['floor', ...PEERS, 'http', 'engine-second']);

/**
 * One round's order: the engine before and after each system it is held to, then the others (the engine's
 * variants and the crypto ceilings, whose ratios are not targets), each group in an order that rotates.
 */
function roundOrder(ids, round) {
  const others = ids.filter((id) => id !== 'engine');
  const held = rotated(
    others.filter((id) => HELD_TO.has(id)),
    round,
  );
  const rest = rotated(
    others.filter((id) => !HELD_TO.has(id)),
    round,
  );
  return ['engine', ...held.flatMap((id) => [id, 'engine']), ...rest];
}

/**
 * The engine's windows of one round as one measurement (the median rate and p99, every failure counted),
 * with `beside[id]`: the mean rate of the two engine windows around system `id`'s.
 */
function engineOfRound(windows, beside) {
  return {
    rps: median(windows.map((w) => w.rps)),
    p99: median(windows.map((w) => w.p99 ?? Number.NaN)),
    ok: windows.reduce((sum, w) => sum + (w.ok ?? 0), 0),
    non2xx: windows.reduce((sum, w) => sum + (w.non2xx ?? 0), 0),
    errors: windows.reduce((sum, w) => sum + (w.errors ?? 0), 0),
    windows: windows.map((w) => w.rps),
    beside,
  };
}

/**
 * The bars (report.mjs) whose round ratios fall on both sides of them, each as { of, id, text } with
 * text like "engine ÷ floor 0.86–1.01 around 0.9": their median is the verdict of a coin that more
 * rounds steady. The combined ceiling has no rounds of its own in the scenario, so no round ratios.
 */
function disputedComparisons(scenario, rounds) {
  return barsOf(scenario).flatMap(({ of, id, bar }) => {
    if (id === 'ceiling') return [];
    const ratios = roundRatios(rounds, of, id).filter(Number.isFinite);
    const low = Math.min(...ratios);
    const high = Math.max(...ratios);
    return low < bar && high >= bar
      ? [{ of, id, text: `${of} ÷ ${id} ${low.toFixed(2)}–${high.toFixed(2)} around ${bar}` }]
      : [];
  });
}

/** One POST request to the token endpoint (or the ceiling's /token) with a client's Basic credentials. */
function tokenPost(pathName, client, body) {
  return fixedRequest({
    method: 'POST',
    path: pathName,
    headers: { authorization: basicAuth(client), 'content-type': FORM },
    body,
  });
}

async function expectOk(label, response, check) {
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${label}: sanity request answered ${response.status}: ${text.slice(0, 300)}`);
  const body = text ? JSON.parse(text) : {};
  if (check && !check(body)) throw new Error(`${label}: unexpected sanity answer ${text.slice(0, 300)}`);
  return body;
}

function post(origin, pathName, client, body) {
  return fetch(`${origin}${pathName}`, {
    method: 'POST',
    headers: { authorization: basicAuth(client), 'content-type': FORM },
    body,
  });
}

/**
 * Measures one scenario: starts its systems, warms each up, then runs `rounds` rounds in which every
 * system gets `duration` seconds of load in turn. `drivers[id]` returns `run(seconds)` for a system.
 */
async function measure(scenario, drivers) {
  log(`\n▶ ${scenario.title}`);
  const began = performance.now();
  profileDir = flags.profile ? path.join(profileRoot, scenario.id) : null;
  profileWindows = [];
  profileRequests = 0;
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  const started = {};
  const runs = {};
  try {
    // Systems start side by side (nothing is measured yet), except where a start time is reported.
    const start = async (id) => {
      const driver = await drivers(id);
      runs[id] = driver.run;
      started[id] = driver;
    };
    if (scenario.sequentialStart) for (const id of scenario.systems) await start(id);
    else {
      const starts = await Promise.allSettled(scenario.systems.map(start));
      const failed = starts.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (profileDir) {
      // Remember when the engine was under load (not warming up) so its profile covers only that.
      const run = runs.engine;
      runs.engine = async (seconds, phase) => {
        const result = await run(seconds, phase);
        if (!phase.warmup) {
          profileWindows.push(result.window);
          profileRequests += result.ok ?? 0;
        }
        return result;
      };
    }
    for (const id of scenario.systems) {
      if (!id.startsWith('crypto') && config.warmup > 0) await runs[id](config.warmup, { warmup: true });
    }
    const rounds = [];
    const runRound = async (r, systems = scenario.systems) => {
      const round = {};
      const engineWindows = [];
      const beside = {};
      let heldBefore = null;
      for (const id of roundOrder(systems, r)) {
        const m = await runs[id](config.duration, { warmup: false });
        if (id === 'engine') {
          engineWindows.push(m);
          if (heldBefore) beside[heldBefore] = (engineWindows.at(-2).rps + m.rps) / 2;
          heldBefore = null;
        } else {
          round[id] = m;
          heldBefore = HELD_TO.has(id) ? id : null;
        }
        log(
          `  round ${r + 1} ${id.padEnd(20)} ${Math.round(m.rps).toString().padStart(7)} req/s` +
            (m.p99 === null ? '' : `  p99 ${m.p99} ms`) +
            (m.non2xx || m.errors
              ? `  (${m.non2xx} non-2xx, ${m.errors} errors; status ${JSON.stringify(m.statusCodes)})`
              : ''),
        );
      }
      round.engine = engineOfRound(engineWindows, beside);
      rounds.push(round);
    };
    for (let r = 0; r < config.rounds; r++) await runRound(r);
    // Once, and whichever side the median is on: more rounds where the rounds disagree on a verdict.
    // Only the systems of those bars run in them: the others (a JWT scenario's engine variants and
    // ceilings) would double the time of every extra round and decide nothing.
    const disputed = config.extraRounds > 0 ? disputedComparisons(scenario, rounds) : [];
    const extraSystems = scenario.systems.filter((id) =>
      disputed.some((comparison) => id === 'engine' || id === comparison.of || id === comparison.id),
    );
    if (disputed.length) {
      log(
        `  rounds fall on both sides of a bar (${disputed.map((c) => c.text).join('; ')}): ` +
          `${config.extraRounds} more rounds of ${extraSystems.join(', ')} only`,
      );
      for (let r = config.rounds; r < config.rounds + config.extraRounds; r++)
        await runRound(r, extraSystems);
    }
    const extra = (await scenario.after?.(started)) ?? {};
    log(`  (${((performance.now() - began) / 1000).toFixed(0)} s)`);
    return {
      ...scenario,
      rounds,
      disputed: disputed.length ? disputed.map((c) => c.text) : undefined,
      extraSystems: disputed.length ? extraSystems : undefined,
      ...extra,
    };
  } finally {
    await Promise.all(Object.values(started).map((driver) => driver.server?.stop()));
    if (profileDir && fs.existsSync(profileDir)) {
      // The last engine started is the one that took the load (the store scenario starts it twice).
      const files = fs
        .readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort();
      const summary = summariseProfile(path.join(profileDir, files.at(-1)), {
        limit: 30,
        windows: profileWindows,
        requests: profileRequests,
      });
      fs.writeFileSync(path.join(profileDir, 'summary.txt'), `${summary}\n`);
      log(`  engine CPU profile (${path.relative(ROOT, profileDir)}):\n${summary.replace(/^/gm, '    ')}`);
    }
    profileDir = null;
  }
}

/** A driver for a system answering one fixed request (plus a sanity check before the load). */
async function fixedDriver(server, requests, sanity) {
  await sanity?.();
  return {
    server,
    run: (seconds) =>
      runLoad({ origin: server.origin, requests, connections: config.connections, duration: seconds }),
  };
}

/** A crypto ceiling "system": each measurement is a fresh process signing for up to 2 s. */
function cryptoDriver(alg, threads) {
  return {
    server: null,
    run: async (seconds) => ({
      rps: await cryptoRate(alg, Math.min(seconds, 2), threads),
      p99: null,
      non2xx: 0,
      errors: 0,
    }),
  };
}

/**
 * A driver for one-time values (authorization codes, DPoP proofs): before each run, `mint(count)` makes
 * twice (quick: 1.3×) what the fastest run so far answered per second; a run that drains them ends early.
 */
function oneTimePoolDriver(server, { initialRate, mint, request }) {
  let expectedRate = initialRate;
  return {
    server,
    run: async (seconds) => {
      const count = Math.ceil(expectedRate * seconds * (quick ? 1.3 : 2)) + config.connections * 2;
      const values = await mint(count);
      let stop = () => {};
      const requests = [poolRequest({ ...request, values, onEmpty: () => stop() })];
      const result = await runLoad({
        origin: server.origin,
        requests,
        overrun: requests[0].overrun,
        connections: config.connections,
        duration: seconds,
        onStart: (stopRun) => {
          stop = stopRun;
        },
      });
      expectedRate = Math.max(expectedRate, result.rps);
      return result;
    },
  };
}

// ---------------------------------------------------------------- scenarios

async function clientCredentialsJwt(alg) {
  const body = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;
  return measure(
    {
      id: `cc-jwt-${alg}`,
      title: `client_credentials, JWT access token (${alg})`,
      alg,
      systems: [
        'engine',
        // Quick runs exercise the other ways of running the engine once, with RS256.
        ...(quick && alg !== 'RS256' ? [] : ['engine-1w', 'engine-2w', 'engine-4t']),
        'oauth2-mock-server',
        'oidc-provider',
        // Quick runs start the JWT floor once, with RS256.
        ...(quick && alg !== 'RS256' ? [] : ['floor']),
        'http',
        'crypto',
        'crypto-2t',
      ],
      ceiling: { kind: 'combined', signatures: 1 },
      floor: 'issue-jwt-required',
      na: {},
    },
    async (id) => {
      if (id === 'crypto') return cryptoDriver(alg, 1);
      if (id === 'crypto-2t') return cryptoDriver(alg, 2);
      const server =
        id === 'floor' ? await startFloorSystem('issue-jwt-required', alg) : await start(id, { alg });
      const endpoints = await endpointsOf(id, server);
      return fixedDriver(server, [tokenPost(endpoints.token, CLIENTS.jwt, body)], async () => {
        const answer = await expectOk(id, await post(server.origin, endpoints.token, CLIENTS.jwt, body));
        if (id !== 'http') {
          const header = JSON.parse(Buffer.from(answer.access_token.split('.')[0], 'base64url').toString());
          if (header.alg !== alg) throw new Error(`${id} signed with ${header.alg}, not ${alg}`);
        }
      });
    },
  );
}

async function clientCredentialsReference() {
  const body = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;
  return measure(
    {
      id: 'cc-ref',
      title: 'client_credentials, reference access token',
      alg: 'RS256',
      systems: ['engine', 'oidc-provider', 'floor', 'http'],
      ceiling: { kind: 'http' },
      floor: 'issue-required',
      na: { 'oauth2-mock-server': 'issues only JWT access tokens' },
    },
    async (id) => {
      const server =
        id === 'floor'
          ? await startFloorSystem('issue-required', 'RS256')
          : await start(id, { alg: 'RS256' });
      const endpoints = await endpointsOf(id, server);
      return fixedDriver(server, [tokenPost(endpoints.token, CLIENTS.ref, body)], async () => {
        const answer = await expectOk(id, await post(server.origin, endpoints.token, CLIENTS.ref, body));
        if (id !== 'http' && answer.access_token.includes('.')) throw new Error(`${id} issued a JWT`);
      });
    },
  );
}

async function introspection() {
  const total = config.tokens;
  const expired = Math.round(total * config.expiredShare);
  const active = total - expired;
  const salt = `bench-${process.pid}`;
  const store = {};
  /**
   * Random stored, active tokens to introspect: enough that lookups are spread over the whole store.
   * `valueAt(i)` is the i-th seeded token's value in the system's own format.
   */
  const sample = (count, valueAt) => {
    const bodies = [];
    for (let i = 0; i < count; i++) {
      const index = Math.floor(Math.random() * active);
      bodies.push(`token=${valueAt(index)}&token_type_hint=access_token`);
    }
    return bodies;
  };
  const engineValue = (i) => seededEngineToken(salt, i).value;
  const peerValue = (i) => seededTokenValue(salt, i);
  const introspect = (pathName, bodies) => {
    let next = 0;
    return [
      {
        method: 'POST',
        path: pathName,
        headers: { authorization: basicAuth(CLIENTS.ref), 'content-type': FORM },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ];
  };

  return measure(
    {
      id: 'introspect',
      title: `introspection of reference tokens, ${total.toLocaleString('en-US')} stored`,
      alg: 'RS256',
      systems: ['engine', 'oidc-provider', 'http', 'floor'],
      ceiling: { kind: 'http' },
      floor: 'introspect-required',
      na: {
        'oauth2-mock-server': 'has no token store: its /introspect answers {"active":true} to any string',
      },
      // The engine's start on the big database is reported: nothing else may run beside it.
      sequentialStart: true,
      after: async (started) => {
        const engine = started.engine.server;
        store.engineAfterLoad = engine.memory();
        store.peerAfterLoad = started['oidc-provider']?.server.memory();
        // Purge while a discovery request waits: the purge deletes in slices and yields between them.
        const purgeStarted = performance.now();
        const purge = fetch(`${engine.origin}/admin/api/tokens.purgeExpired`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: '{}',
        }).then(async (response) => ({ body: await response.json(), ms: performance.now() - purgeStarted }));
        await sleep(20);
        const probeStarted = performance.now();
        await (await fetch(`${engine.origin}/.well-known/openid-configuration`)).arrayBuffer();
        store.discoveryDuringPurgeMs = performance.now() - probeStarted;
        const purged = await purge;
        store.purgeMs = purged.ms;
        store.purged = purged.body.purged;
        store.dbMbAfterPurge = databaseSizeMb(store.dataDir);
        return { store };
      },
    },
    async (id) => {
      if (id === 'engine') {
        // The engine's schema and one token it issued, written by the engine (shared with the floors).
        const dataDir = (await templateStore()).storeDir;
        store.dataDir = dataDir;
        log(`  seeding ${total.toLocaleString('en-US')} reference tokens into the engine's database…`);
        store.seedSeconds = seedTokens(dataDir, { count: total, expired, salt });
        store.dbMb = databaseSizeMb(dataDir);
        const engine = await start('engine', { alg: 'RS256', dataDir });
        store.engineStartMs = engine.readyMs;
        store.engineIdle = engine.memory();
        store.total = total;
        store.expired = expired;
        const endpoints = await endpointsOf('engine', engine);
        const check = sample(1, engineValue)[0];
        await expectOk(
          'engine introspection of a seeded token',
          await post(engine.origin, endpoints.introspection, CLIENTS.ref, check),
          (answer) => answer.active === true,
        );
        const expiredBody = `token=${engineValue(total - 1)}&token_type_hint=access_token`;
        await expectOk(
          'engine introspection of an expired token',
          await post(engine.origin, endpoints.introspection, CLIENTS.ref, expiredBody),
          (answer) => answer.active === false,
        );
        return fixedDriver(
          engine,
          introspect(endpoints.introspection, sample(quick ? 2000 : 50_000, engineValue)),
        );
      }
      if (id === 'floor') {
        // On the engine's own database (started before it: the starts are sequential), between its turns.
        const floor = await start('floor', {
          floor: { mode: 'introspect-required', database: path.join(store.dataDir, DATABASE_FILE) },
        });
        return fixedDriver(floor, introspect('/introspect', sample(quick ? 2000 : 50_000, engineValue)));
      }
      const server = await start(id, { alg: 'RS256', preseed: id === 'oidc-provider' ? total : 0, salt });
      const endpoints = await endpointsOf(id, server);
      if (id === 'oidc-provider') {
        store.peerStored = server.stored;
        store.peerIdle = server.memory();
        await expectOk(
          'oidc-provider introspection of a seeded token',
          await post(server.origin, endpoints.introspection, CLIENTS.ref, sample(1, peerValue)[0]),
          (answer) => answer.active === true,
        );
      }
      return fixedDriver(
        server,
        introspect(endpoints.introspection, sample(quick ? 2000 : 50_000, peerValue)),
      );
    },
  );
}

async function refreshRotation() {
  return measure(
    {
      id: 'refresh',
      title: 'refresh-token rotation (RS256; access JWT + ID token + new refresh token)',
      alg: 'RS256',
      systems: ['engine', 'oauth2-mock-server', 'oidc-provider'],
      ceiling: { kind: 'combined', signatures: 2, from: 'cc-jwt-RS256' },
      na: {},
      notes: {
        'oauth2-mock-server': 'stateless: accepts any refresh token, stores and rotates nothing',
      },
    },
    async (id) => {
      const server = await start(id, { alg: 'RS256' });
      const endpoints = await endpointsOf(id, server);
      const jar = new CookieJar();
      const queue = await mintRefreshTokens(
        endpoints.discoveryDocument,
        config.connections * (quick ? 2 : 4),
        jar,
      );
      const requests = [
        rotationRequest({
          path: endpoints.token,
          headers: { authorization: basicAuth(CLIENTS.web), 'content-type': FORM },
          queue,
        }),
      ];
      return {
        server,
        run: async (seconds) => {
          // Chains broken by the end of the previous run (answers never read) are replaced.
          const missing = config.connections * 2 - queue.length;
          if (missing > 0)
            queue.push(...(await mintRefreshTokens(endpoints.discoveryDocument, missing, jar)));
          return runLoad({
            origin: server.origin,
            requests,
            connections: config.connections,
            duration: seconds,
          });
        },
      };
    },
  );
}

async function codeRedemption() {
  return measure(
    {
      id: 'code',
      title: 'authorization-code redemption (RS256; access JWT + ID token + refresh token)',
      alg: 'RS256',
      systems: ['engine', 'oauth2-mock-server', 'oidc-provider'],
      ceiling: { kind: 'combined', signatures: 2, from: 'cc-jwt-RS256' },
      na: {},
      notes: { 'oauth2-mock-server': 'stateless: accepts any code, checks nothing' },
    },
    async (id) => {
      const server = await start(id, { alg: 'RS256' });
      const endpoints = await endpointsOf(id, server);
      const jar = new CookieJar();
      // Quick runs only prove the flow works: a smaller pool (a run that drains it ends early).
      return oneTimePoolDriver(server, {
        initialRate: quick ? 300 : 600,
        mint: (count) => mintCodes(endpoints.discoveryDocument, count, jar),
        request: {
          path: endpoints.token,
          headers: { authorization: basicAuth(CLIENTS.web), 'content-type': FORM },
          bodyFor: (code) =>
            tokenRequestBody({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
        },
      });
    },
  );
}

async function discoveryAndJwks() {
  return measure(
    {
      id: 'discovery',
      title: 'discovery document + JWKS (GET, alternating)',
      alg: 'RS256',
      systems: ['engine', 'oauth2-mock-server', 'oidc-provider', 'http'],
      ceiling: { kind: 'http' },
      na: {},
    },
    async (id) => {
      const server = await start(id, { alg: 'RS256' });
      const endpoints = await endpointsOf(id, server);
      const requests = [fixedRequest({ path: endpoints.discovery }), fixedRequest({ path: endpoints.jwks })];
      return fixedDriver(server, requests);
    },
  );
}

/** RFC 8693: the exchanger client exchanges another client's JWT access token (impersonation), ES256. */
async function tokenExchange() {
  const alg = 'ES256';
  const issueBody = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;
  return measure(
    {
      id: 'exchange',
      title: `token exchange (RFC 8693; ${alg} access JWT for another client's access JWT)`,
      alg,
      systems: ['engine', 'floor'],
      floor: 'exchange-required',
      na: {
        'oauth2-mock-server': 'has no token exchange grant',
        'oidc-provider': 'has no token exchange grant (only through a custom registerGrantType)',
      },
    },
    async (id) => {
      const server =
        id === 'floor' ? await startFloorSystem('exchange-required', alg) : await start(id, { alg });
      const subject =
        id === 'floor'
          ? server.subjectToken
          : (await expectOk(id, await post(server.origin, '/token', CLIENTS.jwt, issueBody))).access_token;
      const body = tokenRequestBody({
        grant_type: TOKEN_EXCHANGE,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      return fixedDriver(server, [tokenPost('/token', CLIENTS.exchange, body)], async () => {
        const answer = await expectOk(id, await post(server.origin, '/token', CLIENTS.exchange, body));
        const claims = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url').toString());
        if (claims.sub !== JSON.parse(Buffer.from(subject.split('.')[1], 'base64url').toString()).sub)
          throw new Error(`${id}: the exchanged token is not about the subject token's subject`);
      });
    },
  );
}

/** RFC 9449: client_credentials with a fresh DPoP proof on every request; ES256 JWTs bound to its key. */
async function dpopIssuance() {
  const alg = 'ES256';
  const body = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;
  return measure(
    {
      id: 'dpop',
      title: `DPoP-bound issuance (RFC 9449; client_credentials, ${alg} access JWT, a new ES256 proof each)`,
      alg,
      systems: ['engine', 'oidc-provider', 'floor'],
      floor: 'dpop-required',
      na: { 'oauth2-mock-server': 'does not support DPoP' },
    },
    async (id) => {
      const server = id === 'floor' ? await startFloorSystem('dpop-required', alg) : await start(id, { alg });
      const tokenPath = (await endpointsOf(id, server)).token;
      const htu = `${server.issuer}${tokenPath}`;
      const headers = { authorization: basicAuth(CLIENTS.dpop), 'content-type': FORM };
      const sanity = await fetch(`${server.origin}${tokenPath}`, {
        method: 'POST',
        headers: { ...headers, dpop: (await mintProofs(htu, 1))[0] },
        body,
      });
      const answer = await expectOk(id, sanity);
      const claims = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url').toString());
      if (answer.token_type !== 'DPoP' || !claims.cnf?.jkt)
        throw new Error(`${id}: the token is not DPoP-bound`);
      return oneTimePoolDriver(server, {
        initialRate: quick ? 300 : 1500,
        mint: (count) => mintProofs(htu, count),
        request: { path: tokenPath, headers, bodyFor: () => body, headersFor: (proof) => ({ dpop: proof }) },
      });
    },
  );
}

/**
 * Reference-token issuance at a second issuer of the same engine (/second/token) beside the root
 * issuer's, in the same process and rounds: what dispatching to another issuer costs.
 */
async function secondIssuer() {
  const body = `grant_type=client_credentials&scope=${encodeURIComponent(API_SCOPE)}`;
  let engineReady = null;
  return measure(
    {
      id: 'issuer2',
      title: 'client_credentials, reference access token, at a second issuer of the engine',
      alg: 'RS256',
      systems: ['engine', 'engine-second', 'floor'],
      floor: 'issue-required',
      na: {
        'oauth2-mock-server': 'hosts one issuer',
        'oidc-provider': 'hosts one issuer per Provider instance',
      },
    },
    async (id) => {
      if (id === 'floor') {
        const floor = await startFloorSystem('issue-required', 'RS256');
        return fixedDriver(floor, [tokenPost('/token', CLIENTS.ref, body)]);
      }
      // The two "systems" are one process: started once, by whichever of the two asks first.
      engineReady ??= (async () => {
        const engine = await start('engine', { alg: 'RS256' });
        const admin = (method, input, query = '') =>
          fetch(`${engine.origin}/admin/api/${method}${query}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
        await expectOk('issuers.create', await admin('issuers.create', { name: 'second' }));
        const seed = JSON.parse(fs.readFileSync(writeEngineSeed(workDir, 'RS256'), 'utf8'));
        await expectOk('workspace.import', await admin('workspace.import', seed, '?issuer=second'));
        return engine;
      })();
      const engine = await engineReady;
      const tokenPath = id === 'engine-second' ? '/second/token' : '/token';
      return fixedDriver(engine, [tokenPost(tokenPath, CLIENTS.ref, body)], async () => {
        const answer = await expectOk(id, await post(engine.origin, tokenPath, CLIENTS.ref, body));
        if (answer.access_token.includes('.')) throw new Error(`${id} issued a JWT`);
      });
    },
  );
}

/** Whole-process cold start: spawn → first 200 from the discovery document. */
async function coldStart() {
  log('\n▶ headless cold start to a ready discovery document');
  const systems = ['engine', 'engine-es256', 'oauth2-mock-server', 'oidc-provider', 'http'];
  const samples = Object.fromEntries(systems.map((id) => [id, []]));
  for (let i = 0; i < config.coldStarts; i++) {
    for (const id of rotated(systems, i)) {
      const started = performance.now();
      const server = await start(id, { alg: 'RS256' });
      await untilDiscovery(server);
      samples[id].push(performance.now() - started);
      await server.stop();
    }
  }
  for (const id of systems) log(`  ${id.padEnd(20)} median ${median(samples[id]).toFixed(0)} ms`);
  return {
    id: 'cold-start',
    samples,
    medians: Object.fromEntries(systems.map((id) => [id, median(samples[id])])),
  };
}

// ---------------------------------------------------------------- main

/** Which source the engine was built from: the commit, and uncommitted changes under main/ and shared/. */
function buildSource(root = ROOT) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'main', 'shared').split('\n').filter(Boolean).length;
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirty };
}

async function main() {
  if (flags.ui) {
    if (flags['report-only']) {
      // The UI section again from a run's raw results (test-results/ui-bench.json).
      const { results, meta } = JSON.parse(fs.readFileSync(flags['report-only'], 'utf8'));
      log(writeUiReport(results, { ...meta, config: { ...meta.config, out: config.out } }));
      return;
    }
    await runUiBench(uiConfig(quick, flags), log);
    return;
  }
  if (flags['report-only']) {
    // Rebuild the report from the raw results of an earlier run (e.g. after editing bench/analysis.md).
    const { results, meta } = JSON.parse(fs.readFileSync(flags['report-only'], 'utf8'));
    const uiSection = readUiSection(config.out);
    const table = writeReport(results, { ...meta, config: { ...meta.config, out: config.out }, median });
    if (uiSection)
      fs.writeFileSync(config.out, withUiSection(fs.readFileSync(config.out, 'utf8'), uiSection));
    log(`${table}\nWritten to ${path.relative(ROOT, config.out)}.`);
    return;
  }
  const began = performance.now();
  await snapshotCli(flags.cli && path.resolve(flags.cli));
  // With --cli, the commit is that of the work tree the bundle sits in (e.g. a clean `git worktree`).
  const build = buildSource(flags.cli ? path.dirname(path.resolve(flags.cli)) : ROOT);
  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  log(
    `IDP Sandbox benchmark${quick ? ' (quick)' : ''}: ${config.rounds} round(s) × ${config.duration} s, ` +
      `warm-up ${config.warmup} s, ${config.connections} connections; load average ${loadBefore}`,
  );
  const results = { scenarios: [], coldStart: null };
  if (wanted('cold-start')) results.coldStart = await coldStart();
  if (wanted('cc-jwt-RS256')) results.scenarios.push(await clientCredentialsJwt('RS256'));
  if (wanted('cc-jwt-ES256')) results.scenarios.push(await clientCredentialsJwt('ES256'));
  if (wanted('cc-ref')) results.scenarios.push(await clientCredentialsReference());
  if (wanted('introspect')) results.scenarios.push(await introspection());
  if (wanted('refresh')) results.scenarios.push(await refreshRotation());
  if (wanted('code')) results.scenarios.push(await codeRedemption());
  if (wanted('discovery')) results.scenarios.push(await discoveryAndJwks());
  if (wanted('exchange')) results.scenarios.push(await tokenExchange());
  if (wanted('dpop')) results.scenarios.push(await dpopIssuance());
  if (wanted('issuer2')) results.scenarios.push(await secondIssuer());
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const seconds = (performance.now() - began) / 1000;
  const meta = { config, loadBefore, loadAfter, seconds, build, date: new Date().toISOString() };
  const rawFile = config.raw;
  fs.mkdirSync(path.dirname(rawFile), { recursive: true });
  fs.writeFileSync(rawFile, `${JSON.stringify({ results, meta }, null, 2)}\n`);
  // The raw file sits in the repository (full runs): give it the project's formatting so the lint stays clean.
  if (!path.relative(ROOT, rawFile).startsWith('..')) {
    try {
      execFileSync(path.join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', rawFile], {
        stdio: 'ignore',
      });
    } catch {
      // Formatting is cosmetic; the measurements are written either way.
    }
  }
  const uiSection = readUiSection(config.out);
  const table = writeReport(results, { ...meta, median });
  // The engine's report rewrites the file: the UI benchmark's section (npm run bench -- --ui) stays.
  if (uiSection) fs.writeFileSync(config.out, withUiSection(fs.readFileSync(config.out, 'utf8'), uiSection));
  log(
    `\n${table}\nWritten to ${path.relative(ROOT, config.out)} (raw: ${path.relative(ROOT, rawFile)}) in ${seconds.toFixed(0)} s.`,
  );
}

try {
  await main();
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
}
// Keep-alive sockets of fetch() must not hold the process open.
process.exit(0);
