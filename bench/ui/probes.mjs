// Functions that run inside the page (page.evaluate serialises them: each is self-contained, no
// imports, no closures). Times are the page's performance.now(); every wait is bounded and answers
// { error } instead of throwing, so the caller can name what was missing.

/**
 * Rows of a list view: the agreed hook (`[data-testid=<testId>]` holding `[role=row][data-row-key]`);
 * where the page predates it, the rows of its table (reported as `fallback`).
 */
export function installRowFinder() {
  window.__benchRows = (testId, tableLabel) => {
    const container = document.querySelector(`[data-testid="${testId}"]`);
    if (container) {
      const rows = [...container.querySelectorAll('[role="row"][data-row-key]')].filter(
        (row) => row.textContent.trim() !== '',
      );
      return { container, rows, keyOf: (row) => row.getAttribute('data-row-key'), fallback: false };
    }
    // A page from before the hook: its DataTable, found by its label ("Tokens", "Events").
    const table = tableLabel && document.querySelector(`table[aria-label="${tableLabel}"]`);
    const rows = table ? [...table.querySelectorAll('tbody tr')].filter((row) => row.cells.length > 1) : [];
    return { container: null, rows, keyOf: (row) => row.textContent.slice(0, 200), fallback: true };
  };
  /** Resolves on the first animation frame at which `test()` holds, or with { error } after `timeoutMs`. */
  window.__benchUntil = (test, timeoutMs) =>
    new Promise((resolve) => {
      const started = performance.now();
      const frame = () => {
        const value = test();
        if (value) return resolve({ at: performance.now(), value });
        if (performance.now() - started > timeoutMs) return resolve({ error: 'timeout' });
        requestAnimationFrame(frame);
      };
      frame();
    });
  /** Percentiles of frame intervals (ms) from rAF timestamps. */
  window.__benchFrameStats = (stamps) => {
    const deltas = [];
    for (let i = 1; i < stamps.length; i++) deltas.push(stamps[i] - stamps[i - 1]);
    deltas.sort((a, b) => a - b);
    const at = (q) =>
      deltas.length ? deltas[Math.min(deltas.length - 1, Math.floor(q * deltas.length))] : null;
    return { frames: deltas.length, p50: at(0.5), p95: at(0.95), max: deltas.at(-1) ?? null };
  };
  /** The time of the latest user input (the filter change a measurement times from). */
  window.__benchLastInput = 0;
  for (const type of ['pointerup', 'click', 'input', 'change', 'keydown']) {
    document.addEventListener(
      type,
      (event) => {
        window.__benchLastInput = event.timeStamp;
      },
      true,
    );
  }
}

/**
 * Opens `route` (hash) and times until the first data rows of `testId` show, and the count text
 * `countId` (a number in it). Starts from whatever page is shown.
 */
export async function openAndTime({ route, testId, tableLabel, countId, timeoutMs }) {
  const t0 = performance.now();
  location.hash = `#/${route}`;
  const rows = await window.__benchUntil(() => {
    const found = window.__benchRows(testId, tableLabel);
    return found.rows.length > 0 ? { fallback: found.fallback, n: found.rows.length } : null;
  }, timeoutMs);
  if (rows.error) return { error: `no rows within ${timeoutMs} ms` };
  const count = await window.__benchUntil(
    () => {
      const text = document.querySelector(`[data-testid="${countId}"]`)?.textContent ?? '';
      return /\d/.test(text) ? text.trim() : null;
    },
    Math.min(timeoutMs, 5000),
  );
  return {
    rowsMs: rows.at - t0,
    fallback: rows.value.fallback,
    rows: rows.value.n,
    countMs: count.error ? null : count.at - t0,
    countText: count.error ? null : count.value,
  };
}

/** The key of the first data row of `testId` (null when none shows). */
export function firstRowKey({ testId, tableLabel }) {
  const found = window.__benchRows(testId, tableLabel);
  return found.rows.length ? found.keyOf(found.rows[0]) : null;
}

/**
 * Begins waiting for the first row of `testId` to differ from `previous` (a filter applied); the
 * promise is kept on window so the caller can act and then collect it with `collectRowChange`.
 */
export function watchRowChange({ testId, tableLabel, previous, timeoutMs }) {
  window.__benchLastInput = 0;
  window.__benchChange = window.__benchUntil(() => {
    const found = window.__benchRows(testId, tableLabel);
    if (!found.rows.length) return null;
    const key = found.keyOf(found.rows[0]);
    return key !== previous ? key : null;
  }, timeoutMs);
}

export async function collectRowChange() {
  const result = await window.__benchChange;
  if (result.error) return { error: 'the first row did not change' };
  if (!window.__benchLastInput) return { error: 'no input event was seen' };
  return { ms: result.at - window.__benchLastInput, key: result.value };
}

/**
 * Scrolls `testId` down at `pxPerSecond` (moved on every animation frame by the time since the last,
 * so a slow frame does not slow the scroll) for `ms`: the list loads further pages on the way.
 * Answers the frame percentiles, how far it got and how many frames it sat at the end of what was
 * loaded (waiting for the next page).
 */
export function scrollAndTime({ testId, ms, pxPerSecond }) {
  const container = document.querySelector(`[data-testid="${testId}"]`);
  if (!container) return { error: `no element with data-testid="${testId}"` };
  return new Promise((resolve) => {
    const stamps = [];
    let stuckFrames = 0;
    let wanted = container.scrollTop;
    const start = performance.now();
    const frame = (t) => {
      const previous = stamps.at(-1) ?? t;
      stamps.push(t);
      wanted += ((t - previous) * pxPerSecond) / 1000;
      container.scrollTop = wanted;
      // Clamped at the end of the loaded rows: carry on from there once more are in.
      if (container.scrollTop < wanted - 1) {
        stuckFrames++;
        wanted = container.scrollTop;
      }
      if (t - start < ms) requestAnimationFrame(frame);
      else {
        const rows = container.querySelectorAll('[role="row"][data-row-key]');
        const lastRow = rows[rows.length - 1];
        resolve({
          ...window.__benchFrameStats(stamps),
          scrolledPx: container.scrollTop,
          scrollHeight: container.scrollHeight,
          stuckFrames,
          lastRowIndex: Number(lastRow?.getAttribute('aria-rowindex') ?? Number.NaN),
        });
      }
    };
    requestAnimationFrame(frame);
  });
}

/**
 * Zooms the timeline with wheel events over its canvas (in for the first half, out for the second),
 * one per animation frame for `ms`, collecting frame intervals.
 */
export function zoomAndTime({ testId, ms, delta }) {
  const canvas = document.querySelector(`[data-testid="${testId}"]`);
  if (!canvas) return { error: `no element with data-testid="${testId}"` };
  const rect = canvas.getBoundingClientRect();
  return new Promise((resolve) => {
    const stamps = [];
    const start = performance.now();
    const frame = (t) => {
      stamps.push(t);
      const inward = t - start < ms / 2;
      canvas.dispatchEvent(
        new WheelEvent('wheel', {
          deltaY: inward ? -delta : delta,
          deltaMode: 0,
          // Ctrl + wheel is how the older timeline zooms (a pinch); the newer zooms on a plain wheel as well.
          ctrlKey: true,
          clientX: rect.left + rect.width * 0.7,
          clientY: rect.top + rect.height / 2,
          bubbles: true,
          cancelable: true,
        }),
      );
      if (t - start < ms) requestAnimationFrame(frame);
      else resolve(window.__benchFrameStats(stamps));
    };
    requestAnimationFrame(frame);
  });
}

/**
 * Starts recording, for the live phase: frame intervals, and the wall-clock time (ms since the epoch)
 * at which rows mentioning `marker` appear in `testId` (their key and text), or at which the element
 * `summaryId` changes its text (the timeline, whose bars are not in the DOM).
 */
export function startLiveRecorder({ testId, tableLabel, marker, summaryId }) {
  const state = { stamps: [], seen: [], summary: [], running: true };
  window.__benchLive = state;
  const wall = () => performance.timeOrigin + performance.now();
  const frame = (t) => {
    state.stamps.push(t);
    if (state.running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  state.stop = () => {
    state.running = false;
  };
  // Frames only (the first half of the live phase).
  if (!testId && !summaryId) return;
  const known = new Set();
  const scan = () => {
    if (testId) {
      const found = window.__benchRows(testId, tableLabel);
      for (const row of found.rows) {
        const key = found.keyOf(row);
        if (known.has(key)) continue;
        if (row.textContent.includes(marker)) {
          known.add(key);
          state.seen.push({ at: wall(), key, text: row.textContent.slice(0, 300) });
        }
      }
    }
    if (summaryId) {
      const text = document.querySelector(`[data-testid="${summaryId}"]`)?.textContent ?? null;
      if (text !== state.summary.at(-1)?.text) state.summary.push({ at: wall(), text });
    }
  };
  scan();
  // Mutations only (no per-frame polling): the recorder should cost the page next to nothing.
  const observer = new MutationObserver(scan);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  state.stop = () => {
    state.running = false;
    observer.disconnect();
  };
}

export function stopLiveRecorder() {
  const state = window.__benchLive;
  state.stop();
  return { frames: window.__benchFrameStats(state.stamps), seen: state.seen, summary: state.summary };
}
