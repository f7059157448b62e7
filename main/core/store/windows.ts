/**
 * Bounded reads of tables with millions of rows (tokens, events). A filter no index serves would
 * have SQLite read the whole table before it found a page's worth of matches (or none): a second or
 * more at a million rows, with the engine's one thread blocked meanwhile. Instead a list reads the
 * table in windows of rowids (the issue order) and stops after a time budget, answering what it found
 * (maybe fewer rows than asked, maybe none) with a cursor at the window's end; a count counts the
 * newest rows exactly for part of its budget and estimates the rest from samples spread over it.
 */

/**
 * Mutable so tests can make windows small and budgets zero (one window per call) on a real store.
 * Measured on 1,000,000 tokens (docs/ARCHITECTURE.md, "Lists over a million rows"): a window of
 * 50,000 rowids read with a free-text filter took ~35–45 ms on a loaded machine (100,000: ~80 ms, more
 * than a filter change may take), so a selective filter's page comes after one or two windows.
 */
export const scanLimits = {
  /** Rowids one window reads (the expiry orders read an eighth as many index entries: token-list.ts). */
  windowRows: 50_000,
  /** A page reads windows until it is full or this much time has passed (at least one window). */
  pageBudgetMs: 60,
  /** A count counts (then samples) until this much time has passed. */
  countBudgetMs: 100,
};

/** The rowid range a windowed read goes through: the first rowid to read and the last, in its direction. */
export interface RowidRange {
  /** Where the read starts (the newest rowid for a newest-first read). */
  start: number;
  /** Where it ends (the oldest rowid, for a newest-first read). */
  end: number;
}

export interface RowidPage<T> {
  rows: T[];
  /**
   * Where the next page starts after (the last row's rowid, or the end of the last window read when the
   * page is short); null when the range is exhausted.
   */
  next: number | null;
}

/**
 * One page in rowid order, `desc` newest first, reading `range` in windows (`windowed`) or at once.
 * `read(lo, hi, n)` answers at most n matching rows with lo ≤ rowid ≤ hi in the page's order.
 */
export function pageByRowid<T>(options: {
  desc: boolean;
  range: RowidRange | null;
  limit: number;
  windowed: boolean;
  read(lo: number, hi: number, n: number): T[];
  seqOf(row: T): number;
}): RowidPage<T> {
  const { desc, range, limit, windowed, read, seqOf } = options;
  const rows: T[] = [];
  if (range === null || (desc ? range.start < range.end : range.start > range.end))
    return { rows, next: null };
  const started = performance.now();
  const size = windowed ? scanLimits.windowRows : Number.MAX_SAFE_INTEGER;
  let from = range.start;
  for (;;) {
    const to = desc ? Math.max(range.end, from - size + 1) : Math.min(range.end, from + size - 1);
    const found = desc ? read(to, from, limit - rows.length) : read(from, to, limit - rows.length);
    for (const row of found) rows.push(row);
    const last = rows.at(-1);
    if (rows.length >= limit && last !== undefined) return { rows, next: seqOf(last) };
    if (to === range.end) return { rows, next: null };
    from = desc ? to - 1 : to + 1;
    // The window's end: the next page starts after it (rows beyond it are not read yet).
    if (performance.now() - started >= scanLimits.pageBudgetMs) return { rows, next: to };
  }
}

/** How many rows match: exact when it was cheap, otherwise an estimate (exact: false). */
export interface Estimate {
  count: number;
  exact: boolean;
}

/**
 * Counts matches in rowids min..max: newest first in windows for half the budget; if that does not
 * reach the oldest row, the remaining range is estimated from small windows spread evenly over it
 * (in bit-reversed order, so that however many the budget allows, they cover the range evenly):
 * the matches per rowid they found, times the rowids not counted. A newest-first extrapolation alone
 * would be wrong on any store whose mix changed over time (a client busy last hour only).
 */
export function countByRowid(
  range: { min: number; max: number } | null,
  count: (lo: number, hi: number) => number,
): Estimate {
  if (range === null) return { count: 0, exact: true };
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let exact = 0;
  let hi = range.max;
  while (hi >= range.min) {
    const lo = Math.max(range.min, hi - scanLimits.windowRows + 1);
    exact += count(lo, hi);
    hi = lo - 1;
    if (elapsed() >= scanLimits.countBudgetMs / 2) break;
  }
  if (hi < range.min) return { count: exact, exact: true };
  // Sampling what is left: min..hi.
  const span = hi - range.min + 1;
  const strata = 1024;
  // Windows of up to 500 rowids (a quarter of the range over the fewest samples, on a small store).
  const sampleRows = Math.max(1, Math.min(500, Math.floor(span / (4 * MIN_SAMPLES))));
  let sampled = 0;
  let matched = 0;
  for (let i = 0; i < strata; i++) {
    const at = range.min + Math.floor((bitReverse(i, 10) / strata) * span);
    const end = Math.min(hi, at + sampleRows - 1);
    matched += count(at, end);
    sampled += end - at + 1;
    // A few dozen samples whatever the budget: fewer would make the estimate a guess.
    if (i + 1 >= MIN_SAMPLES && elapsed() >= scanLimits.countBudgetMs) break;
  }
  return { count: Math.round(exact + (matched / sampled) * span), exact: false };
}

/** The fewest sample windows an estimate reads (64 windows of up to 500 rowids: a few ms). */
const MIN_SAMPLES = 64;

function bitReverse(value: number, bits: number): number {
  let result = 0;
  for (let i = 0; i < bits; i++) result = (result << 1) | ((value >> i) & 1);
  return result;
}

/** `%text%` for a LIKE … ESCAPE '\\' (case-insensitive for ASCII), the text's own wildcards escaped. */
export function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A free-text match on `columns`: any of them holds the text (ASCII case folded, as LIKE compares),
 * its pattern bound as `@like`. The ESCAPE clause only when the text has a wildcard or a backslash to
 * escape: otherwise the pattern means the same without it, and it cost every row read (callgrind over
 * 100,000 events: ~3% of the instructions of a free-text scan, nine tenths of which are the LIKEs).
 */
export function textMatch(columns: readonly string[], text: string): { sql: string; like: string } {
  const escaped = /[\\%_]/.test(text) ? ` ESCAPE '\\'` : '';
  return {
    sql: columns.map((column) => `${column} LIKE @like${escaped}`).join(' OR '),
    like: containing(text),
  };
}

/** Lower case as SQLite's LIKE folds it: ASCII letters only ("É" and "é" differ there). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
