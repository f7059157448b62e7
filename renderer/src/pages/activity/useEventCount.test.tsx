import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveBatch } from '../../../../shared/live-gap';
import { live } from '../../test-live';
import type { EventMatch } from './event-match';

// The live stream as the transport would push it, and events.count as the engine answers it (a log
// that grows by what the test says), each call recorded.
const engine = vi.hoisted(() => ({ events: 1_000_000, exact: true, counts: [] as number[] }));
vi.mock('../../api', () =>
  import('../../test-live').then((fake) => ({
    adminApi: {
      ...fake.liveStreamApi.adminApi,
      events: {
        count: async () => {
          engine.counts.push(Date.now());
          return { count: engine.events, exact: engine.exact };
        },
      },
    },
  })),
);

const { countText, useEventCount, OVERLOADED_RECOUNT_MS } = await import('./useEventCount');
const { ESTIMATE_RECOUNT_MS } = await import('../../data/live-pace');

describe('countText', () => {
  it('says an exact count in full', () => {
    expect(countText(5_000_000, true)).toBe('5,000,000 events');
    expect(countText(1_234_567, true)).toBe('1,234,567 events');
    expect(countText(1, true)).toBe('1 event');
    expect(countText(0, true)).toBe('0 events');
  });

  it('rounds an estimate to two significant digits and says it is one', () => {
    expect(countText(1_234_567, false)).toBe('≈ 1,200,000 events');
    expect(countText(3_160, false)).toBe('≈ 3,200 events');
    expect(countText(42, false)).toBe('≈ 42 events');
  });
});

describe('useEventCount under live load', () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    engine.counts.length = 0;
  });

  /** The hook on a fake clock, for a filter (memoised, as the page's: the same object every render). */
  async function mount(match: EventMatch) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const client = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    const { result } = renderHook(() => useEventCount(match, true), { wrapper });
    const advance = async (ms: number) => {
      await act(async () => {
        for (let t = 0; t < ms; t += 100) await vi.advanceTimersByTimeAsync(100);
      });
    };
    await advance(100);
    expect(engine.counts).toHaveLength(1);
    return { result, advance };
  }

  it('adds live matches at once and recounts every second or so, but only every OVERLOADED_RECOUNT_MS while batches have gaps; once the load ends, at once', async () => {
    engine.events = 1_000_000;
    const { result, advance } = await mount({});
    expect(result.current.data).toEqual({ count: 1_000_000, exact: true });
    // What the Activity list would do with a batch: its matches (a gap's count included) go to the count.
    const batch = (events: number, gap: LiveBatch['gap']) =>
      act(() => {
        live.listener?.({ events: [], gap });
        engine.events += events;
        result.current.liveMatched(events);
      });

    // A steady rate without gaps: a recount about every second.
    for (let t = 0; t < 5; t++) {
      await batch(200, null);
      await advance(1000);
    }
    expect(engine.counts.length).toBeGreaterThanOrEqual(5);
    expect(result.current.data?.count).toBe(engine.events);

    // Overloaded: a batch with a gap every 500 ms for 10 s. The number follows; the engine is not asked.
    const before = engine.counts.length;
    const gap = { issuers: { root: { omitted: { 'token.issued': 2000 }, through: 1 } } };
    for (let t = 0; t < 20; t++) {
      await batch(2500, gap);
      await advance(500);
    }
    expect(engine.counts).toHaveLength(before);
    expect(result.current.data?.count).toBe(engine.events);
    expect(OVERLOADED_RECOUNT_MS).toBeGreaterThan(10_000);

    // The load stops: OVERLOAD_QUIET_MS (2 s) without a batch, and the recount it held goes.
    await advance(2500);
    expect(engine.counts).toHaveLength(before + 1);
    expect(result.current.data).toEqual({ count: engine.events, exact: true });
  });

  it('after an estimate, adds live matches but asks again only every ESTIMATE_RECOUNT_MS', async () => {
    engine.events = 1_200_000;
    engine.exact = false;
    const { result, advance } = await mount({ client_id: 'svc' });
    // A matching event every 2 s for 20 s (no gaps).
    for (let t = 0; t < 10; t++) {
      act(() => result.current.liveMatched(1));
      await advance(2000);
    }
    expect(engine.counts).toHaveLength(1);
    expect(result.current.data).toEqual({ count: 1_200_010, exact: false });
    await advance(ESTIMATE_RECOUNT_MS - 20_000);
    expect(engine.counts).toHaveLength(2);
    engine.exact = true;
  });
});
