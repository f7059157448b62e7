import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { adminApi } from '../api';
import { type QueryRoot, rootsForEvent } from './keys';

/**
 * Subscribes to the engine's live events once for the whole app and marks the affected queries
 * stale; mounted queries refetch, so every page stays current without polling. Events that arrive
 * together (a token request issues three tokens) are folded into one refetch per query.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const pending = new Set<QueryRoot>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      for (const root of pending) void queryClient.invalidateQueries({ queryKey: [root] });
      pending.clear();
    };
    const unsubscribe = adminApi.live.subscribe((event) => {
      for (const root of rootsForEvent(event.type)) pending.add(root);
      timer ??= setTimeout(flush, 50);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [queryClient]);
  return children;
}
