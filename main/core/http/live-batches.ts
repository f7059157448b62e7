import type { EngineEvent } from '../../../shared/schemas';

/**
 * How long events wait to go out together, and how many make a batch go at once. At 2,000 tokens/s
 * the engine records over 4,000 events a second; one message (one SSE write, one IPC send, one
 * listener round in the UI) per event was a measurable share of the engine's time and flooded the
 * UI. A tenth of a second is well under what a person notices, and still one message per batch.
 */
export const LIVE_BATCH_INTERVAL_MS = 100;
export const LIVE_BATCH_MAX_EVENTS = 1000;

export interface LiveBatches {
  /** Sends what is pending now (before the stream closes, or when the caller must not wait). */
  flush(): void;
  /** Stops listening and drops what is pending. */
  close(): void;
}

/**
 * Listens to a feed and hands its events on in batches, in the order they happened: every
 * `intervalMs` while events come, or as soon as `maxEvents` are pending. Per event it costs one
 * array push; nothing is scheduled while nothing happens.
 */
export function batchEvents(
  subscribe: (listener: (event: EngineEvent) => void) => () => void,
  send: (events: EngineEvent[]) => void,
  { intervalMs = LIVE_BATCH_INTERVAL_MS, maxEvents = LIVE_BATCH_MAX_EVENTS } = {},
): LiveBatches {
  let pending: EngineEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    send(batch);
  };
  const unsubscribe = subscribe((event) => {
    pending.push(event);
    if (pending.length >= maxEvents) flush();
    else if (!timer) {
      timer = setTimeout(flush, intervalMs);
      // A pending batch never keeps the process alive by itself (the CLI exits on its own).
      timer.unref?.();
    }
  });
  return {
    flush,
    close() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = null;
      pending = [];
    },
  };
}
