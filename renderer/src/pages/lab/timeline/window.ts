/**
 * The rows with something to draw in a time window: recomputed on every zoom and pan frame, so it is
 * one pass over typed arrays the layout prepared (each row's reach on the axis), and leaves links and
 * marks where they are (the drawing maps them through `index` and `position`).
 */
import type { TimelineLayout, TimelineRow } from './layout';

export interface WindowedLayout {
  /** The whole layout, every row. */
  whole: TimelineLayout;
  /** The rows kept, in layout order. */
  rows: readonly TimelineRow[];
  /** Kept row → its row in the whole layout. */
  index: Int32Array;
  /** Whole layout's row → its kept row, or -1 when it is hidden. */
  position: Int32Array;
  /** How many rows were left out. */
  hidden: number;
  /** How many families the kept rows belong to. */
  families: number;
}

const wholeWindows = new WeakMap<TimelineLayout, WindowedLayout>();

/** Every row kept: the same object every time for a layout, so what depends on it holds. */
export function wholeWindow(layout: TimelineLayout): WindowedLayout {
  let whole = wholeWindows.get(layout);
  if (!whole) {
    const identity = new Int32Array(layout.rows.length);
    for (let i = 0; i < identity.length; i++) identity[i] = i;
    whole = {
      whole: layout,
      rows: layout.rows,
      index: identity,
      position: identity,
      hidden: 0,
      families: layout.families,
    };
    wholeWindows.set(layout, whole);
  }
  return whole;
}

/** Whether one of a row's marks is inside the window (its bar is not). */
function markInside(layout: TimelineLayout, row: number, start: number, end: number): boolean {
  for (let k = layout.markOffsets[row] as number; k < (layout.markOffsets[row + 1] as number); k++) {
    const at = (layout.marks[layout.markIndex[k] as number] as { at: number }).at;
    if (at >= start && at <= end) return true;
  }
  return false;
}

/**
 * Only the rows with something to draw in the window: a bar that overlaps it, or a mark inside it.
 * When every row is kept the whole layout's window is returned (the common case).
 */
export function windowLayout(layout: TimelineLayout, view: { start: number; end: number }): WindowedLayout {
  const { rows, reachStart, reachEnd } = layout;
  const n = rows.length;
  const index = new Int32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    // The reach covers the bar and the marks; only a row reaching into the window may have either in it.
    if ((reachEnd[i] as number) < view.start || (reachStart[i] as number) > view.end) continue;
    const row = rows[i] as TimelineRow;
    if ((row.end >= view.start && row.start <= view.end) || markInside(layout, i, view.start, view.end))
      index[kept++] = i;
  }
  if (kept === n) return wholeWindow(layout);
  const position = new Int32Array(n).fill(-1);
  const shown: TimelineRow[] = new Array(kept);
  let families = 0;
  let lastFamily = -1;
  for (let k = 0; k < kept; k++) {
    const i = index[k] as number;
    position[i] = k;
    shown[k] = rows[i] as TimelineRow;
    // A family's rows are consecutive: count the changes.
    const family = layout.rowFamily[i] as number;
    if (family !== lastFamily) families++;
    lastFamily = family;
  }
  return { whole: layout, rows: shown, index: index.subarray(0, kept), position, hidden: n - kept, families };
}

/** The family of a kept row (its index in the whole layout's display order), -1 past the end. */
export function familyOf(shown: WindowedLayout, row: number): number {
  const whole = shown.index[row];
  return whole === undefined ? -1 : (shown.whole.rowFamily[whole] as number);
}

/** The kept row of a token, or null when it is hidden or not laid out. */
export function shownRowOf(shown: WindowedLayout, id: string): number | null {
  const row = shown.whole.rowById.get(id);
  if (row === undefined) return null;
  const kept = shown.position[row] as number;
  return kept < 0 ? null : kept;
}
