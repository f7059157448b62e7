import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../shared/schemas';

const live = vi.hoisted(() => ({
  listener: null as ((event: EngineEvent) => void) | null,
  unsubscribed: 0,
}));
vi.mock('../api', () => ({
  adminApi: {
    live: {
      subscribe: (listener: (event: EngineEvent) => void) => {
        live.listener = listener;
        return () => {
          live.unsubscribed += 1;
          live.listener = null;
        };
      },
    },
  },
}));

const { LiveUpdates } = await import('./LiveUpdates');

function event(type: EngineEvent['type'], id: number): EngineEvent {
  return {
    id,
    at: new Date().toISOString(),
    type,
    client_id: null,
    username: null,
    token_id: null,
    data: {},
  };
}

describe('LiveUpdates', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('subscribes once and folds a burst of events into one invalidation per query family', () => {
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries').mockResolvedValue();
    const view = render(
      <QueryClientProvider client={client}>
        <LiveUpdates>
          <p>app</p>
        </LiveUpdates>
      </QueryClientProvider>,
    );
    expect(live.listener).toBeTypeOf('function');

    act(() => {
      live.listener?.(event('token.issued', 1));
      live.listener?.(event('token.issued', 2));
      live.listener?.(event('token.issued', 3));
    });
    expect(invalidate).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(100);
    });
    const roots = invalidate.mock.calls.map(([filters]) => filters?.queryKey?.[0]);
    expect(roots.sort()).toEqual(['events', 'token', 'tokens']);

    invalidate.mockClear();
    act(() => {
      live.listener?.(event('key.rotated', 4));
      vi.advanceTimersByTime(100);
    });
    expect(invalidate.mock.calls.map(([filters]) => filters?.queryKey?.[0]).sort()).toEqual([
      'events',
      'keys',
      'token',
    ]);

    view.unmount();
    expect(live.unsubscribed).toBe(1);
  });
});
