/**
 * The timeline's time axis: a view is a [start, end] window in epoch milliseconds mapped linearly
 * onto the plot's width. Pure functions, so zooming, panning and ticks are tested without a canvas.
 */

export interface TimeView {
  start: number;
  end: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The narrowest and widest windows zooming may reach. */
export const MIN_SPAN = 10 * SECOND;
export const MAX_SPAN = 400 * DAY;

/** Where "now" sits in a followed view: most of the window is the past, a quarter the future. */
const NOW_FRACTION = 0.75;

export const RANGE_PRESETS = [
  { value: '15m', label: '15 min', span: 15 * MINUTE },
  { value: '1h', label: '1 h', span: HOUR },
  { value: '6h', label: '6 h', span: 6 * HOUR },
  { value: '1d', label: '1 day', span: DAY },
  { value: '14d', label: '2 weeks', span: 14 * DAY },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];

export function span(view: TimeView): number {
  return view.end - view.start;
}

export function clampSpan(value: number): number {
  return Math.min(MAX_SPAN, Math.max(MIN_SPAN, value));
}

/** A window of `width` ms with `now` at NOW_FRACTION of it. */
export function followView(width: number, now: number): TimeView {
  const s = clampSpan(width);
  return { start: now - s * NOW_FRACTION, end: now + s * (1 - NOW_FRACTION) };
}

export function timeToX(time: number, view: TimeView, width: number): number {
  return ((time - view.start) / span(view)) * width;
}

export function xToTime(x: number, view: TimeView, width: number): number {
  return view.start + (x / width) * span(view);
}

/**
 * Zooms by `factor` (< 1 zooms in) keeping `anchor` (a time) at the same place on screen, so the
 * point under the pointer stays under the pointer.
 */
export function zoomView(view: TimeView, factor: number, anchor = (view.start + view.end) / 2): TimeView {
  const next = clampSpan(span(view) * factor);
  const ratio = (anchor - view.start) / span(view);
  const start = anchor - next * ratio;
  return { start, end: start + next };
}

export function panView(view: TimeView, delta: number): TimeView {
  return { start: view.start + delta, end: view.end + delta };
}

/** A window showing every interval in [min, max], with a little room on both sides. */
export function fitView(min: number, max: number, now: number): TimeView {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return followView(HOUR, now);
  const pad = (max - min) * 0.03;
  const start = min - pad;
  const end = max + pad;
  if (end - start < MIN_SPAN)
    return followView(MIN_SPAN, (start + end) / 2 + MIN_SPAN * (NOW_FRACTION - 0.5));
  if (end - start > MAX_SPAN) return { start: end - MAX_SPAN, end };
  return { start, end };
}

/** Interval a token was alive: issue to nominal expiry, and its early end (revoked, rotated) if any. */
export interface Lifetime {
  start: number;
  end: number;
  lifeEnd: number | null;
}

/** Tokens issued this long before now count as recent activity, for the default window. */
export const RECENT = HOUR;
/** The default window's narrowest and widest spans. */
export const RECENT_MIN_SPAN = MINUTE;
export const RECENT_MAX_SPAN = 6 * HOUR;
/** An expiry matters for the default window when its token lives at most this many times the shortest. */
const LIFETIME_RATIO = 3;
/** Room left around what is fitted, as a share of it. */
const ROOM = 1.15;

/** Rounds a span up to a step a reader can count in, so a followed window does not change every second. */
function roundSpan(value: number): number {
  const step = value <= 5 * MINUTE ? 15 * SECOND : value <= HOUR ? MINUTE : 15 * MINUTE;
  return Math.ceil(value / step) * step;
}

/**
 * Each token's issue and when it stopped (its life's end, else its expiry), by row: the layout keeps
 * them (`rowStart`, `rowStop`), so the recent window, recomputed every second and every live round,
 * reads two typed arrays rather than every row object.
 */
export interface Lifespans {
  start: Float64Array;
  stop: Float64Array;
}

export function lifespansOf(lifetimes: readonly Lifetime[]): Lifespans {
  const start = new Float64Array(lifetimes.length);
  const stop = new Float64Array(lifetimes.length);
  lifetimes.forEach((t, i) => {
    start[i] = t.start;
    stop[i] = t.lifeEnd ?? t.end;
  });
  return { start, stop };
}

/** How far back recent activity starts, and how far ahead of now the expiries that matter reach. */
function recentReach({ start, stop }: Lifespans, now: number): { earliest: number; future: number } {
  let earliest = Number.POSITIVE_INFINITY;
  let shortest = Number.POSITIVE_INFINITY;
  const n = start.length;
  for (let i = 0; i < n; i++) {
    const from = start[i] as number;
    if (from > now || from < now - RECENT) continue;
    if (from < earliest) earliest = from;
    shortest = Math.min(shortest, (stop[i] as number) - from);
  }
  let future = 0;
  const longest = Math.max(shortest * LIFETIME_RATIO, MINUTE);
  for (let i = 0; i < n; i++) {
    const from = start[i] as number;
    if (from > now || from < now - RECENT) continue;
    const to = stop[i] as number;
    if (to > now && to - from <= longest) future = Math.max(future, to - now);
  }
  return { earliest, future };
}

/**
 * The default, followed window ("Recent"): from a little before the first token issued in the last
 * hour to a little after now or the expiries that matter — those of the shortest-lived recent tokens
 * (a 20 s access token, not the two-week refresh token issued with it), so short-lived tokens read
 * as bars, not slivers. Its span is rounded so it does not change every second.
 */
export function recentView(lifetimes: readonly Lifetime[], now: number): TimeView {
  return recentViewOf(lifespansOf(lifetimes), now);
}

/** `recentView` of lifespans by row (a layout's `rowStart` and `rowStop`). */
export function recentViewOf(spans: Lifespans, now: number): TimeView {
  const { earliest, future } = recentReach(spans, now);
  if (!Number.isFinite(earliest)) return followView(HOUR, now);
  const reach = now + future - earliest;
  const width = Math.min(RECENT_MAX_SPAN, Math.max(RECENT_MIN_SPAN, roundSpan(reach * ROOM)));
  // A little room before the first issue; the rest after, where the followed now is heading.
  const before = Math.max((reach * (ROOM - 1)) / 2, width * 0.04);
  const start = earliest - Math.max(0, Math.min(before, (width - reach) / 2));
  const end = Math.max(start + width, now + future);
  return { start: end - width, end };
}

/** Whether an interval (or an instant, from = to) is inside the view. */
export function overlaps(view: TimeView, from: number, to = from): boolean {
  return to >= view.start && from <= view.end;
}

/** Tick steps a reader can count in: seconds, minutes, hours, days. */
const STEPS = [
  SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
];

interface Tick {
  time: number;
  label: string;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function tickLabel(time: number, step: number): string {
  const date = new Date(time);
  const hm = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  if (step < MINUTE) return `${hm}:${pad2(date.getSeconds())}`;
  const midnight = date.getHours() === 0 && date.getMinutes() === 0;
  if (step < DAY && !midnight) return hm;
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/**
 * Tick marks at least `minGap` pixels apart, aligned to local wall-clock boundaries (whole minutes,
 * hours, local midnights), each with a label short enough for its slot.
 */
export function timeTicks(view: TimeView, width: number, minGap = 90): Tick[] {
  if (width <= 0 || span(view) <= 0) return [];
  const perPixel = span(view) / width;
  const step = STEPS.find((s) => s / perPixel >= minGap) ?? (STEPS[STEPS.length - 1] as number);
  // Local time: shift by the zone offset so hour and day ticks fall on local boundaries.
  const offset = new Date(view.start).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((view.start - offset) / step) * step + offset;
  const ticks: Tick[] = [];
  for (let time = first; time <= view.end; time += step) ticks.push({ time, label: tickLabel(time, step) });
  return ticks;
}
