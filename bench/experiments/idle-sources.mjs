#!/usr/bin/env node
// Where an idle UI's CPU goes: the Tokens page open over the UI bench's cached store, nothing
// happening, with Chromium's CPU read per process and per thread from /proc (a thread's name says
// what it is: CrRendererMain, Compositor, ThreadPoolForeg…, VizCompositorTh…), and one window traced
// (toplevel tasks per thread, with where each was posted from; frames; V8 GC). Windows, in order:
//   fresh      a new page signed in straight to Tokens, after `--settle` s
//   later      the same page, straight after (does it keep falling?)
//   traced     the same page under a Chromium trace (its own cost included), summarised by thread/task
//   no-live    a new page whose live connection is refused (SSE blocked), on Tokens
//   heavy      a new page that showed the Timeline first (as the bench's idle stage follows it), then
//              Tokens by a hash change (same document), after `--settle` s, then two more windows
//   used       a new page scrolled through Tokens and Activity, then the Timeline, then Tokens: six
//              windows of 10 s with the V8 heap, then two after a forced GC
//   steady     a new page on Tokens 40 s on, traced
//   blank      about:blank in a new page: headless Chromium's own floor
// What it showed (2026-12-05, 2 shared cores, load 5–15, so ±0.3 points):
// - The bench's 4.7% was the earlier stages' garbage: right after the lists and the Timeline, the page's
//   renderer runs V8's memory reducer (full GCs: CrRendererMain plus ThreadPoolForegroundWorker
//   concurrent marking, IncrementalMarkingJob / ConcurrentMarking tasks in the trace) at 3.7–7.8% in
//   10 s windows for 15–25 s, then 0.1–0.6%. The bench's window began 3 s after opening Tokens and sat on
//   that burst; bench/ui/run-ui.mjs measureIdle now settles first and reports both.
// - After use (1M store) the heap stayed at 54 MB, forced GC or not, because the timeline's label cache
//   (draw.ts, module level) kept the last layout's rows, i.e. 100,000 tokens, alive: 11 MB once its key
//   holds them weakly, so each later full GC marks a fifth of it.
// - Settled, the Tokens page costs what about:blank costs (0.0–0.5%): no timers but the ticker's, which
//   wakes when a text in view changes (every row's "N min ago" moves once a minute; 1M-store rows share
//   their minute, so ~34 changes land in one wake), no animation frames, and main frames only for those
//   wakes (5 in 20 s on the 40,000-token store). The live stream (SSE, keep-alive every 15 s) costs
//   nothing measurable (blocking it did not lower the figure).
// - The other renderer processes (Chromium's spare, the first navigation's) cost 0–0.4% in a window
//   and are counted with the page's in the bench's "renderer" figure.
// A script, not a test:
//   node bench/experiments/idle-sources.mjs [--seconds 20] [--settle 3] [--store <cached store dir>]
//     [--recent <tokens issued over the last 10 min, as the bench adds>] [--only fresh,used,…]
//     [--snapshot: after `used`, what the heap holds by constructor] [--dist <a copy of dist/>]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../lib/procs.mjs';
import {
  cmdline,
  descendants,
  launchBrowser,
  removeSnapshot,
  signIn,
  snapshotBuild,
  startEngineWithUi,
} from '../ui/procs.mjs';
import { TIMELINE_CLIENT, writeUiSeed } from '../ui/seed.mjs';
import { addRecentTokens, copyStore } from '../ui/store.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    settle: { type: 'string', default: '3' },
    store: { type: 'string' },
    only: { type: 'string' },
    recent: { type: 'string', default: '0' },
    snapshot: { type: 'boolean', default: false },
    dist: { type: 'string', default: path.join(ROOT, 'dist') },
  },
});
const seconds = Number(values.seconds);
const settle = Number(values.settle);
const only = values.only ? values.only.split(',') : null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLOCK_TICKS = 100;

// ---------------------------------------------------------------- /proc, per thread

function stat(file) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { name: text.slice(open + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Chromium's processes under this one: pid → role (browser, renderer, gpu-process, utility:…, zygote). */
function chromium() {
  const found = new Map();
  for (const pid of descendants(process.pid)) {
    const args = cmdline(pid);
    if (!/chrom/i.test(args)) continue;
    const type = /--type=(\S+)/.exec(args)?.[1] ?? 'browser';
    const sub = /--utility-sub-type=(\S+)/.exec(args)?.[1];
    found.set(pid, sub ? `${type}:${sub.split('.').at(-1)}` : type);
  }
  return found;
}

/** Every thread's ticks of every Chromium process: `${pid}/${tid}` → { role, pid, thread, ticks }. */
function snapshot() {
  const out = new Map();
  for (const [pid, role] of chromium()) {
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const s = stat(`/proc/${pid}/task/${tid}/stat`);
      if (s) out.set(`${pid}/${tid}`, { role, pid, thread: s.name, ticks: s.ticks });
    }
  }
  return out;
}

/** Measures `ms`; returns the CPU (% of one core) by process and by thread, biggest first. */
async function window(label, ms) {
  const before = snapshot();
  const started = performance.now();
  await sleep(ms);
  const after = snapshot();
  const elapsed = (performance.now() - started) / 1000;
  const pct = (ticks) => (ticks / CLOCK_TICKS / elapsed) * 100;
  const byProcess = new Map();
  const byThread = new Map();
  for (const [key, now] of after) {
    const delta = now.ticks - (before.get(key)?.ticks ?? 0);
    const proc = `${now.role} ${now.pid}`;
    byProcess.set(proc, (byProcess.get(proc) ?? 0) + delta);
    // Thread names carry numbers (ThreadPoolForeg, "Chrome_ChildIOT"): grouped by name within a process.
    const thread = `${proc} ${now.thread.replace(/\d+$/, '#')}`;
    byThread.set(thread, (byThread.get(thread) ?? 0) + delta);
  }
  const renderer = [...byProcess].filter(([k]) => k.startsWith('renderer ')).reduce((a, [, t]) => a + t, 0);
  const renderers = [...byProcess.keys()].filter((k) => k.startsWith('renderer ')).length;
  console.log(
    `\n[${label}] ${elapsed.toFixed(1)} s: renderers ${pct(renderer).toFixed(2)}% CPU (${renderers} renderer process(es))`,
  );
  for (const [k, t] of [...byProcess].sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(34)} ${pct(t).toFixed(2).padStart(6)}%`);
  console.log('  threads (nonzero):');
  for (const [k, t] of [...byThread].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]))
    console.log(`    ${k.padEnd(52)} ${pct(t).toFixed(2).padStart(6)}%`);
  return { label, renderer: pct(renderer), renderers };
}

/** `count` windows of `ms` one after another, each with the page's V8 heap (CDP Performance metrics). */
async function series(label, page, count, ms) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { used: m.JSHeapUsedSize / 1e6, total: m.JSHeapTotalSize / 1e6, task: m.TaskDuration };
  };
  const out = [];
  for (let i = 0; i < count; i++) {
    const before = await heap();
    await page.evaluate(() => window.__idleWatch.start());
    const r = await window(`${label} #${i + 1}`, ms);
    const after = await heap();
    await reportWakeUps(page);
    console.log(
      `  V8 heap used ${before.used.toFixed(1)} → ${after.used.toFixed(1)} MB (total ${after.total.toFixed(1)} MB); main-thread tasks ${((after.task - before.task) * 1000).toFixed(0)} ms`,
    );
    out.push(r);
  }
  await cdp.detach();
  return out;
}

// ---------------------------------------------------------------- the page's own wake-ups

/**
 * Installed before the app loads: counts each timer and animation-frame callback that runs, by where
 * it was set (the first app frame of the stack that set it), and each DOM change, by what changed. Only
 * once `__idleWatch.start()` is called, so the load itself is left out.
 */
function watchWakeUps() {
  const counts = new Map();
  const mutations = new Map();
  let on = false;
  const where = () => {
    const lines = (new Error().stack ?? '').split('\n').slice(3);
    return (lines.find((l) => !/node_modules|chunk-|<anonymous>/.test(l)) ?? lines[0] ?? '?')
      .trim()
      .replace(/https?:\/\/[^/]+/, '');
  };
  const wrap = (name) => {
    const original = window[name];
    window[name] = (callback, ...rest) => {
      const at = `${name} ${name === 'requestAnimationFrame' ? '' : `${rest[0] ?? 0} ms `}from ${where()}`;
      const wrapped =
        typeof callback === 'function'
          ? function (...args) {
              if (on) counts.set(at, (counts.get(at) ?? 0) + 1);
              return callback.apply(this, args);
            }
          : callback;
      return original.call(window, wrapped, ...rest);
    };
  };
  for (const name of ['setTimeout', 'setInterval', 'requestAnimationFrame']) wrap(name);
  const observer = new MutationObserver((records) => {
    if (!on) return;
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const owner = el?.closest?.('[data-testid]')?.getAttribute('data-testid') ?? el?.tagName ?? '?';
      const what =
        r.type === 'characterData'
          ? `text "${String(r.target.data).slice(0, 40)}"`
          : r.type === 'attributes'
            ? `attribute ${r.attributeName}`
            : `children +${r.addedNodes.length}/-${r.removedNodes.length}`;
      const key = `${owner}: ${r.type === 'characterData' ? 'text' : what}`;
      const m = mutations.get(key) ?? { n: 0, last: '' };
      m.n += 1;
      m.last = what;
      mutations.set(key, m);
    }
  });
  const observe = () =>
    observer.observe(document.documentElement, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  if (document.documentElement) observe();
  else document.addEventListener('DOMContentLoaded', observe);
  window.__idleWatch = {
    start() {
      counts.clear();
      mutations.clear();
      on = true;
    },
    stop() {
      on = false;
      return {
        callbacks: [...counts].sort((a, b) => b[1] - a[1]),
        mutations: [...mutations].sort((a, b) => b[1].n - a[1].n).map(([k, m]) => [k, m.n, m.last]),
      };
    },
  };
}

async function reportWakeUps(page) {
  const { callbacks, mutations } = await page.evaluate(() => window.__idleWatch.stop());
  console.log('  page callbacks run (timers, animation frames), by where they were set:');
  for (const [at, n] of callbacks.slice(0, 15)) console.log(`    ${String(n).padStart(5)}× ${at}`);
  if (!callbacks.length) console.log('    none');
  console.log('  DOM changes:');
  for (const [k, n, last] of mutations.slice(0, 15))
    console.log(`    ${String(n).padStart(5)}× ${k} (last: ${last})`);
  if (!mutations.length) console.log('    none');
}

/**
 * What the page's V8 heap holds, by constructor, from a heap snapshot (--snapshot): what the renderer
 * still keeps after use, which each full GC marks again.
 */
async function heapBySize(page) {
  const cdp = await page.context().newCDPSession(page);
  const chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  const {
    snapshot: { meta },
    nodes,
    strings,
  } = JSON.parse(chunks.join(''));
  const fields = meta.node_fields;
  const width = fields.length;
  const types = meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const bySize = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? strings[nodes[i + nameAt]] : `(${type})`;
    const entry = bySize.get(name) ?? { n: 0, bytes: 0 };
    entry.n += 1;
    entry.bytes += nodes[i + sizeAt];
    total += nodes[i + sizeAt];
    bySize.set(name, entry);
  }
  console.log(`  heap snapshot: ${(total / 1e6).toFixed(1)} MB in all; by constructor (self size, top 20):`);
  for (const [name, e] of [...bySize].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20))
    console.log(
      `    ${(e.bytes / 1e6).toFixed(2).padStart(7)} MB ${String(e.n).padStart(8)}×  ${name.slice(0, 80)}`,
    );
}

// ---------------------------------------------------------------- a trace, summarised

const TRACE_CATEGORIES = [
  'toplevel',
  'cc',
  'viz',
  'benchmark',
  'devtools.timeline',
  'v8',
  'disabled-by-default-v8.gc',
  'blink',
  'loading',
  'netlog',
];

function summariseTrace(buffer) {
  const { traceEvents } = JSON.parse(buffer.toString('utf8'));
  const names = new Map();
  for (const e of traceEvents)
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}/${e.tid}`, e.args.name);
  const processNames = new Map();
  for (const e of traceEvents)
    if (e.ph === 'M' && e.name === 'process_name') processNames.set(e.pid, e.args.name);
  const threadOf = (e) => `${processNames.get(e.pid) ?? e.pid} ${names.get(`${e.pid}/${e.tid}`) ?? e.tid}`;
  // Toplevel tasks: what each thread ran, by where it was posted from.
  const tasks = new Map();
  const counts = new Map();
  for (const e of traceEvents) {
    if (e.ph === 'X' && /RunTask|ThreadControllerImpl|ThreadPool_RunTask/.test(e.name)) {
      const from = e.args?.src_func
        ? `${e.args.src_file ?? ''}:${e.args.src_func}`
        : (e.args?.task?.posted_from?.function_name ??
          e.args?.src ??
          JSON.stringify(e.args ?? {}).slice(0, 80));
      const key = `${threadOf(e)} | ${e.name} | ${from}`;
      const t = tasks.get(key) ?? { n: 0, us: 0 };
      t.n += 1;
      t.us += e.dur ?? 0;
      tasks.set(key, t);
    }
    if (e.ph === 'X' || e.ph === 'B' || e.ph === 'I' || e.ph === 'i' || e.ph === 'b' || e.ph === 'n') {
      const key = `${threadOf(e)} | ${e.name}`;
      const c = counts.get(key) ?? { n: 0, us: 0 };
      c.n += 1;
      c.us += e.dur ?? 0;
      counts.set(key, c);
    }
  }
  console.log('  toplevel tasks by thread and origin (top 25 by time):');
  for (const [k, t] of [...tasks].sort((a, b) => b[1].us - a[1].us).slice(0, 25))
    console.log(`    ${(t.us / 1000).toFixed(1).padStart(8)} ms ${String(t.n).padStart(6)}×  ${k}`);
  console.log("  the renderer's main and compositor threads' tasks by origin (top 20 by count):");
  for (const [k, t] of [...tasks]
    .filter(([k]) => /^Renderer (CrRendererMain|Compositor)/.test(k))
    .sort((a, b) => b[1].n - a[1].n)
    .slice(0, 20))
    console.log(`    ${String(t.n).padStart(6)}× ${(t.us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  console.log('  events by thread and name (top 40 by count):');
  for (const [k, c] of [...counts].sort((a, b) => b[1].n - a[1].n).slice(0, 40))
    console.log(`    ${String(c.n).padStart(6)}× ${(c.us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
}

// ---------------------------------------------------------------- the run

const base = path.join(ROOT, 'test-results', 'ui-bench');
const cached =
  values.store ??
  fs
    .readdirSync(base)
    .filter((name) => name.startsWith('store-'))
    .map((name) => path.join(base, name))
    .sort((a, b) => fs.statSync(a).size - fs.statSync(b).size)[0];
if (!cached)
  throw new Error('no cached UI store under test-results/ui-bench: run `npm run bench -- --ui --quick` once');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idle-sources-'));
const seedFile = writeUiSeed(work);
const dataDir = path.join(work, 'data');
copyStore(cached, dataDir);
// The bench's recent tokens (the Timeline's window, and the Tokens page's first rows): 10 minutes' worth.
if (Number(values.recent) > 0)
  addRecentTokens(dataDir, {
    count: Number(values.recent),
    clientId: TIMELINE_CLIENT.client_id,
    spreadMs: 10 * 60_000,
    ttlS: 300,
  });
console.log(`store: ${path.relative(ROOT, cached)}; windows of ${seconds} s after ${settle} s`);
// A copy of the build for this run (a rebuild meanwhile cannot change what is measured).
await snapshotBuild(values.dist);
const engine = await startEngineWithUi({ seedFile, dataDir });
const { browser, context } = await launchBrowser();
await context.addInitScript(watchWakeUps);
const want = (name) => !only || only.includes(name);
const results = [];
const showTokens = async (page) => {
  await page.getByTestId('tokens-scroll').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="tokens-scroll"] [role="row"]').first().waitFor({ timeout: 60_000 });
};
try {
  if (want('fresh') || want('traced')) {
    const page = await context.newPage();
    await signIn(page, engine, 'tokens');
    await showTokens(page);
    await sleep(settle * 1000);
    results.push(await window('fresh: Tokens', seconds * 1000));
    results.push(await window('later: Tokens, the next window', seconds * 1000));
    if (want('traced')) {
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      results.push(await window('traced: Tokens under a trace', Math.min(seconds, 10) * 1000));
      summariseTrace(await browser.stopTracing());
    }
    await page.close();
  }
  if (want('no-live')) {
    const page = await context.newPage();
    // 503, not 401 (which would sign the tab out): the transport retries, backing off to its maximum.
    await page.route('**/admin/api/events.stream', (route) => route.fulfill({ status: 503, body: '' }));
    await signIn(page, engine, 'tokens');
    await showTokens(page);
    await sleep(settle * 1000);
    results.push(await window('no-live: Tokens, live connection refused', seconds * 1000));
    await page.close();
  }
  if (want('heavy')) {
    const page = await context.newPage();
    await signIn(page, engine, 'lab/timeline');
    await page.getByTestId('timeline-canvas').waitFor({ timeout: 60_000 });
    await sleep(5000);
    await page.goto(`${engine.issuer}/ui/#/tokens`);
    await showTokens(page);
    await sleep(settle * 1000);
    results.push(await window('heavy: Tokens after the Timeline', seconds * 1000));
    results.push(await window('heavy: the next window', seconds * 1000));
    results.push(await window('heavy: the one after', seconds * 1000));
    await page.close();
  }
  if (want('used')) {
    // As the bench's idle stage finds the renderer: lists scrolled through, the Timeline shown, then
    // Tokens again in the same document.
    const page = await context.newPage();
    await signIn(page, engine, 'tokens');
    await showTokens(page);
    const scrollFor = (testId, ms) =>
      page.evaluate(
        ({ testId, ms }) =>
          new Promise((resolve) => {
            const box = document.querySelector(`[data-testid="${testId}"]`);
            const start = performance.now();
            const frame = (t) => {
              box.scrollTop += 300;
              if (t - start < ms) requestAnimationFrame(frame);
              else resolve();
            };
            requestAnimationFrame(frame);
          }),
        { testId, ms },
      );
    await scrollFor('tokens-scroll', 8000);
    await page.goto(`${engine.issuer}/ui/#/activity`);
    await page.getByTestId('events-scroll').waitFor({ timeout: 60_000 });
    await sleep(1000);
    await scrollFor('events-scroll', 8000);
    await page.goto(`${engine.issuer}/ui/#/lab/timeline`);
    await page.getByTestId('timeline-canvas').waitFor({ timeout: 60_000 });
    await sleep(5000);
    await page.goto(`${engine.issuer}/ui/#/tokens`);
    await showTokens(page);
    await sleep(settle * 1000);
    results.push(...(await series('used: Tokens after scrolling and the Timeline', page, 6, 10_000)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
    await sleep(2000);
    results.push(...(await series('used, after a forced GC', page, 2, 10_000)));
    if (values.snapshot) await heapBySize(page);
    await page.close();
  }
  if (want('steady')) {
    const page = await context.newPage();
    await signIn(page, engine, 'tokens');
    await showTokens(page);
    await sleep(40_000);
    await page.evaluate(() => window.__idleWatch.start());
    results.push(await window('steady: Tokens 40 s on', seconds * 1000));
    await reportWakeUps(page);
    await page.evaluate(() => window.__idleWatch.start());
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    results.push(await window('steady: the next window, traced', seconds * 1000));
    summariseTrace(await browser.stopTracing());
    await reportWakeUps(page);
    await page.close();
  }
  if (want('blank')) {
    const page = await context.newPage();
    await page.goto('about:blank');
    await sleep(settle * 1000);
    results.push(await window('blank: about:blank', seconds * 1000));
    await page.close();
  }
  console.log('\nsummary (renderer processes, % of one core):');
  for (const r of results) console.log(`  ${r.renderer.toFixed(2).padStart(6)}%  ${r.label}`);
  console.log(`load average now: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
} finally {
  await browser.close();
  await engine.stop();
  removeSnapshot();
  fs.rmSync(work, { recursive: true, force: true });
}
