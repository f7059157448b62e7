import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../shared/schemas';

const live = vi.hoisted(() => ({
  listener: null as ((event: EngineEvent) => void) | null,
  unsubscribed: 0,
  connection: 'live' as 'connecting' | 'live' | 'down' | 'refused',
  onChange: null as (() => void) | null,
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
      connection: () => live.connection,
      onConnectionChange: (listener: () => void) => {
        live.onChange = listener;
        return () => {
          live.onChange = null;
        };
      },
    },
  },
}));

function connectionBecomes(state: typeof live.connection) {
  live.connection = state;
  act(() => live.onChange?.());
}

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

const KEYS = [
  ['events.list', {}],
  ['tokens.list', {}],
  ['tokens.get', { id: 't1' }],
  ['keys.list'],
  ['users.list'],
];

function staleMethods(client: QueryClient): string[] {
  return KEYS.filter((key) => client.getQueryState(key)?.isInvalidated)
    .map((key) => String(key[0]))
    .sort();
}

describe('LiveUpdates', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('subscribes once and folds a burst of events into one invalidation', () => {
    const client = new QueryClient();
    for (const key of KEYS) client.setQueryData(key, 'cached');
    const invalidate = vi.spyOn(client, 'invalidateQueries');
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
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(staleMethods(client)).toEqual(['events.list', 'tokens.get', 'tokens.list']);

    for (const key of KEYS) client.setQueryData(key, 'fresh');
    act(() => {
      live.listener?.(event('key.rotated', 4));
      vi.advanceTimersByTime(100);
    });
    expect(staleMethods(client)).toEqual(['events.list', 'keys.list', 'tokens.get']);

    view.unmount();
    expect(live.unsubscribed).toBe(1);
    expect(live.onChange).toBeNull();
  });

  it('refetches everything when the stream is back after being down, since events sent meanwhile are lost', () => {
    const client = new QueryClient();
    for (const key of KEYS) client.setQueryData(key, 'cached');
    render(
      <QueryClientProvider client={client}>
        <LiveUpdates>
          <p>app</p>
        </LiveUpdates>
      </QueryClientProvider>,
    );
    connectionBecomes('live');
    expect(staleMethods(client)).toEqual([]);
    connectionBecomes('down');
    expect(staleMethods(client)).toEqual([]);
    connectionBecomes('live');
    expect(staleMethods(client)).toEqual([
      'events.list',
      'keys.list',
      'tokens.get',
      'tokens.list',
      'users.list',
    ]);
  });
});
