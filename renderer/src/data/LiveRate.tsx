import { Text } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import type { LiveBatch } from '../../../shared/live-gap';
import { adminApi } from '../api';
import { OVERLOAD_QUIET_MS } from './live-pace';

/** The rate is taken over the batches of this long (the engine sends one every 0.1–0.5 s). */
const RATE_WINDOW_MS = 3000;

/**
 * The selected issuer's events a second while the live stream is overloaded (its batches leave
 * events out, shared/live-gap.ts), or null. Then the pages show the newest rows in steps rather than
 * every event (live-pace.ts), and say so with this rate. One subscription for every page that asks.
 */
function createLiveRate() {
  let rate: number | null = null;
  let seen: { at: number; count: number }[] = [];
  let quiet: ReturnType<typeof setTimeout> | null = null;
  let stop: (() => void) | null = null;
  const listeners = new Set<() => void>();
  const set = (next: number | null) => {
    if (next === rate) return;
    rate = next;
    for (const listener of listeners) listener();
  };
  const reset = () => {
    seen = [];
    if (quiet) clearTimeout(quiet);
    quiet = null;
    set(null);
  };
  const onBatch = ({ events, gap }: LiveBatch) => {
    if (!gap) return reset();
    const now = performance.now();
    let count = events.length;
    for (const issuer of Object.values(gap.issuers))
      for (const n of Object.values(issuer.omitted)) count += n ?? 0;
    seen.push({ at: now, count });
    while ((seen[0]?.at ?? now) < now - RATE_WINDOW_MS) seen.shift();
    // What came after the first batch kept, over the time since it: two batches at least.
    const first = seen[0] as { at: number };
    const span = now - first.at;
    const after = seen.slice(1).reduce((sum, batch) => sum + batch.count, 0);
    // Two significant digits: the rate changes a little every batch, the page need not.
    if (span > 0 && after > 0) set(Number((after / (span / 1000)).toPrecision(2)));
    if (quiet) clearTimeout(quiet);
    quiet = setTimeout(reset, OVERLOAD_QUIET_MS);
  };
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      stop ??= adminApi.live.subscribeBatch(onBatch);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stop?.();
        stop = null;
        reset();
      };
    },
    read: () => rate,
  };
}

const liveRate = createLiveRate();

/** Events a second while the live stream is overloaded; null while it sends every event. */
export function useLiveRate(): number | null {
  return useSyncExternalStore(liveRate.subscribe, liveRate.read);
}

/** Says, while the live stream is overloaded, that the page follows a high rate in steps. */
export function LiveRateNote() {
  const rate = useLiveRate();
  if (rate === null) return null;
  return (
    <Text size="xs" c="dimmed" data-testid="live-rate" role="status">
      Live at {rate.toLocaleString('en-US')} events/s: showing the newest in steps, not every event
    </Text>
  );
}
