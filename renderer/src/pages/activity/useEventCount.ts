import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { adminApi } from '../../api';
import { createCoalescer } from '../../data/coalesce';
import { ESTIMATE_RECOUNT_MS, watchOverload } from '../../data/live-pace';
import type { EventMatch } from './event-match';

/**
 * The count's own query root: not under "events", so LiveUpdates does not recount on every event
 * (over millions of events a count is the slowest call of the page).
 */
export const EVENT_COUNT_ROOT = 'view.events.count';
/** Recounts are at least this far apart, and further when counting takes long (see below). */
const MIN_RECOUNT_INTERVAL_MS = 1000;
/** A recount may take at most a twentieth of the engine's time, however long it takes. */
const RECOUNT_SHARE = 20;
/**
 * Recounts are this far apart while the live stream is overloaded (its batches have gaps). Live
 * matches, those a gap left out included, keep the number going meanwhile; a count of 5,000,000 events
 * every second or two was still 5–6% of the engine's time at full speed (UI bench, engine profile),
 * work taken from the load. Once the load ends, the next recount goes at the usual pace.
 */
export const OVERLOADED_RECOUNT_MS = 30_000;

/**
 * How many events match, asked only once `enabled` (after the first rows: the engine answers one
 * call at a time, and the rows matter first). Matching live events (`liveMatched`) are added at once,
 * and the engine is asked again at most once a second, and never for more than 5% of its time
 * (every OVERLOADED_RECOUNT_MS while the live stream is overloaded, ESTIMATE_RECOUNT_MS after an
 * estimate), so the number follows live load without a count of millions per event; the last
 * recount after a burst makes it exact again (or a fresh estimate).
 */
export function useEventCount(match: EventMatch, enabled: boolean) {
  const queryClient = useQueryClient();
  const queryKey = [EVENT_COUNT_ROOT, match];
  const count = useQuery({ queryKey, queryFn: () => adminApi.events.count(match), enabled });
  // Live matches since the count was read: a ref for the recount's bookkeeping, state to render.
  const added = useRef(0);
  const [shownAdded, setShownAdded] = useState(0);
  const live = useRef<(n: number) => void>(() => {});
  const reset = useRef<() => void>(() => {});
  useEffect(() => {
    const key = [EVENT_COUNT_ROOT, match];
    added.current = 0;
    setShownAdded(0);
    let took = 0;
    const recount = async () => {
      const startedWith = added.current;
      const previous = queryClient.getQueryState(key)?.dataUpdatedAt;
      const started = performance.now();
      await queryClient.refetchQueries({ queryKey: key, exact: true });
      took = performance.now() - started;
      // Only what arrived before this count was asked is in it; a failed recount keeps them all.
      const state = queryClient.getQueryState(key);
      if (state?.status === 'success' && state.dataUpdatedAt !== previous) {
        added.current -= startedWith;
        setShownAdded(added.current);
      }
    };
    const load = watchOverload(() => coalescer.hurry());
    const coalescer = createCoalescer(
      recount,
      () =>
        load.overloaded
          ? OVERLOADED_RECOUNT_MS
          : queryClient.getQueryData<{ exact: boolean }>(key)?.exact === false
            ? ESTIMATE_RECOUNT_MS
            : Math.max(MIN_RECOUNT_INTERVAL_MS, took * RECOUNT_SHARE),
      // The query counts as the filter is set: the first recount keeps its interval from then.
      Date.now(),
    );
    const unsubscribe = adminApi.live.subscribeBatch((batch) => load.batch(batch.gap));
    live.current = (n) => {
      // Before the first count there is nothing to add to: that count has them.
      if (queryClient.getQueryState(key)?.status !== 'success') return;
      added.current += n;
      setShownAdded(added.current);
      coalescer.trigger();
    };
    reset.current = () => {
      added.current = 0;
      setShownAdded(0);
      void queryClient.resetQueries({ queryKey: key, exact: true });
    };
    return () => {
      unsubscribe();
      load.dispose();
      coalescer.dispose();
    };
  }, [queryClient, match]);
  const data = count.data && { count: count.data.count + shownAdded, exact: count.data.exact };
  return {
    count,
    data,
    liveMatched: (n: number) => live.current(n),
    /** Counts from scratch (the log was emptied). */
    reset: () => reset.current(),
  };
}

/** "5,000,000 events", or "≈ 1,200,000 events" for an estimate (two significant digits: no false precision). */
export function countText(count: number, exact: boolean): string {
  const shown = exact || count < 100 ? count : Number(count.toPrecision(2));
  const noun = shown === 1 ? 'event' : 'events';
  return `${exact ? '' : '≈ '}${shown.toLocaleString('en-US')} ${noun}`;
}
