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
    // A system that sat out the extra rounds (run.mjs: only a disputed bar's systems run them) has fewer.
    const runs = scenario.rounds.map((round) => round[id]).filter(Boolean);
    systems[id] = {
      rps: median(runs.map((r) => r.rps)),
      p99: median(runs.map((r) => r.p99 ?? Number.NaN)),
      non2xx: runs.reduce((sum, r) => sum + (r.non2xx ?? 0), 0),
      errors: runs.reduce((sum, r) => sum + (r.errors ?? 0), 0),
    };
  }
  const ratio = (a, b) => roundRatio(scenario, median, a, b);
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
        rps: median(scenario.rounds.map((round) => combined(round.crypto?.rps, round.http?.rps))),
        ratio: median(
          scenario.rounds.map((round) => round.engine.rps / combined(round.crypto?.rps, round.http?.rps)),
        ),
        variants: Object.fromEntries(
          Object.keys(variants).map((variant) => [
            variant,
            median(
              scenario.rounds.map(
                (round) => round[variant]?.rps / combined(round.crypto?.rps, round.http?.rps),
              ),
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

/** Issue 21's bars: the engine against its required-work floor, and against the peers. */
const FLOOR_BAR = 0.9;
const PEER_BARS = { 'oidc-provider': 1.25, 'oauth2-mock-server': 1 };
/** A second issuer of the same engine against its root issuer: dispatching must cost almost nothing. */
const ROOT_ISSUER_BAR = 0.95;
const COLD_START_BAR = 1.2;
const RSS_BAR_MB = 150;

/** Where a scenario without a floor server of its own takes its bar from. */
const FLOOR_STAND_INS = {
  discovery: {
    what: 'HTTP ceiling',
    why: "serving a fixed document is all the HTTP ceiling's route does: the ceiling is this floor",
  },
  refresh: {
    what: 'combined ceiling',
    why: 'no floor server for this flow: the combined ceiling (signing twice and HTTP, nothing stored) stands in, a stricter bar',
  },
  code: {
    what: 'combined ceiling',
    why: 'no floor server for this flow: the combined ceiling (signing twice and HTTP, nothing stored) stands in, a stricter bar',
  },
};

/** Joins the failed checks of a row into its verdict (all met: "met"). */
function verdictOf(checks) {
  const failed = checks.filter((c) => !c.met);
  if (!checks.length) return '–';
  if (!failed.length) return `**met**${checks.length > 1 ? ' (all)' : ''}`;
  return `**missed** — ${failed.map((c) => c.text).join('; ')}`;
}

/**
 * System `of`'s rate divided by system `id`'s, round by round, then the median. Where one of the two is
 * the engine and the other ran between two of its windows (run.mjs HELD_TO), the engine's rate is the
 * mean of those two windows; raw results from before that (a round with one engine window) have none.
 */
function roundRatio(scenario, median, of, id) {
  return median(roundRatios(scenario.rounds, of, id));
}

/** System `of`'s rate divided by system `id`'s in each round (the engine's beside `id` where it has one). */
export function roundRatios(rounds, of, id) {
  const rate = (round, system, other) =>
    (system === 'engine' && round.engine?.beside?.[other]) || round[system]?.rps;
  return rounds.map((round) => rate(round, of, id) / rate(round, id, of));
}

/**
 * Every bar a scenario is held to, as { of, id, bar, name }: system `of`'s rate over system `id`'s must be
 * at least `bar`. The engine over its floor (over the HTTP ceiling for discovery; over the combined
 * ceiling, id 'ceiling', for refresh and code), over each peer sharing the scenario; a second issuer over
 * the same floor and over its root issuer. The one list both the report's verdicts and run.mjs's extra
 * rounds (for a bar whose rounds fall on both sides of it) are made from.
 */
export function barsOf(scenario) {
  const systems = new Set(scenario.systems);
  const bars = [];
  const floorOf = (of) => {
    if (systems.has('floor')) bars.push({ of, id: 'floor', bar: FLOOR_BAR, name: 'floor' });
    else if (FLOOR_STAND_INS[scenario.id] && scenario.ceiling?.kind === 'http' && systems.has('http'))
      bars.push({ of, id: 'http', bar: FLOOR_BAR, name: 'floor' });
    else if (FLOOR_STAND_INS[scenario.id] && scenario.ceiling?.kind === 'combined')
      bars.push({ of, id: 'ceiling', bar: FLOOR_BAR, name: 'floor' });
  };
  floorOf('engine');
  for (const peer of PEERS) {
    if (systems.has(peer) && !scenario.na?.[peer])
      bars.push({ of: 'engine', id: peer, bar: PEER_BARS[peer], name: peer });
  }
  if (systems.has('engine-second')) {
    floorOf('engine-second');
    bars.push({ of: 'engine-second', id: 'engine', bar: ROOT_ISSUER_BAR, name: 'the root issuer' });
  }
  return bars;
}

/**
 * A bar's ratio: round by round and then the median, except over the combined ceiling, which is one
 * figure for the whole scenario (from the ceilings' medians where they ran in another scenario).
 */
function barRatio(scenario, median, { of, id }) {
  return id === 'ceiling'
    ? (scenario.summary.ceiling?.ratio ?? Number.NaN)
    : roundRatio(scenario, median, of, id);
}

/**
 * The one table of issue 21: every engine scenario with its required-work floor, its targets, the
 * peers where the scenario is shared, and the verdict. Rows: [scenario, measured, floor, ÷ floor,
 * target, peer, ÷ peer, verdict].
 */
function targetRows(results, byId, median) {
  const rows = [];
  const rateCell = (s) => (s ? `${fmtRate(s.rps)}/s · ${fmtMs(s.p99)} ms` : '–');
  for (const scenario of results.scenarios) {
    const { systems } = scenario.summary;
    // A bar without a ratio (refresh run alone: no ceilings to combine) has no verdict to give.
    const bars = barsOf(scenario)
      .map((bar) => ({ ...bar, ratio: barRatio(scenario, median, bar) }))
      .filter((bar) => Number.isFinite(bar.ratio));
    const floorBar = bars.find((bar) => bar.of === 'engine' && bar.name === 'floor');
    const standIn = FLOOR_STAND_INS[scenario.id];
    const floorCell = !floorBar
      ? '–'
      : floorBar.id === 'floor'
        ? `${fmtRate(systems.floor.rps)}/s (${scenario.floor})`
        : `${fmtRate(scenario.summary.ceiling.rps)}/s (${standIn.what})`;
    /** One row per system held to bars: the engine's, then the second issuer's. */
    const row = (of, label) => {
      const held = bars.filter((bar) => bar.of === of);
      const toFloor = held.find((bar) => bar.name === 'floor');
      const others = held.filter((bar) => bar !== toFloor);
      rows.push([
        label,
        rateCell(systems[of]),
        floorCell,
        fmtRatio(toFloor?.ratio),
        held.map((bar) => `≥ ${bar.bar}× ${bar.name}`).join('; '),
        others.length
          ? others.map((bar) => `${bar.name} ${fmtRate(systems[bar.id].rps)}/s`).join('; ')
          : `n/a (${Object.values(scenario.na ?? {})[0] ?? 'none'})`,
        others.length ? others.map((bar) => fmtRatio(bar.ratio)).join('; ') : 'n/a',
        verdictOf(
          held.map((bar) => ({
            met: bar.ratio >= bar.bar,
            text:
              bar.name === 'floor'
                ? `${fmtRatio(bar.ratio)} of the floor, short by ${(bar.bar - bar.ratio).toFixed(2)}`
                : `${fmtRatio(bar.ratio)} of ${bar.name}, under ${bar.bar}×`,
          })),
        ),
      ]);
    };
    row('engine', scenario.title);
    if (systems['engine-second'])
      row('engine-second', '↳ the same at the second issuer (/second/token), same process, same rounds');
  }
  if (results.coldStart) {
    const cs = results.coldStart.medians;
    const coldRow = (label, id) => {
      const r = cs[id] / cs.http;
      const checks = [
        {
          met: r <= COLD_START_BAR,
          text: `${fmtRatio(r)} of a bare Fastify start, over by ${(r - COLD_START_BAR).toFixed(2)}`,
        },
        ...PEERS.filter((peer) => Number.isFinite(cs[peer])).map((peer) => ({
          met: cs[peer] / cs[id] >= PEER_BARS[peer],
          text: `${fmtRatio(cs[peer] / cs[id])} of ${peer}, under ${PEER_BARS[peer]}×`,
        })),
      ];
      return [
        label,
        `${fmtMs(cs[id])} ms`,
        `${fmtMs(cs.http)} ms (bare Fastify start)`,
        `${fmtRatio(r)} (time: lower is better)`,
        `≤ ${COLD_START_BAR}× bare Fastify; ${PEERS.map((p) => `≥ ${PEER_BARS[p]}× ${p}`).join('; ')}`,
        PEERS.map((peer) => `${peer} ${fmtMs(cs[peer])} ms`).join('; '),
        PEERS.map((peer) => fmtRatio(cs[peer] / cs[id])).join('; '),
        verdictOf(checks),
      ];
    };
    const n = results.coldStart.samples.engine.length;
    rows.push(coldRow(`headless cold start → ready discovery (RS256 seed, median of ${n})`, 'engine'));
    if (Number.isFinite(cs['engine-es256']))
      rows.push(coldRow('↳ the same with an ES256 seed (no RSA key generated at start)', 'engine-es256'));
  }
  const store = byId.introspect?.store;
  if (store) {
    const rss = Math.max(store.engineAfterLoad.rssMb, store.engineAfterLoad.peakMb);
    rows.push([
      `engine RSS (peak) with ${store.total.toLocaleString('en-US')} stored tokens, after the introspection rounds`,
      fmtMb(rss),
      '–',
      '–',
      `≤ ${RSS_BAR_MB} MB`,
      store.peerAfterLoad ? `oidc-provider ${fmtMb(store.peerAfterLoad.rssMb)} (in memory)` : '–',
      '–',
      verdictOf([{ met: rss <= RSS_BAR_MB, text: `${fmtMb(rss - RSS_BAR_MB)} over` }]),
    ]);
  }
  return rows;
}

const TARGET_HEAD = ['scenario', 'measured', 'floor', '÷ floor', 'target', 'peer', '÷ peer', 'verdict'];

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
      'floor',
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
      cell(scenario, 'floor'),
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
      '',
      `${fmtMs(cs.http)} ms (bare Fastify)`,
      '',
      fmtRatio(cs['oauth2-mock-server'] / cs.engine),
      fmtRatio(cs['oidc-provider'] / cs.engine),
      fmtRatio(cs.http / cs.engine),
    ]);
  }
  const mainTable = table(main);
  const targetTable = table([TARGET_HEAD, ...targetRows(results, byId, median)]);

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
  lines.push('## Targets (issue 21): the engine against its required-work floors and its peers');
  lines.push('');
  lines.push(
    "Every scenario's floor is a minimal server measured in the same rounds that does only the work the " +
      'product requires for it (bench/experiments/floor-server.mjs: authenticate the client, verify what the ' +
      'grant presents, sign, store the token with its event and answer after the commit). Rates are medians ' +
      'of the rounds; a ratio is taken round by round between neighbouring windows (the engine runs before ' +
      'and after each system it is held to; Method, below), then the median. A cold start is a time: its ratio is ' +
      "the engine's time ÷ a bare Fastify start's, so lower is better there.",
  );
  lines.push('');
  lines.push(targetTable);
  lines.push('');
  for (const [id, { why }] of Object.entries(FLOOR_STAND_INS)) {
    if (byId[id]) lines.push(`- ${byId[id].title}: ${why}.`);
  }
  for (const scenario of results.scenarios) {
    if (scenario.measuredApart) lines.push(`- ${scenario.title}: ${scenario.measuredApart}.`);
  }
  for (const scenario of results.scenarios) {
    if (!scenario.disputed) continue;
    lines.push(
      `- ${scenario.title}: ${scenario.rounds.length} rounds, not ${config.rounds}: after ${config.rounds}, its rounds ` +
        `fell on both sides of a bar (${scenario.disputed.join('; ')}), so it ran ${scenario.rounds.length - config.rounds} more ` +
        (scenario.extraSystems ? `rounds of ${scenario.extraSystems.join(', ')} only ` : '') +
        '(once, whichever side the median was on), and their cells and ratios are the median of all the rounds they ran in.',
    );
  }
  lines.push('');
  lines.push('## Every system measured');
  lines.push('');
  lines.push(
    'Cells are the median of the rounds: requests answered 2xx per second · p99 latency. Ratios are the ' +
      "engine's rate divided by the other system's (for cold start: the other's time divided by the engine's), " +
      'computed round by round (against a system the engine is held to, its two windows beside that ' +
      "system's) and then the median taken, so >1 means the engine is ahead.",
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
    // A scenario measured again on its own and put in this run's results (said so in the raw file).
    if (scenario.measuredApart) notes.push(`- ${scenario.title}: ${scenario.measuredApart}.`);
    if (scenario.summary.ceiling?.label?.includes('from'))
      notes.push(`- ${scenario.title}: ${scenario.summary.ceiling.label}.`);
  }
  if (notes.length) lines.push(...notes, '');

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
      `  system, then ${config.rounds} round(s) of ${config.duration} s windows. In a round the engine runs before and`,
      '  after each system it is held to (its floor, the peers, the HTTP ceiling, the second issuer), then the',
      "  others (the engine's variants, the crypto ceilings) take one window each; the order rotates every round.",
      "  A ratio to a held-to system is over the mean of the two engine windows beside that system's window,",
      "  round by round, then the median: this host's speed drifts by tens of percent within a minute, and",
      "  neighbouring windows share the drift. The engine's cell is the median of all its windows.",
      `- A scenario whose rounds fall on both sides of one of its bars after ${config.rounds} runs ${config.extraRounds ?? 0} more`,
      "  rounds of that bar's systems (and the engine), once, whichever side its median is on (the target notes name",
      '  them); its verdict is the median of all its rounds.',
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
      '- Cold start: spawn of the whole process until the discovery document first answers 200; the engine',
      '  with the RS256 seed (it generates an RSA key at start) and with an ES256 seed, against a bare Fastify',
      '  process (the HTTP ceiling) started in the same rotation.',
      '- Required-work floors (bench/experiments/floor-server.mjs, one process, the same libuv pool size as',
      "  the engine's CLI): the HTTP ceiling's route plus only the work the scenario requires, on a copy of the",
      "  engine's own database (schema and a token row it wrote): Basic client authentication (SHA-256 of the",
      '  secret, constant-time compare), then for reference issuance a 256-bit secret hashed and stored, for',
      "  JWT issuance jose's `CompactSign` in the scenario's algorithm and the row stored; the token and its",
      '  lifecycle event committed once per event-loop turn and the answer sent after the commit.',
      "  Introspection: the row looked up by id among the stored tokens (on the engine's own database), the",
      "  secret's hash compared, the event committed at the end of the turn. Token exchange: the subject JWT's",
      '  signature verified (jose `compactVerify`) and its row looked up by jti before issuing. DPoP: the proof',
      '  verified (jose `jwtVerify` with its embedded key; typ, htm, htu, iat within 60 s, jti remembered for',
      '  replay) and its key thumbprint put in `cnf.jkt`.',
      '- Token exchange (RFC 8693): client `exchanger` exchanges an ES256 access JWT issued to another client',
      '  (client_credentials) for one about the same subject (impersonation), the same subject token every time.',
      '- DPoP (RFC 9449): client_credentials with a new ES256 proof (jose `SignJWT`, one key per run) in the',
      '  `DPoP` header of every request, minted before each run, each used once; the client has',
      '  `dpop_bound_access_tokens`, so every answer is a DPoP-bound ES256 JWT.',
      '- Second issuer: one engine process, a second issuer made with `issuers.create` (name `second`) and',
      "  seeded with the same workspace through `workspace.import?issuer=second`; the root issuer's `/token`",
      '  and `/second/token` take turns in the same rounds as two systems, against the issue-required floor.',
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
  return `${mainTable}\n\nTargets (issue 21):\n${targetTable}`;
}
