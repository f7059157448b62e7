/**
 * Due times are rounded up to this grid, so texts that change within the same quarter second are
 * redrawn on one wake-up rather than one each: a page of countdowns wakes at most four times a second,
 * and a text is at most this late.
 */
export const TICK_GRID_MS = 250;

export interface Ticker {
  /** Calls `callback` once, at `due` (this machine's clock, ms) or up to TICK_GRID_MS later. Returns a cancel function. */
  at(due: number, callback: () => void): () => void;
  /** How many callbacks wait (for tests and the idle check). */
  waiting(): number;
}

interface Entry {
  due: number;
  callback: () => void;
}

/**
 * One timer for any number of waiting callbacks, set for the earliest of them: with nothing to show
 * changing, nothing is scheduled at all (an idle UI does not wake up).
 */
export function createTicker(clock: () => number = () => Date.now()): Ticker {
  const entries = new Set<Entry>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerDue = Number.POSITIVE_INFINITY;

  const arm = () => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of entries) if (entry.due < earliest) earliest = entry.due;
    if (earliest === timerDue) return;
    if (timer) clearTimeout(timer);
    timer = null;
    timerDue = earliest;
    if (earliest !== Number.POSITIVE_INFINITY) timer = setTimeout(fire, Math.max(0, earliest - clock()));
  };

  const fire = () => {
    timer = null;
    timerDue = Number.POSITIVE_INFINITY;
    const now = clock();
    const due: Entry[] = [];
    for (const entry of entries) if (entry.due <= now) due.push(entry);
    for (const entry of due) entries.delete(entry);
    // A timer that woke early fires nothing and is set again.
    for (const entry of due) entry.callback();
    arm();
  };

  return {
    at(due, callback) {
      const entry = { due: Math.ceil(due / TICK_GRID_MS) * TICK_GRID_MS, callback };
      entries.add(entry);
      if (entry.due < timerDue) arm();
      return () => {
        if (!entries.delete(entry)) return;
        // The last one gone: no timer is left behind (a stale one would wake for nothing).
        if (entries.size === 0) arm();
      };
    },
    waiting: () => entries.size,
  };
}
