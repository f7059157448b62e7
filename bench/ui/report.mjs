// "The UI at scale" section of docs/BENCHMARKS.md: written between two markers, so the engine's report
// (which rewrites the file) and this one each keep the other's part (bench/run.mjs carries this section
// over when it writes the engine's).
import fs from 'node:fs';
import path from 'node:path';

export const UI_SECTION_START = '<!-- ui-bench:start (written by npm run bench -- --ui) -->';
export const UI_SECTION_END = '<!-- ui-bench:end -->';
/** Where the section goes in a file that has none yet: before this heading, else at the end. */
const ANCHOR = '## Machine and versions';

const ms = (value) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : `${Math.round(value).toLocaleString('en-US')} ms`;
const pct = (value) =>
  value === null || value === undefined ? '–' : `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
const cpuCell = (cpu) => (cpu ? `${pct(cpu.renderer)} / ${pct(cpu.engine)}` : '–');

function verdict(value, target, { below = true, unit = 'ms', digits = 0 } = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return '**not measured**';
  const met = below ? value < target : value >= target;
  if (met) return '**met**';
  const by = Math.abs(value - target);
  return `**missed** — ${by.toFixed(digits)}${unit === '×' ? '×' : ` ${unit}`} ${below ? 'over' : 'under'}`;
}

/** The table rows for a list page (Tokens or Activity). */
function listRows(page, name, hooks) {
  if (!page) return [];
  const rows = [];
  const open = page.open ?? {};
  if (open.error) {
    rows.push([
      `${name}: first rows after opening`,
      '< 300 ms',
      `not measured: ${open.error}`,
      '**not measured**',
      '–',
    ]);
    return rows;
  }
  const fallback = open.fallback ? ` (no data-testid=${hooks.scroll} yet: the table's rows)` : '';
  rows.push([
    `${name}: first rows after opening (median of ${open.samples.length}; ${open.samples.map((s) => Math.round(s)).join(', ')} ms)${fallback}`,
    '< 300 ms',
    ms(open.median),
    verdict(open.median, 300),
    '–',
  ]);
  rows.push([
    `${name}: count shown after opening (data-testid=${hooks.count})`,
    'shown, exact or marked ≈',
    open.countText ? `"${open.countText}" at ${ms(open.countMedian)}` : 'none shown',
    open.countText ? '**met**' : '**missed** — no count',
    '–',
  ]);
  const filters = page.filters ?? [];
  const timed = filters.filter((f) => !f.error);
  const failed = filters.filter((f) => f.error);
  const slowest = timed.reduce((a, b) => (a && a.ms >= b.ms ? a : b), null);
  rows.push([
    `${name}: a filter change to new rows (${timed.map((f) => `${f.label} ${Math.round(f.ms)}`).join('; ')}${failed.length ? `; not measured: ${failed.map((f) => `${f.label} (${f.error})`).join('; ')}` : ''})`,
    '< 150 ms',
    timed.length ? `median ${ms(medianOf(timed.map((f) => f.ms)))}, slowest ${ms(slowest.ms)}` : '–',
    filterVerdict(timed, failed, slowest),
    '–',
  ]);
  const s = page.scroll ?? {};
  rows.push([
    s.error
      ? `${name}: scrolling (not measured: ${s.error})`
      : `${name}: scrolling through the rows (${s.frames} frames, ${Math.round(s.scrolledPx).toLocaleString('en-US')} px to row ${s.lastRowIndex}, ${s.stuckFrames} frames waiting for rows; max frame ${ms(s.max)})`,
    'p95 frame < 20 ms',
    s.error ? '–' : `p95 ${s.p95.toFixed(1)} ms`,
    s.error ? '**not measured**' : verdict(s.p95, 20, { digits: 1 }),
    cpuCell(s.cpu),
  ]);
  return rows;
}

/** Slowest against 150 ms; a change whose rows never came (the page was there) is a miss outright. */
function filterVerdict(timed, failed, slowest) {
  const neverShown = failed.filter((f) => /did not change/.test(f.error));
  if (neverShown.length)
    return `**missed** — no new rows within 15 s after ${neverShown.map((f) => f.label).join(', ')}`;
  return timed.length ? verdict(slowest.ms, 150) : '**not measured**';
}

function medianOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function uiTable(results) {
  const rows = [
    ...listRows(results.tokens, 'Tokens', { scroll: 'tokens-scroll', count: 'tokens-count' }),
    ...listRows(results.activity, 'Activity', { scroll: 'events-scroll', count: 'events-count' }),
  ];
  const t = results.timeline;
  if (t) {
    rows.push(
      t.error
        ? [
            'Timeline: zooming with the wheel',
            '≥ 30 fps',
            `not measured: ${t.error}`,
            '**not measured**',
            '–',
          ]
        : [
            `Timeline: zooming with the wheel over the canvas (${t.summary ?? 'no summary'}; canvas shown ${ms(t.firstDrawMs)} after loading the app)`,
            '≥ 30 fps (5th percentile)',
            `${t.fpsP50.toFixed(1)} fps median, ${t.fpsP5.toFixed(1)} fps 5th percentile (p95 frame ${t.frames.p95.toFixed(1)} ms)`,
            verdict(t.fpsP5, 30, { below: false, unit: 'fps', digits: 1 }),
            cpuCell(t.cpu),
          ],
    );
  }
  for (const live of results.live ?? []) {
    if (live.error) {
      rows.push([
        `Live, ${live.title} open`,
        'p95 frame < 50 ms; new tokens within 1 s',
        `not measured: ${live.error}`,
        '**not measured**',
        '–',
      ]);
      continue;
    }
    rows.push([
      `Live, ${live.title} open, unfiltered: ${Math.round(live.load.rps).toLocaleString('en-US')} tokens/s answered over ${Math.round(live.load.seconds)} s of ${live.rateAsked?.toLocaleString('en-US') ?? '2,000'}/s asked${live.load.notSent ? ` (${live.load.notSent.toLocaleString('en-US')} requests not sent while the engine was 400 behind)` : ''}; frames over the first half`,
      'p95 frame < 50 ms',
      `p95 ${live.frames.p95?.toFixed(1)} ms (max ${ms(live.frames.max)})`,
      verdict(live.frames.p95, 50, { digits: 1 }),
      cpuCell(live.cpu),
    ]);
    const where =
      live.title === 'Timeline'
        ? "until the timeline's summary next changes (it counts the bars drawn)"
        : 'until its row is in the table';
    rows.push(
      live.filterError
        ? [
            `Live, ${live.title} open: a marked token until it shows`,
            '≤ 1 s',
            `not measured: ${live.filterError}`,
            '**not measured**',
            '–',
          ]
        : [
            `Live, ${live.title} open, second half filtered to client svc-marker: a token of it issued every 2 s, from the token endpoint's answer ${where} (${live.shown} of ${live.markers} shown; frames p95 ${live.filteredFrames?.p95?.toFixed(1)} ms)`,
            '≤ 1 s',
            live.shown ? `median ${ms(live.latencyMedian)}, slowest ${ms(live.latencyMax)}` : 'none shown',
            live.shown === live.markers && live.shown
              ? verdict(live.latencyMax, 1000)
              : '**missed** — some never shown',
            '–',
          ],
    );
  }
  const th = results.throughput;
  if (th && !th.error) {
    const closed = medianOf(th.rounds.flatMap((r) => r.closed.map((c) => c.rps)));
    for (const [title, ratio] of Object.entries(th.ratios)) {
      const open = medianOf(th.rounds.map((r) => r.pages[title].rps));
      const cpu = th.rounds.at(-1).pages[title].cpu;
      rows.push([
        `Engine throughput (unlimited client_credentials, reference tokens) with ${title} open ÷ with no page open`,
        '≥ 0.9×',
        `${ratio.toFixed(2)}× (${Math.round(open).toLocaleString('en-US')}/s vs ${Math.round(closed).toLocaleString('en-US')}/s)`,
        verdict(ratio, 0.9, { below: false, unit: '×', digits: 2 }),
        cpuCell(cpu),
      ]);
    }
  } else if (th?.error)
    rows.push([
      'Engine throughput with the UI open ÷ closed',
      '≥ 0.9×',
      `not measured: ${th.error}`,
      '**not measured**',
      '–',
    ]);
  const idle = results.idle;
  if (idle)
    rows.push(
      idle.error
        ? [
            'Idle: Tokens open, nothing happening',
            'renderer < 1% CPU',
            `not measured: ${idle.error}`,
            '**not measured**',
            '–',
          ]
        : [
            `Idle: Tokens open, nothing happening for ${Math.round(idle.cpu.seconds)} s once settled (other Chromium processes ${pct(idle.cpu.browserOther)}${idle.afterUse ? `; right after the earlier stages, before settling: renderer ${pct(idle.afterUse.renderer)}` : ''})`,
            'renderer < 1% CPU',
            pct(idle.cpu.renderer),
            verdict(idle.cpu.renderer, 1, { unit: 'points', digits: 2 }),
            cpuCell(idle.cpu),
          ],
    );
  const header = ['measure', 'target', 'measured', 'verdict', 'CPU renderer / engine'];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`),
  ].join('\n');
}

function section(results, meta) {
  const { config } = meta;
  return [
    UI_SECTION_START,
    '## The UI at scale (issue 21; `npm run bench -- --ui`)',
    '',
    `Written by \`npm run bench -- --ui${config.quick ? ' --quick' : ''}\` on ${meta.date.slice(0, 10)}; the run took ${Math.round(meta.seconds)} s. Load average before: ${meta.loadBefore}; after: ${meta.loadAfter} (the machine has ${meta.cores} cores: above that, other work shared them and every figure below is contended). UI built ${meta.builtAt}. Measured, not asserted.`,
    '',
    `The engine's browser UI (\`serve --ui\`) in headless Chromium (1400×900, software rendering) over a data folder of ${results.counts.tokens.toLocaleString('en-US')} tokens and ${results.counts.events.toLocaleString('en-US')} events. CPU is a percentage of one core over the measurement's window, from /proc: the Chromium renderer process(es), and the engine's process.`,
    '',
    uiTable(results),
    '',
    '- Store: the engine writes its schema and one token, its token request and an introspection (with their events); the benchmark clones those rows straight into SQLite: ' +
      `${(results.counts.tokens - config.timelineTokens).toLocaleString('en-US')} tokens issued one after another over five days (eight services' reference access tokens and, every fifth, a user's refresh token of the web client; 1 in 20 revoked, 1 in 10 expired), with ${((results.counts.events - config.timelineTokens) / (results.counts.tokens - config.timelineTokens)).toFixed(1)} events each on average (issued, its token request, an introspection, its request, other token requests), ` +
      `cached in test-results/ui-bench/ under the schema's fingerprint and copied for each run; then ${config.timelineTokens.toLocaleString('en-US')} tokens of one more client issued over the last 10 minutes (each with its event), so the timeline's window holds them.`,
    `- Opening: the app is loaded on the Users page, then the page's route opened; timed from then to the first animation frame at which a data row is in the page's scroll container. Median of ${config.opens}.`,
    '- A filter change: chosen through the labelled controls as a user would; timed from the input event (the option clicked, the text typed) to the first animation frame at which the first row differs.',
    `- Scrolling: the scroll container moved down at ${config.scrollPxPerSecond.toLocaleString('en-US')} px/s (on every animation frame, by the time since the previous one) for ${config.scrollSeconds} s, so the list loads further pages on the way; the frames it sat at the end of the loaded rows are counted; frame = interval between animation frames.`,
    `- Timeline: a wheel event over the canvas every animation frame for ${config.zoomSeconds} s (zooming in, then out), frame rate from the intervals.`,
    `- Live: the benchmark's process asks for ${config.liveRate.toLocaleString('en-US')} client_credentials reference tokens per second (paced on a 10 ms tick over keep-alive connections, open loop: autocannon's overallRate lets each connection burst its share and wait, and fell far short of the rate here) for ${config.liveSeconds} s with one page open at a time. First half: the page unfiltered, frames and CPU measured. Second half: its Client filter set to svc-marker and a token of that client issued every 2 s, timed from the token endpoint's answer until its row is in the page (Tokens, Activity) or until the timeline's summary next changes (unfiltered, a given token is among the rows on screen for milliseconds at 2,000/s, so it could not be timed there).`,
    `- Throughput: autocannon with 50 connections, no rate limit, ${config.throughputSeconds} s, each page open between two windows with no page open (about:blank), in ${config.throughputRounds} round(s) of rotating order; a page's ratio is its rate over the mean of the two windows beside it, then the median of its rounds (this machine's speed drifts within minutes, and a baseline farther away would measure the drift).`,
    `- Idle: the Tokens page opened after the stages above (same document), nothing issued. A first ${config.idleSeconds} s window 3 s after opening is shown beside the figure: in it the renderer still collects the earlier stages' garbage (V8's memory reducer, full GCs for some 20–30 s; bench/experiments/idle-sources.mjs). Then the renderer's CPU is read in 5 s windows until three in a row are within 0.4 points of each other (at most 90 s), and the figure is the ${config.idleSeconds} s after that.`,
    UI_SECTION_END,
  ].join('\n');
}

/** `text` with the UI section replaced by `block` (or inserted before the anchor heading, or appended). */
export function withUiSection(text, block) {
  const start = text.indexOf(UI_SECTION_START);
  const end = text.indexOf(UI_SECTION_END);
  if (start >= 0 && end > start)
    return text.slice(0, start) + block + text.slice(end + UI_SECTION_END.length);
  const anchor = text.indexOf(ANCHOR);
  if (anchor >= 0) return `${text.slice(0, anchor)}${block}\n\n${text.slice(anchor)}`;
  return `${text.trimEnd()}\n\n${block}\n`;
}

/** The UI section of a report file, or null. */
export function readUiSection(file) {
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(UI_SECTION_START);
  const end = text.indexOf(UI_SECTION_END);
  return start >= 0 && end > start ? text.slice(start, end + UI_SECTION_END.length) : null;
}

export function writeUiReport(results, meta) {
  const file = meta.config.out;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks (UI)\n';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, withUiSection(text, section(results, meta)));
  return uiTable(results);
}
