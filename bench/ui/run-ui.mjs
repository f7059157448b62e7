// The UI at scale (issue 21): the engine's browser UI in headless Chromium over a data folder of
// 1,000,000 tokens and 5,000,000 events, idle and under 2,000 tokens/s of outside load. Measured, never
// asserted: each target gets its measured value and a verdict in docs/BENCHMARKS.md ("The UI at scale").
// Run through `npm run bench -- --ui` (bench/run.mjs); see there for the options.
//
// Choices: `--ui` runs this instead of the engine's benchmark (each takes minutes and they would only
// compete for the same two cores); the live phase opens one page at a time (the desktop app shows one
// page, and three tabs would triple the renderer's share of the cores); the engine is started twice
// (pages, then live load), each time for well under the 10 minutes after which it purges history.
// Every wait is bounded; a missing hook (data-testid, label) is reported in its row, and the run goes on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/procs.mjs';
import { basicAuth, CLIENTS } from '../lib/shared.mjs';
import { DATABASE_FILE } from '../lib/store-seed.mjs';
import { issueMarker, pacedTokenLoad, tokenLoad } from './load.mjs';
import * as probes from './probes.mjs';
import {
  cpuWindow,
  launchBrowser,
  removeSnapshot,
  signIn,
  snapshotBuild,
  startEngineWithUi,
} from './procs.mjs';
import { writeUiReport } from './report.mjs';
import { MARKER_CLIENT, TIMELINE_CLIENT, writeUiSeed } from './seed.mjs';
import { addRecentTokens, copyStore, schemaKey, seedUiStore, storeCounts } from './store.mjs';

const MARKER = { id: MARKER_CLIENT.client_id, secret: MARKER_CLIENT.client_secret };
const MAX_IN_FLIGHT_NOTE = 'the engine was 400 requests behind';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A number for the log, or – when there is none. */
const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function uiConfig(quick, flags = {}) {
  const number = (name, full, short) => {
    const raw = flags[name] ?? (quick ? short : full);
    const value = Number(raw);
    if (!(value > 0)) throw new Error(`--${name} must be a positive number (got "${raw}").`);
    return value;
  };
  const config = {
    quick,
    tokens: number('ui-tokens', 1_000_000, 50_000),
    events: number('ui-events', 5_000_000, 250_000),
    /** Of the tokens, how many are recent (the timeline's window): made on every run, the rest cached. */
    timelineTokens: number('ui-timeline-tokens', 100_000, 10_000),
    opens: number('ui-opens', 5, 3),
    scrollSeconds: quick ? 2 : 5,
    /** A fast fling, held: some 400 rows a second at the tables' row heights (a page of 200 in half a second). */
    scrollPxPerSecond: 15_000,
    zoomSeconds: quick ? 2 : 5,
    // Quick: 10 s unfiltered, then 10 s with a marked token every 2 s.
    liveSeconds: number('ui-live-seconds', 60, 20),
    liveRate: 2000,
    throughputSeconds: number('ui-throughput-seconds', 8, 3),
    // Five rounds: one run's rounds of the same page spread from 0.70 to 0.95 as the host's speed moved
    // within a round; the median of five is less swayed by two such rounds than the median of three.
    throughputRounds: quick ? 1 : 5,
    idleSeconds: quick ? 5 : 20,
    out: flags.out ?? path.join(ROOT, quick ? 'test-results/BENCHMARKS-ui-quick.md' : 'docs/BENCHMARKS.md'),
    raw: path.join(ROOT, 'test-results', quick ? 'ui-bench-quick.json' : 'ui-bench.json'),
  };
  if (config.timelineTokens >= config.tokens || config.tokens > config.events)
    throw new Error(
      '--ui-timeline-tokens must be fewer than --ui-tokens, and --ui-events at least --ui-tokens (each token has its event).',
    );
  return config;
}

// ---------------------------------------------------------------- the data folder

/**
 * The cached store for this schema and size (made first if missing), copied into the run's folder,
 * plus the recent tokens of the timeline's window (made now: they must be recent).
 */
export async function prepareStore(config, log) {
  const base = path.join(ROOT, 'test-results', 'ui-bench');
  // One folder per run: several people run this benchmark on the same tree at once.
  const work = path.join(base, `work-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const seedFile = writeUiSeed(work);
  // A template: the engine writes its schema and the rows cloned (one token, its request and an introspection).
  const template = path.join(work, 'template');
  const engine = await startEngineWithUi({ seedFile, dataDir: template });
  try {
    const post = (pathName, client, body) =>
      fetch(`${engine.origin}${pathName}`, {
        method: 'POST',
        headers: { authorization: basicAuth(client), 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const issued = await post('/token', CLIENTS.ref, 'grant_type=client_credentials&scope=api%3Aread');
    if (!issued.ok) throw new Error(`the template token was refused: ${await issued.text()}`);
    const token = (await issued.json()).access_token;
    const introspected = await post('/introspect', CLIENTS.ref, `token=${encodeURIComponent(token)}`);
    if (!introspected.ok)
      throw new Error(`the template introspection was refused: ${await introspected.text()}`);
    await introspected.arrayBuffer();
  } finally {
    await engine.stop();
  }
  const cachedTokens = config.tokens - config.timelineTokens;
  const cachedEvents = config.events - config.timelineTokens;
  const key = `${schemaKey(path.join(template, DATABASE_FILE))}-${cachedTokens}t-${cachedEvents}e`;
  const cache = path.join(base, `store-${key}`);
  const done = path.join(cache, 'seeded.json');
  if (fs.existsSync(done)) {
    log(
      `  cached store ${path.relative(ROOT, cache)} (seeded ${JSON.parse(fs.readFileSync(done, 'utf8')).at})`,
    );
  } else {
    log(
      `  seeding ${cachedTokens.toLocaleString('en-US')} tokens and ${cachedEvents.toLocaleString('en-US')} events into SQLite (once per schema; cached in ${path.relative(ROOT, cache)})`,
    );
    const seeded = await seedUiStore(path.join(template, DATABASE_FILE), {
      tokens: cachedTokens,
      events: cachedEvents,
      log,
    });
    // Stores of an older schema are a gigabyte each and no use any more; other sizes of this schema
    // (the quick run's) stay.
    const schema = key.slice(0, key.indexOf('-', key.indexOf('-') + 1));
    for (const old of fs
      .readdirSync(base)
      .filter((name) => name.startsWith('store-') && !name.startsWith(`store-${schema}-`))) {
      fs.rmSync(path.join(base, old), { recursive: true, force: true });
    }
    fs.renameSync(template, cache);
    fs.writeFileSync(done, `${JSON.stringify({ ...seeded, at: new Date().toISOString() })}\n`);
    log(`  seeded in ${seeded.seconds.toFixed(0)} s`);
  }
  const dataDir = path.join(work, 'data');
  const copyStarted = performance.now();
  copyStore(cache, dataDir);
  const recentSeconds = addRecentTokens(dataDir, {
    count: config.timelineTokens,
    clientId: TIMELINE_CLIENT.client_id,
    spreadMs: 10 * 60_000,
    ttlS: 300,
  });
  const counts = storeCounts(dataDir);
  log(
    `  run copy: ${counts.tokens.toLocaleString('en-US')} tokens, ${counts.events.toLocaleString('en-US')} events ` +
      `(copied in ${((performance.now() - copyStarted) / 1000 - recentSeconds).toFixed(1)} s, ${config.timelineTokens.toLocaleString('en-US')} recent tokens added in ${recentSeconds.toFixed(1)} s)`,
  );
  return { seedFile, dataDir, counts, work };
}

// ---------------------------------------------------------------- a signed-in page

/** An engine on the run's folder with a signed-in tab; `goto(route)` reloads the app on a route. */
export async function openSession(store, browser, log) {
  const started = performance.now();
  const engine = await startEngineWithUi({ seedFile: store.seedFile, dataDir: store.dataDir });
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signIn(page, engine, 'users');
  await page.evaluate(probes.installRowFinder);
  log(
    `  engine with the UI ready in ${((performance.now() - started) / 1000).toFixed(1)} s (${engine.issuer})`,
  );
  return {
    engine,
    page,
    errors,
    startedAt: Date.now(),
    async goto(route) {
      await page.goto(`${engine.issuer}/ui/#/${route}`, { timeout: 30_000 });
      await page.getByTestId('issuer').first().waitFor({ timeout: 30_000 });
      await page.evaluate(probes.installRowFinder);
    },
    async close() {
      await page.close();
      await engine.stop();
    },
  };
}

/** Runs `step`; an error becomes `{ error }` on the result (one missing hook must not end the run). */
async function attempt(label, log, step) {
  try {
    return await step();
  } catch (error) {
    const message = error.message.split('\n')[0];
    log(`  ✗ ${label}: ${message}`);
    return { error: message };
  }
}

// ---------------------------------------------------------------- list pages

export const LIST_PAGES = {
  tokens: {
    title: 'Tokens',
    route: 'tokens',
    testId: 'tokens-scroll',
    tableLabel: 'Tokens',
    countId: 'tokens-count',
    filters: [
      { label: 'Kind → Refresh', select: ['Kind', 'Refresh'] },
      { label: 'Kind cleared', clear: 'Kind' },
      { label: 'State → revoked', select: ['State', 'revoked'] },
      { label: 'State cleared', clear: 'State' },
      { label: 'Client → billing-api', select: ['Client', 'billing-api'] },
      { label: 'Client cleared', clear: 'Client' },
      { label: 'Search tokens "orders"', text: ['Search tokens', 'orders'] },
      { label: 'Search cleared', text: ['Search tokens', ''] },
    ],
  },
  activity: {
    title: 'Activity',
    route: 'activity',
    testId: 'events-scroll',
    tableLabel: 'Events',
    countId: 'events-count',
    filters: [
      { label: 'Event type → token.introspected', select: ['Event type', 'token.introspected'] },
      { label: 'Event type cleared', clear: 'Event type' },
      { label: 'Client → billing-api', select: ['Client', 'billing-api'] },
      { label: 'Client cleared', clear: 'Client' },
      { label: 'Search events "inventory"', text: ['Search events', 'inventory'] },
      { label: 'Search cleared', text: ['Search events', ''] },
    ],
  },
};

/** Does what a filter step says through the page's labelled controls (as a user would). */
async function applyFilter(page, pageTitle, step) {
  const missing = (what) => new Error(`the ${pageTitle} page has no ${what}`);
  if (step.select) {
    const [label, option] = step.select;
    const input = page.getByLabel(label, { exact: true }).and(page.locator('input'));
    if (!(await input.count())) throw missing(`filter labelled "${label}"`);
    await input.click();
    const choice = page.getByRole('option', { name: option, exact: true });
    await choice.waitFor({ timeout: 5000 }).catch(() => {
      throw missing(`option "${option}" in its "${label}" filter`);
    });
    await choice.click();
  } else if (step.clear) {
    const button = page.getByRole('button', { name: `Clear ${step.clear.toLowerCase()} filter` });
    if (!(await button.count())) throw missing(`"Clear ${step.clear.toLowerCase()} filter" button`);
    await button.click();
  } else {
    const [label, text] = step.text;
    const input = page.getByLabel(label, { exact: true });
    if (!(await input.count())) throw missing(`free-text field labelled "${label}"`);
    await input.fill(text);
  }
}

/** `tracer` (bench/ui/lists.mjs): started just before the scroll and stopped after it. */
export async function measureListPage(session, spec, config, log, tracer) {
  const { page } = session;
  const result = { title: spec.title };
  log(`\n▶ ${spec.title} page`);
  // Opening: the app is loaded on another page each time (nothing cached), then the route is opened.
  const opens = [];
  for (let i = 0; i < config.opens; i++) {
    await session.goto('users');
    const open = await page.evaluate(probes.openAndTime, { ...spec, timeoutMs: 20_000 });
    if (open.error) {
      const hook = await page.evaluate(
        (id) => Boolean(document.querySelector(`[data-testid="${id}"]`)),
        spec.testId,
      );
      result.open = {
        error: hook
          ? `the ${spec.title} page showed no rows in data-testid=${spec.testId} within 20 s`
          : `the ${spec.title} page has no data-testid=${spec.testId} (and no table rows) after 20 s`,
      };
      log(`  ✗ ${result.open.error}`);
      return result;
    }
    opens.push(open);
    log(
      `  open ${i + 1}: first rows ${open.rowsMs.toFixed(0)} ms${open.countMs === null ? ', no count' : `, count "${open.countText}" at ${open.countMs.toFixed(0)} ms`}${open.fallback ? ` (no data-testid=${spec.testId}: table rows)` : ''}`,
    );
  }
  result.open = {
    samples: opens.map((o) => o.rowsMs),
    median: median(opens.map((o) => o.rowsMs)),
    countMedian: median(opens.map((o) => o.countMs ?? Number.NaN)),
    countText: opens.at(-1).countText,
    fallback: opens.some((o) => o.fallback),
  };
  if (result.open.countMedian === null)
    log(`  ✗ the ${spec.title} page shows no count in data-testid=${spec.countId}`);
  // Filters: each change timed from its input event to the first row changing.
  await sleep(1000);
  result.filters = [];
  for (const step of spec.filters) {
    const measured = await attempt(`${spec.title} filter ${step.label}`, log, async () => {
      const previous = await page.evaluate(probes.firstRowKey, spec);
      await page.evaluate(probes.watchRowChange, { ...spec, previous, timeoutMs: 15_000 });
      await applyFilter(page, spec.title, step);
      const change = await page.evaluate(probes.collectRowChange);
      if (change.error) throw new Error(`${change.error} within 15 s`);
      // Let the rest of the page settle (counts, more pages) before the next change.
      await sleep(700);
      return change;
    });
    result.filters.push({ label: step.label, ...measured });
    if (!measured.error) log(`  filter ${step.label}: ${measured.ms.toFixed(0)} ms`);
  }
  // Scrolling through many pages of rows.
  await sleep(500);
  await tracer?.start();
  const cpu = cpuWindow(session.engine.pid);
  const scroll = await page.evaluate(probes.scrollAndTime, {
    testId: spec.testId,
    ms: config.scrollSeconds * 1000,
    pxPerSecond: config.scrollPxPerSecond,
  });
  result.scroll = { ...scroll, cpu: cpu.stop() };
  await tracer?.stop();
  if (scroll.error) log(`  ✗ scrolling: the ${spec.title} page has ${scroll.error}`);
  else
    log(
      `  scroll ${config.scrollSeconds} s: p50 ${scroll.p50?.toFixed(1)} ms, p95 ${scroll.p95?.toFixed(1)} ms, max ${scroll.max?.toFixed(0)} ms over ${scroll.frames} frames; ${Math.round(scroll.scrolledPx).toLocaleString('en-US')} px to row ${scroll.lastRowIndex} (${scroll.stuckFrames} frames waiting at the end of what was loaded); renderer ${result.scroll.cpu.renderer.toFixed(0)}% CPU`,
    );
  return result;
}

// ---------------------------------------------------------------- timeline

async function measureTimeline(session, config, log) {
  const { page } = session;
  log('\n▶ Timeline');
  const started = performance.now();
  await session.goto('lab/timeline');
  const canvas = page.getByTestId('timeline-canvas');
  const drawn = await canvas
    .waitFor({ timeout: 60_000 })
    .then(() => true)
    .catch(() => false);
  if (!drawn) {
    const error = 'the Timeline page has no data-testid=timeline-canvas after 60 s';
    log(`  ✗ ${error}`);
    return { error };
  }
  const firstDrawMs = performance.now() - started;
  // The recent tokens lie in the last 10 minutes: the "15 min" range shows them all.
  const range = page.getByRole('radio', { name: '15 min', exact: true });
  if (await range.count()) await range.check({ force: true }).catch(() => {});
  await sleep(2000);
  const summary = await page
    .getByTestId('timeline-summary')
    .textContent({ timeout: 2000 })
    .catch(() => null);
  log(
    `  canvas shown ${(firstDrawMs / 1000).toFixed(1)} s after loading the app; summary: ${summary ?? '(none)'}`,
  );
  const before = await page.evaluate(
    (id) => document.querySelector(`[data-testid="${id}"]`)?.toDataURL().length,
    'timeline-canvas',
  );
  const cpu = cpuWindow(session.engine.pid);
  const zoom = await page.evaluate(probes.zoomAndTime, {
    testId: 'timeline-canvas',
    ms: config.zoomSeconds * 1000,
    delta: 40,
  });
  const usage = cpu.stop();
  const after = await page.evaluate(
    (id) => document.querySelector(`[data-testid="${id}"]`)?.toDataURL().length,
    'timeline-canvas',
  );
  if (zoom.error) return { error: zoom.error, summary };
  const fps = (ms) => (ms ? 1000 / ms : null);
  const result = {
    firstDrawMs,
    summary,
    frames: zoom,
    fpsP50: fps(zoom.p50),
    fpsP5: fps(zoom.p95),
    cpu: usage,
    // The canvas changed (a cheap sign the wheel did zoom; equal lengths can still differ in pixels).
    changed: before !== after,
  };
  log(
    `  zoom ${config.zoomSeconds} s: ${result.fpsP50?.toFixed(0)} fps median, ${result.fpsP5?.toFixed(0)} fps at the 5th percentile (p95 frame ${zoom.p95?.toFixed(1)} ms, max ${zoom.max?.toFixed(0)} ms); renderer ${usage.renderer.toFixed(0)}% CPU`,
  );
  return result;
}

// ---------------------------------------------------------------- idle

/** Settling: windows of this length, until SETTLED_WINDOWS in a row are within SETTLED_POINTS of each other. */
const SETTLE_WINDOW_MS = 5000;
const SETTLED_WINDOWS = 3;
/** Two clock ticks of /proc's 100 Hz over a 5 s window. */
const SETTLED_POINTS = 0.4;
const SETTLE_MAX_MS = 90_000;

/**
 * The Tokens page opened after the earlier stages, in the same document. For some 20–30 s the renderer
 * still collects those stages' garbage (V8's memory reducer: full GCs of a 50–85 MB heap, 4–8% of a
 * core, on the main thread and its GC workers; bench/experiments/idle-sources.mjs), which is their cost
 * and not idling. So the window right after opening is kept (`afterUse`), then the renderer's CPU is
 * watched in 5 s windows until it stops changing (three in a row within 0.4 points; at most 90 s), and
 * the idle figure is the window after that.
 */
async function measureIdle(session, config, log) {
  log(`\n▶ Idle: the Tokens page open, nothing happening, ${config.idleSeconds} s once settled`);
  await session.goto('tokens');
  await session.page.evaluate(probes.openAndTime, { ...LIST_PAGES.tokens, timeoutMs: 20_000 });
  await sleep(3000);
  const line = (usage) =>
    `renderer ${usage.renderer.toFixed(2)}% CPU, other Chromium processes ${usage.browserOther.toFixed(2)}%, engine ${usage.engine.toFixed(2)}%`;
  let cpu = cpuWindow(session.engine.pid);
  await sleep(config.idleSeconds * 1000);
  const afterUse = cpu.stop();
  log(`  right after the earlier stages: ${line(afterUse)}`);
  const settling = [];
  const settleStarted = performance.now();
  while (performance.now() - settleStarted < SETTLE_MAX_MS) {
    cpu = cpuWindow(session.engine.pid);
    await sleep(SETTLE_WINDOW_MS);
    settling.push(cpu.stop().renderer);
    const last = settling.slice(-SETTLED_WINDOWS);
    if (last.length === SETTLED_WINDOWS && Math.max(...last) - Math.min(...last) <= SETTLED_POINTS) break;
  }
  const settleSeconds = (performance.now() - settleStarted) / 1000;
  log(
    `  settling: renderer ${settling.map((p) => p.toFixed(1)).join(', ')}% in ${SETTLE_WINDOW_MS / 1000} s windows (${settleSeconds.toFixed(0)} s)`,
  );
  cpu = cpuWindow(session.engine.pid);
  await sleep(config.idleSeconds * 1000);
  const usage = cpu.stop();
  log(`  settled: ${line(usage)}`);
  return { cpu: usage, afterUse, settling, settleSeconds };
}

// ---------------------------------------------------------------- live

const LIVE_PAGES = [
  { ...LIST_PAGES.tokens, title: 'Tokens' },
  { ...LIST_PAGES.activity, title: 'Activity' },
  { title: 'Timeline', route: 'lab/timeline', summaryId: 'timeline-summary', canvas: 'timeline-canvas' },
];

/** Loads the app on the page of `spec` and waits for its rows (or the timeline's canvas), bounded. */
async function showPage(session, spec) {
  await session.goto(spec.route);
  if (spec.canvas) {
    await session.page
      .getByTestId(spec.canvas)
      .waitFor({ timeout: 60_000 })
      .catch(() => {
        throw new Error(`the ${spec.title} page has no data-testid=${spec.canvas} after 60 s`);
      });
    return;
  }
  const shown = await session.page.evaluate(
    ({ testId, tableLabel }) =>
      window.__benchUntil(() => window.__benchRows(testId, tableLabel).rows.length > 0, 20_000),
    spec,
  );
  if (shown.error)
    throw new Error(`the ${spec.title} page showed no rows (data-testid=${spec.testId}) within 20 s`);
}

/**
 * The page open while `rate` tokens/s are issued from outside for `seconds`. First half: the page
 * unfiltered (every token arrives on it), frames and CPU measured. Second half: its Client filter set
 * to the marker client, a marked token issued every 2 s and timed until it shows (at 2,000 tokens/s a
 * given token is on screen unfiltered for a few milliseconds at most, so it could not be timed there).
 */
async function measureLive(session, spec, config, log) {
  const { page, engine } = session;
  log(
    `\n▶ Live: ${spec.title} open, ${config.liveRate.toLocaleString('en-US')} tokens/s for ${config.liveSeconds} s (unfiltered, then filtered to ${MARKER.id})`,
  );
  await showPage(session, spec);
  await sleep(2000);
  const half = (config.liveSeconds * 1000) / 2;
  const load = pacedTokenLoad({
    origin: engine.origin,
    client: CLIENTS.ref,
    seconds: config.liveSeconds,
    rate: config.liveRate,
  });
  const loadStarted = Date.now();
  // First half: every new token on the page.
  await page.evaluate(probes.startLiveRecorder, {});
  const cpu = cpuWindow(engine.pid);
  await sleep(half);
  const usage = cpu.stop();
  const unfiltered = await page.evaluate(probes.stopLiveRecorder);
  // Second half: only the marker client's tokens.
  const filtered = await attempt(`${spec.title} filter to ${MARKER.id}`, log, () =>
    applyFilter(page, spec.title, { select: ['Client', MARKER.id] }),
  );
  const markers = [];
  let recorded = null;
  if (!filtered?.error) {
    await sleep(1500);
    await page.evaluate(probes.startLiveRecorder, {
      testId: spec.testId ?? null,
      tableLabel: spec.tableLabel ?? null,
      marker: MARKER.id,
      summaryId: spec.summaryId ?? null,
    });
    // Every 2 s, whether or not the previous marker was answered yet (the engine may be behind).
    const asked = [];
    const until = loadStarted + config.liveSeconds * 1000 - 2000;
    while (Date.now() < until) {
      asked.push(issueMarker(engine.origin, MARKER).catch((error) => ({ error: error.message })));
      await sleep(2000);
    }
    markers.push(...(await Promise.all(asked)).filter((m) => !m.error));
  }
  const loaded = await load;
  if (!filtered?.error) {
    // The last marker gets a few seconds to show.
    await sleep(3000);
    recorded = await page.evaluate(probes.stopLiveRecorder);
  }
  // From the token endpoint's answer (the token exists from then on) to its row in the page, or for
  // the timeline (bars on a canvas) to the next change of its summary, which counts the tokens drawn.
  const claimed = new Set();
  const latencies = markers.map((marker) => {
    if (spec.summaryId) {
      const change = recorded.summary.find((s) => s.at >= marker.answeredAt && !claimed.has(s.at));
      if (!change) return null;
      claimed.add(change.at);
      return change.at - marker.answeredAt;
    }
    // Tokens rows are keyed by token id; Activity rows by event id: there, the first marker row
    // seen after the answer that no earlier marker took.
    const row =
      recorded.seen.find((s) => s.key === marker.id || s.text.includes(marker.id)) ??
      recorded.seen.find((s) => s.at >= marker.answeredAt - 50 && !claimed.has(s.key));
    if (!row) return null;
    claimed.add(row.key);
    return Math.max(0, row.at - marker.answeredAt);
  });
  const shown = latencies.filter((l) => l !== null);
  const result = {
    title: spec.title,
    load: loaded,
    rateAsked: config.liveRate,
    frames: unfiltered.frames,
    filteredFrames: recorded?.frames ?? null,
    filterError: filtered?.error ?? null,
    markers: markers.length,
    markerAnswerMedian: median(markers.map((m) => m.answeredAt - m.at)),
    shown: shown.length,
    latencyMedian: median(shown),
    latencyMax: shown.length ? Math.max(...shown) : null,
    cpu: usage,
  };
  log(
    `  load ${Math.round(loaded.rps).toLocaleString('en-US')}/s answered (${loaded.failed} failed, ${loaded.notSent} not sent: ${MAX_IN_FLIGHT_NOTE}); unfiltered: frames p95 ${unfiltered.frames.p95?.toFixed(1)} ms, max ${unfiltered.frames.max?.toFixed(0)} ms, renderer ${usage.renderer.toFixed(0)}%, engine ${usage.engine.toFixed(0)}% CPU; ` +
      `filtered: ${shown.length}/${markers.length} marked tokens shown (answered in ${fmt(result.markerAnswerMedian)} ms), median ${fmt(result.latencyMedian)} ms, max ${fmt(result.latencyMax)} ms, frames p95 ${fmt(recorded?.frames.p95, 1)} ms`,
  );
  return result;
}

/**
 * The engine's unlimited rate with each page open, each against the UI closed right before and right
 * after it: closed, page, closed, page, closed, page, closed (the pages' order rotating by round). This
 * machine's speed drifts by tens of percent within minutes (a shared host: the same engine answered
 * 12,000/s and then 7,500/s with no page open, minutes apart), so a page compared with a baseline a
 * minute away measured the drift as much as the page. A page's ratio is its rate over the mean of its
 * two neighbours, and its row the median of its rounds.
 */
async function measureThroughput(session, config, log) {
  const { page, engine } = session;
  log(
    `\n▶ Throughput: ${config.throughputRounds} round(s) of ${config.throughputSeconds} s windows, each page open between two with the UI closed`,
  );
  const measure = async (r, variant) => {
    if (variant === 'closed') await page.goto('about:blank');
    else {
      const shown = await attempt(`throughput with ${variant} open`, log, () =>
        showPage(
          session,
          LIVE_PAGES.find((p) => p.title === variant),
        ),
      );
      if (shown?.error) return null;
    }
    await sleep(1500);
    const cpu = cpuWindow(engine.pid);
    const result = await tokenLoad({
      origin: engine.origin,
      client: CLIENTS.ref,
      seconds: config.throughputSeconds,
      connections: 50,
    });
    const measured = { ...result, cpu: cpu.stop() };
    log(
      `  round ${r + 1} ${variant.padEnd(8)} ${Math.round(result.rps).toLocaleString('en-US').padStart(7)}/s (${result.non2xx} non-2xx, ${result.errors} errors); renderer ${measured.cpu.renderer.toFixed(0)}%, engine ${measured.cpu.engine.toFixed(0)}% CPU`,
    );
    return measured;
  };
  const rounds = [];
  for (let r = 0; r < config.throughputRounds; r++) {
    const round = { closed: [], pages: {} };
    let before = await measure(r, 'closed');
    round.closed.push(before);
    for (let k = 0; k < LIVE_PAGES.length; k++) {
      const title = LIVE_PAGES[(k + r) % LIVE_PAGES.length].title;
      const open = await measure(r, title);
      const after = await measure(r, 'closed');
      round.closed.push(after);
      if (open) round.pages[title] = { ...open, baseline: (before.rps + after.rps) / 2 };
      before = after;
    }
    rounds.push(round);
  }
  const ratios = Object.fromEntries(
    LIVE_PAGES.map((p) => p.title)
      .filter((title) => rounds.every((round) => round.pages[title]))
      .map((title) => [
        title,
        median(rounds.map((round) => round.pages[title].rps / round.pages[title].baseline)),
      ]),
  );
  return { rounds, ratios };
}

// ---------------------------------------------------------------- main

export async function runUiBench(config, log) {
  const began = performance.now();
  const builtAt = await snapshotBuild();
  log(
    `IDP Sandbox UI benchmark${config.quick ? ' (quick)' : ''}: ${config.tokens.toLocaleString('en-US')} tokens, ${config.events.toLocaleString('en-US')} events; UI built ${builtAt.toISOString()}`,
  );
  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const store = await prepareStore(config, log);
  const browser = await launchBrowser();
  const results = { counts: store.counts };
  try {
    // The purge the engine schedules every 10 minutes would thin the store out mid-run: each
    // session (engine start) stays well under that.
    let session = await openSession(store, browser, log);
    try {
      results.tokens = await measureListPage(session, LIST_PAGES.tokens, config, log);
      results.activity = await measureListPage(session, LIST_PAGES.activity, config, log);
      results.timeline = await attempt('timeline', log, () => measureTimeline(session, config, log));
      results.idle = await attempt('idle', log, () => measureIdle(session, config, log));
    } finally {
      results.pageErrors = [...session.errors];
      await session.close();
    }
    session = await openSession(store, browser, log);
    try {
      results.live = [];
      for (const spec of LIVE_PAGES) {
        results.live.push({
          title: spec.title,
          ...(await attempt(`live ${spec.title}`, log, () => measureLive(session, spec, config, log))),
        });
      }
      results.throughput = await attempt('throughput', log, () => measureThroughput(session, config, log));
    } finally {
      results.pageErrors.push(...session.errors);
      await session.close();
    }
  } finally {
    await browser.browser.close();
    removeSnapshot();
  }
  if (results.pageErrors.length)
    log(`\n  errors in the page: ${[...new Set(results.pageErrors)].slice(0, 5).join('; ')}`);
  const seconds = (performance.now() - began) / 1000;
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const meta = {
    config,
    cores: os.availableParallelism(),
    seconds,
    loadBefore,
    loadAfter,
    builtAt: builtAt.toISOString(),
    date: new Date().toISOString(),
  };
  fs.mkdirSync(path.dirname(config.raw), { recursive: true });
  fs.writeFileSync(config.raw, `${JSON.stringify({ results, meta }, null, 2)}\n`);
  const table = writeUiReport(results, meta);
  // The run's copy of the store is a gigabyte: the cached one stays.
  fs.rmSync(path.join(store.work), { recursive: true, force: true });
  log(
    `\n${table}\nWritten to ${path.relative(ROOT, config.out)} (raw: ${path.relative(ROOT, config.raw)}) in ${seconds.toFixed(0)} s.`,
  );
}
