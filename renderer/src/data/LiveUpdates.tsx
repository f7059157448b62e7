import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { adminApi } from '../api';
import { type InvalidationTarget, invalidateTargets, staleAfterEvent } from './invalidation';

/**
 * Subscribes to the engine's live events once for the whole app and marks the affected queries
 * stale; mounted queries refetch, so every page stays current without polling. Events that arrive
 * together (a token request issues three tokens) are folded into one invalidation. After the stream
 * was down (engine stopped or restarted), every query is refetched.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const pending = new Set<InvalidationTarget>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      void invalidateTargets(queryClient, [...pending]);
      pending.clear();
    };
    const unsubscribe = adminApi.live.subscribe((event) => {
      for (const target of staleAfterEvent(event.type)) pending.add(target);
      timer ??= setTimeout(flush, 50);
    });
    // Events sent while the stream was down are lost: back live, everything shown is refetched.
    let wasDown = false;
    const unwatch = adminApi.live.onConnectionChange(() => {
      const connection = adminApi.live.connection();
      if (connection === 'down') wasDown = true;
      else if (connection === 'live' && wasDown) {
        wasDown = false;
        void queryClient.invalidateQueries();
      }
    });
    return () => {
      unsubscribe();
      unwatch();
      if (timer) clearTimeout(timer);
    };
  }, [queryClient]);
  return children;
}
