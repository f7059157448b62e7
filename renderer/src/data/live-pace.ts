/**
 * How often a page reads again what it shows while the live stream is overloaded (every batch has a
 * gap, shared/live-gap.ts). Then each re-read (the newest page, the timeline's tail) is work for the
 * engine and this renderer, which share two cores with whatever drives the load: at ten a second a
 * page took a third to a half of the engine's throughput. So a page measures what its last re-read
 * took (wall time: the engine's answer, the parse, the apply, and for a list its paint) and waits
 * until that is at most GAP_BUDGET of the time, between its usual interval and GAP_MAX_WAIT_MS. The
 * page says it is following a high rate meanwhile (LiveRate.tsx), so the user knows the newest rows
 * come in steps.
 */
export const GAP_BUDGET = 0.05;
export const GAP_MAX_WAIT_MS = 5000;
/**
 * A count that was an estimate (a filter no index serves, counted in part and sampled over the rest:
 * main/core/store/windows.ts) is asked again at most this often under live events. Each takes the
 * engine its whole count budget, ~100 ms with its one thread blocked, and refines a number that is
 * approximate anyway: at one every second or two under 2,000 tokens/s the token endpoint fell behind
 * (UI bench).
 */
export const ESTIMATE_RECOUNT_MS = 30_000;

/**
 * A long read in many calls (a list scanning for a filter's matches, the timeline reading its window
 * again) that gives the engine as long again as its last answer took before the next call: half the
 * engine's time at most. Back to back, such calls held its one thread for a second or more while its
 * token endpoint fell 400 requests behind at 2,000 tokens/s (UI bench).
 */
export interface ReadPace {
  /** Resolves once the engine has had as long again as the last read took (at once when aborted). */
  rest(signal?: AbortSignal): Promise<void>;
  /** Runs one read, timing it. */
  read<T>(call: () => Promise<T>): Promise<T>;
}

export function createReadPace(): ReadPace {
  let last: { endedAt: number; took: number } | null = null;
  return {
    rest(signal) {
      const wait = last ? last.endedAt + last.took - performance.now() : 0;
      if (wait <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    },
    async read(call) {
      const asked = performance.now();
      try {
        return await call();
      } finally {
        const answered = performance.now();
        last = { endedAt: answered, took: answered - asked };
      }
    },
  };
}

/** No batch for this long: the load has ended (an overloaded stream sends one at least every 0.5 s). */
export const OVERLOAD_QUIET_MS = 2000;

export interface GapPace {
  /** Runs a re-read, timing it. */
  measure<T>(round: () => Promise<T>): Promise<T>;
  /**
   * How long to wait after a re-read under a gap: its cost (plus `alsoMs`, work it caused outside the
   * measured round, e.g. a layout) over the budget, at least `minMs`.
   */
  wait(minMs: number, alsoMs?: number): number;
}

export function createGapPace(budget = GAP_BUDGET, maxWaitMs = GAP_MAX_WAIT_MS): GapPace {
  let cost = 0;
  return {
    async measure(round) {
      const started = performance.now();
      try {
        return await round();
      } finally {
        cost = performance.now() - started;
      }
    },
    wait: (minMs, alsoMs = 0) => Math.max(minMs, Math.min(maxWaitMs, (cost + alsoMs) / budget)),
  };
}

/**
 * Resolves once what was just rendered has been painted (the task after the next frame; at once
 * outside a browser), so that a measured round includes its render, style, layout and paint: for a
 * list these cost more than the read.
 */
export function afterPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

export interface OverloadWatch {
  /** Whether the last batch had a gap (and no quiet spell followed it). */
  readonly overloaded: boolean;
  /** Every batch of the stream, with its gap or null. */
  batch(gap: unknown): void;
  dispose(): void;
}

/**
 * Follows whether the live stream is overloaded from its batches, and calls `onFall` when the rate
 * falls: a batch without a gap after one with, or OVERLOAD_QUIET_MS without a batch after one with a
 * gap (a load that stops sends nothing more). A page then brings forward the step it had paced for
 * the overload (up to GAP_MAX_WAIT_MS away), so the newest rows show as soon as the load ends.
 */
export function watchOverload(onFall: () => void): OverloadWatch {
  let overloaded = false;
  let quiet: ReturnType<typeof setTimeout> | null = null;
  const fall = () => {
    quiet = null;
    if (!overloaded) return;
    overloaded = false;
    onFall();
  };
  return {
    get overloaded() {
      return overloaded;
    },
    batch(gap) {
      if (quiet !== null) clearTimeout(quiet);
      quiet = null;
      if (gap === null) {
        fall();
        return;
      }
      overloaded = true;
      quiet = setTimeout(fall, OVERLOAD_QUIET_MS);
    },
    dispose() {
      if (quiet !== null) clearTimeout(quiet);
      quiet = null;
    },
  };
}
