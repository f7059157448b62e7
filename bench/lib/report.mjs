// Turns the measurements into docs/BENCHMARKS.md (and the table printed at the end of a run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './procs.mjs';
import { PEERS, SYSTEMS } from './systems.mjs';

const fmtRate = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const fmtMs = (v) =>
  Number.isFinite(v) ? (v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')) : '–';
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const fmtMb = (v) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} MB` : '–');

function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function machine() {
  const cpu =
    /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  let npm = /npm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
  if (!npm) {
    try {
      npm = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      npm = '?';
    }
  }
  return {
    cores: os.availableParallelism(),
    cpu,
    memoryGb: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    npm,
    engine: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    packages: Object.fromEntries(
      ['fastify', 'jose', 'better-sqlite3', 'autocannon', 'oauth2-mock-server', 'oidc-provider'].map(
        (name) => [name, packageVersion(name)],
      ),
    ),
  };
}

/** Medians per system, and the engine's per-round ratios to every other system and to the ceiling. */
export function summarise(scenario, median, byId) {
  const ids = Object.keys(scenario.rounds[0] ?? {});
  const systems = {};
  for (const id of ids) {
    const runs = scenario.rounds.map((round) => round[id]);
    systems[id] = {
      rps: median(runs.map((r) => r.rps)),
      p99: median(runs.map((r) => r.p99 ?? Number.NaN)),
      non2xx: runs.reduce((sum, r) => sum + (r.non2xx ?? 0), 0),
      errors: runs.reduce((sum, r) => sum + (r.errors ?? 0), 0),
    };
  }
  const ratio = (a, b) => median(scenario.rounds.map((round) => round[a]?.rps / round[b]?.rps));
  const ratios = {};
  for (const id of ids) if (id !== 'engine') ratios[id] = ratio('engine', id);
  /** The same ratios for each other way of running the engine (signing workers, libuv threads). */
  const variants = {};
  for (const variant of ids.filter((id) => id.startsWith('engine-'))) {
    variants[variant] = {};
    for (const id of ids) if (!id.startsWith('engine')) variants[variant][id] = ratio(variant, id);
  }

  let ceiling = null;
  const { kind, signatures = 1, from } = scenario.ceiling ?? {};
  if (kind === 'http' && systems.http) {
    ceiling = { label: 'HTTP ceiling', rps: systems.http.rps, ratio: ratios.http };
  } else if (kind === 'combined') {
    const combined = (crypto, http) => 1 / (signatures / crypto + 1 / http);
    if (systems.crypto && systems.http) {
      // Paired by round: both ceilings were measured next to the engine in the same round.
      ceiling = {
        label: `combined ceiling 1/(${signatures > 1 ? `${signatures}/crypto` : '1/crypto'} + 1/http)`,
        rps: median(scenario.rounds.map((round) => combined(round.crypto.rps, round.http.rps))),
        ratio: median(
          scenario.rounds.map((round) => round.engine.rps / combined(round.crypto.rps, round.http.rps)),
        ),
        variants: Object.fromEntries(
          Object.keys(variants).map((variant) => [
            variant,
            median(
              scenario.rounds.map((round) => round[variant].rps / combined(round.crypto.rps, round.http.rps)),
            ),
          ]),
        ),
      };
    } else if (from && byId[from]) {
      // Ceilings measured earlier in the same run (the cc-jwt scenario of the same algorithm).
      const source = byId[from].summary.systems;
      const rps = combined(source.crypto.rps, source.http.rps);
      ceiling = {
        label: `combined ceiling 1/(${signatures}/crypto + 1/http), ceilings from ${from}`,
        rps,
        ratio: systems.engine.rps / rps,
      };
    }
  }
  return { systems, ratios, variants, ceiling };
}

function verdict(met, text) {
  return `${met ? '**met**' : '**missed**'} — ${text}`;
}

const pct = (v) => `${Math.round(Math.abs(v) * 100)}%`;

function targets(results, byId) {
  const rows = [];
  for (const scenario of results.scenarios) {
    const { ratios } = scenario.summary;
    for (const peer of PEERS) {
      if (scenario.na?.[peer] || ratios[peer] === undefined) continue;
      const r = ratios[peer];
      const note = scenario.notes?.[peer] ? ` (peer is ${scenario.notes[peer]})` : '';
      rows.push([
        `ahead of ${peer}: ${scenario.title}`,
        fmtRatio(r),
        verdict(r > 1, r > 1 ? `${pct(r - 1)} ahead${note}` : `${pct(1 - r)} behind${note}`),
      ]);
    }
  }
  if (results.coldStart) {
    // Cold start is a scenario the peers share too; faster means a shorter median start.
    const cs = results.coldStart.medians;
    for (const peer of PEERS) {
      const r = cs[peer] / cs.engine;
      if (!Number.isFinite(r)) continue;
      rows.push([
        `ahead of ${peer}: headless cold start (median)`,
        fmtRatio(r),
        verdict(r > 1, r > 1 ? `${pct(r - 1)} faster` : `${pct(1 - r)} slower`),
      ]);
    }
  }
  for (const alg of ['RS256', 'ES256']) {
    const s = byId[`cc-jwt-${alg}`];
    if (!s?.summary.ceiling) continue;
    const r = s.summary.ceiling.ratio;
    rows.push([
      `JWT issuance (${alg}) ≥ 0.8 × combined ceiling (${fmtRate(s.summary.ceiling.rps)}/s)`,
      `${fmtRatio(r)} (${fmtRate(s.summary.systems.engine.rps)}/s)`,
      verdict(
        r >= 0.8,
        r >= 0.8 ? `${(r - 0.8).toFixed(2)} above the bar` : `short by ${(0.8 - r).toFixed(2)}×`,
      ),
    ]);
    for (const [variant, rv] of Object.entries(s.summary.ceiling.variants ?? {})) {
      rows.push([
        `↳ same, engine ${SYSTEMS[variant].label.replace(/^IDP Sandbox, /, '')}`,
        `${fmtRatio(rv)} (${fmtRate(s.summary.systems[variant].rps)}/s)`,
        verdict(
          rv >= 0.8,
          rv >= 0.8 ? `${(rv - 0.8).toFixed(2)} above the bar` : `short by ${(0.8 - rv).toFixed(2)}×`,
        ),
      ]);
    }
  }
  for (const [id, what] of [
    ['cc-ref', 'reference-token issuance'],
    ['introspect', 'introspection'],
  ]) {
    const s = byId[id];
    if (!s?.summary.ceiling) continue;
    const r = s.summary.ceiling.ratio;
    rows.push([
      `${what} ≥ 0.6 × HTTP ceiling (${fmtRate(s.summary.ceiling.rps)}/s)`,
      `${fmtRatio(r)} (${fmtRate(s.summary.systems.engine.rps)}/s)`,
      verdict(
        r >= 0.6,
        r >= 0.6 ? `${(r - 0.6).toFixed(2)} above the bar` : `short by ${(0.6 - r).toFixed(2)}×`,
      ),
    ]);
    const p99 = s.summary.systems.engine.p99;
    rows.push([
      `${what} p99 < 10 ms at 50 connections`,
      `${fmtMs(p99)} ms`,
      verdict(p99 < 10, p99 < 10 ? `${fmtMs(10 - p99)} ms to spare` : `${fmtMs(p99 - 10)} ms over`),
    ]);
  }
  if (results.coldStart) {
    const ms = results.coldStart.medians.engine;
    rows.push([
      'headless cold start ≤ 500 ms (median)',
      `${fmtMs(ms)} ms`,
      verdict(ms <= 500, ms <= 500 ? `${fmtMs(500 - ms)} ms to spare` : `${fmtMs(ms - 500)} ms over`),
    ]);
  }
  const store = byId.introspect?.store;
  if (store) {
    const rss = Math.max(store.engineAfterLoad.rssMb, store.engineAfterLoad.peakMb);
    rows.push([
      `RSS ≤ 150 MB with ${store.total.toLocaleString('en-US')} stored tokens (peak)`,
      fmtMb(rss),
      verdict(rss <= 150, rss <= 150 ? `${fmtMb(150 - rss)} to spare` : `${fmtMb(rss - 150)} over`),
    ]);
  }
  for (const alg of ['RS256', 'ES256']) {
    const systems = byId[`cc-jwt-${alg}`]?.summary.systems;
    if (!systems?.['engine-1w'] || !systems['engine-2w'] || !systems.engine) continue;
    const figure = (id) => `${fmtRate(systems[id].rps)}/s · ${fmtMs(systems[id].p99)} ms`;
    const vsInProcess = (id) => fmtRatio(systems[id].rps / systems.engine.rps);
    rows.push([
      `signing can use worker threads; 1- and 2-worker figures (${alg})`,
      `in process (the default) ${figure('engine')}; 1 worker ${figure('engine-1w')}; 2 workers ${figure('engine-2w')}`,
      `**met** — \`--signing-workers N\` (default 0, in process); ÷ in process: 1 worker ` +
        `${vsInProcess('engine-1w')}, 2 workers ${vsInProcess('engine-2w')} on ${os.availableParallelism()} cores`,
    ]);
  }
  return rows;
}

function table(rows) {
  const [head, ...body] = rows;
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function writeReport(results, { config, loadBefore, loadAfter, seconds, median, build, date }) {
  const byId = {};
  for (const scenario of results.scenarios) {
    scenario.summary = summarise(scenario, median, byId);
    byId[scenario.id] = scenario;
  }
  const m = machine();
  const cell = (scenario, id) => {
    if (scenario.na?.[id]) return 'n/a';
    const s = scenario.summary.systems[id];
    if (!s) return '';
    const bad = s.non2xx + s.errors;
    return `${fmtRate(s.rps)}${Number.isFinite(s.p99) ? ` · ${fmtMs(s.p99)} ms` : ''}${bad ? ` ⚠ ${bad} failed` : ''}`;
  };
  const variantRatioCell = (scenario, variant, id) => {
    const r = scenario.summary.variants?.[variant]?.[id];
    return r === undefined ? '' : fmtRatio(r);
  };
  const ratioCell = (scenario, id) =>
    scenario.na?.[id]
      ? 'n/a'
      : scenario.summary.ratios[id] === undefined
        ? ''
        : fmtRatio(scenario.summary.ratios[id]);

  const main = [
    [
      'scenario',
      'IDP Sandbox',
      'oauth2-mock-server',
      'oidc-provider',
      'HTTP ceiling',
      'crypto ceiling',
      '÷ oauth2-mock-server',
      '÷ oidc-provider',
      '÷ ceiling',
    ],
  ];
  for (const scenario of results.scenarios) {
    const c = scenario.summary.ceiling;
    main.push([
      scenario.title,
      cell(scenario, 'engine'),
      cell(scenario, 'oauth2-mock-server'),
      cell(scenario, 'oidc-provider'),
      cell(scenario, 'http'),
      scenario.summary.systems.crypto ? `${fmtRate(scenario.summary.systems.crypto.rps)}/s` : '',
      ratioCell(scenario, 'oauth2-mock-server'),
      ratioCell(scenario, 'oidc-provider'),
      c
        ? `${fmtRatio(c.ratio)} of ${fmtRate(c.rps)}/s${scenario.ceiling.kind === 'combined' ? ' (combined)' : ''}`
        : '',
    ]);
    for (const [i, variant] of Object.keys(scenario.summary.variants ?? {}).entries()) {
      const rv = scenario.summary.ceiling?.variants?.[variant];
      main.push([
        `↳ same, ${SYSTEMS[variant].label.replace(/^IDP Sandbox, /, 'engine ')}`,
        cell(scenario, variant),
        '',
        '',
        '',
        i === 0 && scenario.summary.systems['crypto-2t']
          ? `2 threads: ${fmtRate(scenario.summary.systems['crypto-2t'].rps)}/s`
          : '',
        variantRatioCell(scenario, variant, 'oauth2-mock-server'),
        variantRatioCell(scenario, variant, 'oidc-provider'),
        rv === undefined ? '' : `${fmtRatio(rv)} (combined)`,
      ]);
    }
  }
  if (results.coldStart) {
    const cs = results.coldStart.medians;
    main.push([
      `headless cold start → ready discovery (median of ${results.coldStart.samples.engine.length}, ms)`,
      `${fmtMs(cs.engine)} ms`,
      `${fmtMs(cs['oauth2-mock-server'])} ms`,
      `${fmtMs(cs['oidc-provider'])} ms`,
      `${fmtMs(cs.http)} ms (bare Fastify)`,
      '',
      fmtRatio(cs['oauth2-mock-server'] / cs.engine),
      fmtRatio(cs['oidc-provider'] / cs.engine),
      fmtRatio(cs.http / cs.engine),
    ]);
  }
  const mainTable = table(main);

  const lines = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push(
    `Written by \`npm run bench\`${config.quick ? ' --quick (short runs: the numbers prove the script works, nothing more)' : ''} on ${(date ?? new Date().toISOString()).slice(0, 10)}; ` +
      `the whole run took ${Math.round(seconds)} s. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. ` +
      `Engine built from commit ${build?.commit ?? '?'}` +
      (build?.dirty ? ` plus ${build.dirty} uncommitted file(s) under main/ and shared/.` : '.') +
      ` Raw results: ${path.relative(ROOT, config.raw ?? '') || '–'}.`,
  );
  lines.push('');
  lines.push('## Results');
  lines.push('');
  lines.push(
    'Cells are the median of the rounds: requests answered 2xx per second · p99 latency. Ratios are the ' +
      "engine's rate divided by the other system's (for cold start: the other's time divided by the engine's), " +
      'computed round by round and then the median taken, so >1 means the engine is ahead.',
  );
  lines.push('');
  lines.push(mainTable);
  lines.push('');
  const notes = [];
  for (const scenario of results.scenarios) {
    for (const [id, why] of Object.entries(scenario.na ?? {}))
      notes.push(`- ${scenario.title}: ${id} n/a — ${why}.`);
    for (const [id, why] of Object.entries(scenario.notes ?? {}))
      notes.push(`- ${scenario.title}: ${id} is ${why}.`);
    if (scenario.summary.ceiling?.label?.includes('from'))
      notes.push(`- ${scenario.title}: ${scenario.summary.ceiling.label}.`);
  }
  if (notes.length) lines.push(...notes, '');

  lines.push('## Targets (issue 6)');
  lines.push('');
  lines.push(table([['target', 'measured', 'verdict'], ...targets(results, byId)]));
  lines.push('');

  const store = byId.introspect?.store;
  if (store) {
    lines.push(`## The store with ${store.total.toLocaleString('en-US')} tokens`);
    lines.push('');
    lines.push(
      table([
        ['measure', 'value'],
        [
          'tokens stored (each with its token.issued event, as the engine writes client_credentials tokens)',
          `${store.total.toLocaleString('en-US')}, of which ${store.expired.toLocaleString('en-US')} expired over a day ago`,
        ],
        ['database size (db + WAL)', fmtMb(store.dbMb)],
        ['engine start on that database (spawn → ready)', `${fmtMs(store.engineStartMs)} ms`],
        ['engine RSS idle after start', fmtMb(store.engineIdle.rssMb)],
        [
          'engine RSS after the introspection rounds (current / peak)',
          `${fmtMb(store.engineAfterLoad.rssMb)} / ${fmtMb(store.engineAfterLoad.peakMb)}`,
        ],
        [
          `oidc-provider RSS with the same number in its (in-memory) adapter, idle / after load`,
          store.peerIdle ? `${fmtMb(store.peerIdle.rssMb)} / ${fmtMb(store.peerAfterLoad?.rssMb)}` : '–',
        ],
        [
          '`tokens.purgeExpired` (admin API; deletes in slices of 2,000 rows, yielding between them)',
          `${store.purged?.toLocaleString('en-US')} purged in ${fmtMs(store.purgeMs)} ms`,
        ],
        ['a discovery request sent 20 ms into the purge waited', `${fmtMs(store.discoveryDuringPurgeMs)} ms`],
        ['database size after the purge (SQLite keeps the pages; no VACUUM)', fmtMb(store.dbMbAfterPurge)],
        ['seeding time (not a measure of the engine; direct inserts)', `${store.seedSeconds?.toFixed(1)} s`],
      ]),
    );
    lines.push('');
  }

  if (results.coldStart) {
    lines.push('## Cold start samples (ms)');
    lines.push('');
    lines.push(
      table([
        ['system', 'samples', 'median'],
        ...Object.entries(results.coldStart.samples).map(([id, samples]) => [
          SYSTEMS[id].label,
          samples.map((v) => Math.round(v)).join(', '),
          fmtMs(results.coldStart.medians[id]),
        ]),
      ]),
    );
    lines.push('');
  }

  lines.push('## Machine and versions');
  lines.push('');
  lines.push(
    table([
      ['', ''],
      ['cores (nproc)', String(m.cores)],
      ['CPU', m.cpu],
      ['memory', `${m.memoryGb.toFixed(0)} GiB`],
      ['kernel', m.kernel],
      ['Node / npm', `${m.node} / ${m.npm}`],
      ['IDP Sandbox', m.engine],
      ...Object.entries(m.packages).map(([name, version]) => [name, version]),
    ]),
  );
  lines.push('');
  lines.push('## Method');
  lines.push('');
  lines.push(
    [
      `- Every system runs in its own process on 127.0.0.1; the load comes from autocannon in the benchmark's`,
      `  process: ${config.connections} keep-alive connections, no pipelining, ${config.warmup} s of warm-up per`,
      `  system, then ${config.rounds} round(s) of ${config.duration} s in which each system takes its turn`,
      '  (the order rotates every round). Cells are medians over rounds; ratios are taken within a round.',
      '- The engine is the built headless CLI (`dist/cli/idp-sandbox.cjs serve --port 0 --in-memory --seed …`),',
      '  on a data folder for the store scenario, with its defaults: signing on the main thread (WebCrypto jobs',
      "  in libuv's pool, which the CLI sizes to one thread per core, at most 4). The",
      '  client_credentials JWT scenarios also run it with `--signing-workers 1` and `2`, and with',
      "  `UV_THREADPOOL_SIZE=4` (libuv's own default). Same user, clients, scopes and algorithm everywhere",
      '  (bench/lib/shared.mjs, bench/lib/engine-seed.mjs, bench/servers/).',
      '- client_credentials: `grant_type=client_credentials&scope=api:read`, client_secret_basic.',
      '  oidc-provider gets JWT access tokens through resource indicators (a default resource whose',
      '  `accessTokenFormat` is `jwt`; `opaque` for the reference-token client).',
      '- Introspection: random stored, active tokens (a fresh sample of 50,000 values spread over the whole',
      "  store). The engine's rows are inserted straight into its SQLite file before it starts, cloned from one",
      '  token it issued (with an event per token, as it writes them; secondary indexes rebuilt after',
      '  the inserts, which packs them ≈2% tighter than a million separate issuances would); 20% of them expired',
      '  over a day ago, for the purge. oidc-provider gets copies of one real stored token in an unbounded Map',
      '  adapter (its bundled adapter is an LRU of 1,000 entries).',
      '- Codes are minted before each round through the real flow (authorize → login page → redirect; then',
      '  with the session cookie, one request per code) and each is redeemed once. Refresh tokens come from',
      '  redeemed codes; each answer puts the rotated token back in the queue, so every token is used once.',
      '- HTTP ceiling: Fastify + @fastify/formbody parsing the same form POST and answering a small JSON body.',
      '  Crypto ceiling: jose `CompactSign` over the same claims as JSON (the call the engine makes) with a',
      '  cached key, with one libuv thread',
      '  (`UV_THREADPOOL_SIZE=1`, 8 signatures in flight so the thread never idles). Combined ceiling:',
      '  1/(1/crypto + 1/http), i.e. signing and HTTP done back to back on one core; two signatures per',
      '  answer for code and refresh.',
      '- Cold start: spawn of the whole process until the discovery document first answers 200.',
      ...(config.engineNodeArgs?.length
        ? [`- The engine's process was started with the Node options \`${config.engineNodeArgs.join(' ')}\`.`]
        : []),
    ].join('\n'),
  );
  lines.push('');
  const analysis = path.join(ROOT, 'bench', 'analysis.md');
  if (!config.quick && fs.existsSync(analysis)) {
    lines.push(fs.readFileSync(analysis, 'utf8').trim());
    lines.push('');
  }
  fs.mkdirSync(path.dirname(config.out), { recursive: true });
  fs.writeFileSync(config.out, lines.join('\n'));
  return `${mainTable}\n\nTargets:\n${table([['target', 'measured', 'verdict'], ...targets(results, byId)])}`;
}
