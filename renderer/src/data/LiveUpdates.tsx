import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { gapTypes } from '../../../shared/live-gap';
import { adminApi } from '../api';
import { type InvalidationTarget, invalidateTargets, staleAfterEvent } from './invalidation';
import { onBackLive } from './live-connection';

/**
 * At most one invalidation per this many ms. Under load (thousands of events a second, delivered in
 * batches every ~100 ms) each invalidation refetches every mounted list it touches, so they are spaced
 * out; a lone change after a quiet spell is still shown at once.
 */
export const INVALIDATE_INTERVAL_MS = 300;

/**
 * Subscribes to the engine's live events once for the whole app and marks the affected queries
 * stale; mounted queries refetch, so every page stays current without polling. It works per batch,
 * not per event, and invalidates at most once every INVALIDATE_INTERVAL_MS whatever the load: what
 * arrives meanwhile is folded into the next one. After the stream was down (engine stopped or
 * restarted), every query is refetched.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const pending = new Set<InvalidationTarget>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastFlush = Number.NEGATIVE_INFINITY;
    const flush = () => {
      timer = null;
      lastFlush = Date.now();
      void invalidateTargets(queryClient, [...pending]);
      pending.clear();
    };
    const unsubscribe = adminApi.live.subscribeBatch(({ events, gap }) => {
      // A batch is mostly the same few types (token.issued, request): each type is looked up once.
      // Events left out under load (a gap) make stale what their types would have.
      const types = new Set(gap ? gapTypes(gap) : []);
      for (const event of events) types.add(event.type);
      for (const type of types) {
        for (const target of staleAfterEvent(type)) pending.add(target);
      }
      timer ??= setTimeout(flush, Math.max(0, lastFlush + INVALIDATE_INTERVAL_MS - Date.now()));
    });
    // Events sent while the stream was down may be lost: back live, everything shown is refetched.
    const unwatch = onBackLive(() => void queryClient.invalidateQueries());
    return () => {
      unsubscribe();
      unwatch();
      if (timer) clearTimeout(timer);
    };
  }, [queryClient]);
  return children;
}
