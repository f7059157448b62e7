/**
 * Runs an async job for a stream of triggers, never twice at once and at most once per interval: a
 * trigger during a run schedules exactly one more run after it. The timeline applies live events and
 * the Activity page recounts this way, so a burst of live events cannot keep restarting a big request.
 */
interface Coalescer {
  trigger(): void;
  /** A scheduled run is timed again: its interval may have shortened (a load ended). */
  hurry(): void;
  dispose(): void;
}

/** `lastRun`: when the job last ran elsewhere (Date.now()), if the first run must keep its interval from that. */
export function createCoalescer(
  run: () => Promise<unknown>,
  minInterval: () => number,
  lastRun = Number.NEGATIVE_INFINITY,
): Coalescer {
  let dirty = false;
  let running = false;
  let last = lastRun;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  const start = async () => {
    timer = null;
    if (disposed) return;
    dirty = false;
    running = true;
    last = Date.now();
    try {
      await run();
    } catch {
      // The query shows its own error; the next trigger tries again.
    } finally {
      running = false;
      if (dirty) schedule();
    }
  };
  const schedule = () => {
    if (running || timer !== null || disposed) return;
    timer = setTimeout(start, Math.max(0, last + minInterval() - Date.now()));
  };
  return {
    trigger() {
      dirty = true;
      schedule();
    },
    hurry() {
      if (timer === null) return;
      clearTimeout(timer);
      timer = null;
      schedule();
    },
    dispose() {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
