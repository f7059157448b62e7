import type { Clock } from '../../main/core/lib/clock';

/**
 * The engine's clock (main/core/lib/clock.ts) as tests drive it: every time that expires is read
 * from it, so a test moves it instead of waiting. Whole seconds, as OAuth and JWT times are.
 */
export interface TestClock extends Clock {
  /** Moves the clock forward by `seconds` (back, if negative). */
  advance(seconds: number): void;
  /** Puts the clock at `ms` (milliseconds since the Unix epoch). */
  set(ms: number): void;
  /** Undoes every advance and set: back to the start (frozen) or to the system time (running). */
  reset(): void;
}

function shiftedClock(base: () => number): TestClock {
  let shiftMs = 0;
  return {
    now: () => base() + shiftMs,
    advance: (seconds) => {
      shiftMs += seconds * 1000;
    },
    set: (ms) => {
      shiftMs = ms - base();
    },
    reset: () => {
      shiftMs = 0;
    },
  };
}

/**
 * A clock that stands still at `startMs` until the test moves it: times the engine writes are known
 * to the millisecond, so a test can compare whole tokens and records.
 */
export function frozenClock(startMs: number): TestClock {
  return shiftedClock(() => startMs);
}

/**
 * The system time, shifted by what the test moves it: for engines that also run timers, sockets and
 * real waits, where a clock that stood still would disagree with the world around it.
 */
export function runningClock(): TestClock {
  return shiftedClock(() => Date.now());
}
