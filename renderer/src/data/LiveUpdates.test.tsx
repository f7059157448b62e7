import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveBatch } from '../../../shared/live-gap';
import type { EngineEvent } from '../../../shared/schemas';

const live = vi.hoisted(() => ({
  listener: null as ((batch: LiveBatch) => void) | null,
  unsubscribed: 0,
  connection: 'live' as 'connecting' | 'live' | 'down' | 'refused',
  onChange: null as (() => void) | null,
}));
vi.mock('../api', () => ({
  adminApi: {
    live: {
      subscribeBatch: (listener: (batch: LiveBatch) => void) => {
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

const { INVALIDATE_INTERVAL_MS, LiveUpdates } = await import('./LiveUpdates');

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
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  function mount(client: QueryClient) {
    return render(
      <QueryClientProvider client={client}>
        <LiveUpdates>
          <p>app</p>
        </LiveUpdates>
      </QueryClientProvider>,
    );
  }

  it('subscribes once and folds a burst of batches into one invalidation of what they touched', () => {
    const client = new QueryClient();
    for (const key of KEYS) client.setQueryData(key, 'cached');
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    const view = mount(client);
    expect(live.listener).toBeTypeOf('function');

    act(() => {
      live.listener?.({ events: [event('token.issued', 1), event('token.issued', 2)], gap: null });
      live.listener?.({ events: [event('token.issued', 3)], gap: null });
    });
    expect(invalidate).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(0);
    });
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(staleMethods(client)).toEqual(['events.list', 'tokens.get', 'tokens.list']);

    for (const key of KEYS) client.setQueryData(key, 'fresh');
    act(() => {
      live.listener?.({ events: [event('key.rotated', 4)], gap: null });
      vi.advanceTimersByTime(INVALIDATE_INTERVAL_MS);
    });
    expect(invalidate).toHaveBeenCalledTimes(2);
    expect(staleMethods(client)).toEqual(['events.list', 'keys.list', 'tokens.get']);

    view.unmount();
    expect(live.unsubscribed).toBe(1);
    expect(live.onChange).toBeNull();
  });

  it('makes stale what the events a gap left out would have, even with none of their type sent', () => {
    const client = new QueryClient();
    for (const key of KEYS) client.setQueryData(key, 'cached');
    mount(client);
    act(() => {
      // Under heavy load: only requests were sent, the tokens issued meanwhile were counted out.
      live.listener?.({
        events: [event('request', 5000)],
        gap: { issuers: { root: { omitted: { 'token.issued': 4000 }, through: 4999 } } },
      });
      vi.advanceTimersByTime(0);
    });
    expect(staleMethods(client)).toEqual(['events.list', 'tokens.get', 'tokens.list']);
  });

  it('under load invalidates at most every INVALIDATE_INTERVAL_MS, however many events arrive', () => {
    const client = new QueryClient();
    for (const key of KEYS) client.setQueryData(key, 'cached');
    const at: number[] = [];
    // Each invalidation's time, the real invalidation still done.
    const invalidate = client.invalidateQueries.bind(client);
    vi.spyOn(client, 'invalidateQueries').mockImplementation((...args) => {
      at.push(Date.now());
      return invalidate(...args);
    });
    mount(client);
    // Five seconds of 4,000 events a second, in batches of 400 every 100 ms as the engine sends them.
    let id = 0;
    for (let batch = 0; batch < 50; batch++) {
      act(() => {
        live.listener?.({
          events: Array.from({ length: 400 }, () => event(id % 2 ? 'request' : 'token.issued', ++id)),
          gap: null,
        });
        vi.advanceTimersByTime(100);
      });
    }
    act(() => {
      vi.advanceTimersByTime(INVALIDATE_INTERVAL_MS);
    });
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INVALIDATE_INTERVAL_MS);
    // About one every 300 ms over five seconds, not one per event (20,000) nor per batch (50).
    expect(at.length).toBeGreaterThanOrEqual(15);
    expect(at.length).toBeLessThanOrEqual(18);
    // The last batch is not lost: it is in the last invalidation, after the load stopped.
    expect(at.at(-1)).toBeGreaterThanOrEqual((at[0] as number) + 4900);
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
