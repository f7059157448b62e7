const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The step in which formatRelative's text moves at this distance (see its ranges in time.ts). */
function stepAt(abs: number): number {
  if (abs < MINUTE) return SECOND;
  // "1 h 5 min" still counts minutes.
  if (abs < DAY) return MINUTE;
  if (abs < 30 * DAY) return HOUR;
  if (abs < 365 * DAY) return DAY;
  return 365 * DAY;
}

/**
 * When formatRelative(target, now) next reads differently: the first moment after `now` (ms) its text
 * changes. A countdown "in 4 min" changes when a whole minute less is left; "3 min ago" when a whole
 * minute more has passed. Every range's bound is a multiple of the step below it, so the step of the
 * current range finds the next change across ranges too ("in 1 min" → "in 59 s"; "now" → "1 s ago").
 */
export function nextRelativeChange(target: Date | string | number, now: number): number {
  const diff = new Date(target).getTime() - now;
  if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
  const abs = Math.abs(diff);
  // "now" until a second has passed.
  if (abs < SECOND) return now + diff + SECOND;
  const step = stepAt(abs);
  const floor = Math.floor(abs / step) * step;
  // Counting down, the text moves just below the step's bound; counting up, at the next bound.
  return diff > 0 ? now + (abs - floor) + 1 : now + (floor + step - abs);
}

/** The next local midnight after `now`, when formatLocal drops or adds a date. */
export function nextLocalMidnight(now: number): number {
  const date = new Date(now);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
}
