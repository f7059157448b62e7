import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminInput, AdminOutput } from '../../../../shared/contract';
import type { TokenMatch } from '../../../../shared/schemas';
import { live } from '../../test-live';
import { serviceTokenIssued, serviceTokens } from './test-token';
import type { TokenPages } from './token-pages';

// The live stream the hook subscribes to: batches are pushed by the test, as the transport would.
vi.mock('../../api', () => import('../../test-live').then((fake) => fake.liveStreamApi));

const { useLiveTokens } = await import('./useLiveTokens');
const { ESTIMATE_RECOUNT_MS } = await import('../../data/live-pace');

const seqs = (data: TokenPages | undefined) => data?.pages.flatMap((page) => page.tokens.map((t) => t.seq));

const LIST_KEY = ['view.tokens', 'test'];
const COUNT_KEY = ['view.tokens.count', 'test'];

/** tokens.list as the engine answers it over a log of tokens 1..newest, recording every call. */
function engineList(newest: () => number) {
  const calls: AdminInput<'tokens.list'>[] = [];
  const list = async (input: AdminInput<'tokens.list'>): Promise<AdminOutput<'tokens.list'>> => {
    calls.push(input);
    const limit = input.limit ?? 50;
    const tokens = serviceTokens(newest(), 1);
    if (input.sort === 'issued_desc')
      return { tokens: tokens.slice(0, limit), total: null, next_cursor: 'more' };
    // issued_asc after the cursor's seq: the tests below only read this way from the newest listed.
    const after = tokens.filter((t) => (t.seq ?? 0) > 10).reverse();
    return { tokens: after.slice(0, limit), total: null, next_cursor: after.length > limit ? 'more' : null };
  };
  return { calls, list };
}

describe('useLiveTokens under heavy load', () => {
  let client: QueryClient;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    client = new QueryClient();
    client.setQueryData<TokenPages>(LIST_KEY, {
      pages: [{ tokens: serviceTokens(10, 1), total: null, next_cursor: null }],
      pageParams: [null],
    });
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  function mount(list: ReturnType<typeof engineList>['list'], atTop: boolean, match: TokenMatch = {}) {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    // A ref, as the page's: the same object every render.
    const top = { current: atTop };
    return renderHook(
      () =>
        useLiveTokens({
          listKey: LIST_KEY,
          countKey: COUNT_KEY,
          match,
          sort: 'issued_desc',
          every: false,
          call: list,
          atTop: top,
        }),
      { wrapper },
    );
  }

  it('reads only the newest page and replaces the head when a gap says more came than it keeps', async () => {
    const engine = engineList(() => 5010);
    mount(engine.list, true);
    await act(async () => {
      // 5,000 tokens since the newest listed (10): 500 sent, 4,500 left out of the batch.
      live.listener?.({
        events: serviceTokens(5010, 4511)
          .reverse()
          .map((t) => ({
            id: t.seq ?? 0,
            at: t.issued_at,
            type: 'token.issued' as const,
            client_id: 'svc',
            username: null,
            token_id: t.id,
            data: {},
          })),
        gap: { issuers: { root: { omitted: { 'token.issued': 4500 }, through: 4510 } } },
      });
      await vi.advanceTimersByTimeAsync(600);
    });
    // One list page of the newest, not the head's 1,000: the rows below come by cursor on scrolling.
    expect(engine.calls).toEqual([{ sort: 'issued_desc', count: false, limit: 200 }]);
    const data = client.getQueryData<TokenPages>(LIST_KEY);
    expect(seqs(data)).toEqual(serviceTokens(5010, 4811).map((t) => t.seq));
    expect(data?.pages[0]?.next_cursor).not.toBeNull();
  });

  it('asks for a recount about every second as tokens come, but after an estimate only every ESTIMATE_RECOUNT_MS', async () => {
    const engine = engineList(() => 10);
    mount(engine.list, true);
    const recounts = vi.spyOn(client, 'invalidateQueries');
    const countAsked = () =>
      recounts.mock.calls.filter(
        ([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(COUNT_KEY),
      ).length;
    // A token every 500 ms for 10 s, each counted (the count reads 10 + what came).
    const trickle = async (from: number) => {
      await act(async () => {
        for (let seq = from; seq < from + 20; seq++) {
          live.listener?.({ events: [serviceTokenIssued(seq)], gap: null });
          await vi.advanceTimersByTimeAsync(500);
        }
      });
    };
    client.setQueryData(COUNT_KEY, { count: 10, exact: true });
    await trickle(11);
    expect(countAsked()).toBeGreaterThanOrEqual(8);
    recounts.mockClear();
    client.setQueryData(COUNT_KEY, { count: 30, exact: false });
    await trickle(31);
    // The one already due, then none for ESTIMATE_RECOUNT_MS.
    expect(countAsked()).toBeLessThanOrEqual(1);
    expect(ESTIMATE_RECOUNT_MS).toBeGreaterThan(10_000);
  });

  it('reads the tokens after the newest listed, as before, when fewer came than the head keeps', async () => {
    const engine = engineList(() => 13);
    mount(engine.list, true);
    await act(async () => {
      live.listener?.({
        events: [11, 12, 13].map(serviceTokenIssued),
        gap: null,
      });
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]).toMatchObject({ sort: 'issued_asc', count: false, limit: 1000 });
    expect(seqs(client.getQueryData<TokenPages>(LIST_KEY))).toEqual(serviceTokens(13, 1).map((t) => t.seq));
  });

  it('under a filter, reads after the newest listed first: most of what a gap left out may be others’', async () => {
    const engine = engineList(() => 13);
    mount(engine.list, true, { client_id: 'svc' });
    await act(async () => {
      live.listener?.({
        events: [],
        gap: { issuers: { root: { omitted: { 'token.issued': 5000 }, through: 5010 } } },
      });
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(engine.calls).toEqual([
      expect.objectContaining({ client_id: 'svc', sort: 'issued_asc', limit: 1000 }),
    ]);
    expect(seqs(client.getQueryData<TokenPages>(LIST_KEY))).toEqual(serviceTokens(13, 1).map((t) => t.seq));
  });

  it('scrolled down, counts what a gap left out without reading any row', async () => {
    const engine = engineList(() => 5010);
    const { result } = mount(engine.list, false);
    await act(async () => {
      live.listener?.({
        events: [],
        gap: { issuers: { root: { omitted: { 'token.issued': 5000 }, through: 5010 } } },
      });
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(engine.calls).toEqual([]);
    expect(result.current.pendingCount).toBe(5000);
    expect(seqs(client.getQueryData<TokenPages>(LIST_KEY))).toEqual(serviceTokens(10, 1).map((t) => t.seq));
  });

  it('while every batch has a gap, waits between rounds by what the last one cost; without one, every APPLY_EVERY_MS again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    let newest = 1010;
    const engine = engineList(() => newest);
    // Each read takes the engine 100 ms: at a 5% budget, rounds under a gap go every 2 s.
    const slow = async (input: AdminInput<'tokens.list'>) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return engine.list(input);
    };
    mount(slow, true);
    const overloaded = () =>
      live.listener?.({
        events: [],
        gap: { issuers: { root: { omitted: { 'token.issued': 5000 }, through: newest } } },
      });
    await act(async () => {
      // A batch with a gap every 500 ms for 4 s, as the engine sends them while overloaded.
      for (let t = 0; t < 8; t++) {
        // (The engine's list grows by less than the gap says: only the number of reads matters here.)
        newest += 50;
        overloaded();
        await vi.advanceTimersByTimeAsync(500);
      }
    });
    // At 0 and 2 s (each 100 ms), not every 500 ms (8 rounds).
    expect(engine.calls).toHaveLength(2);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2000);
    });
    expect(engine.calls).toHaveLength(3);
    // The load ends: batches come whole, and rounds follow them every APPLY_EVERY_MS (500 ms).
    await act(async () => {
      for (let t = 0; t < 4; t++) {
        newest += 1;
        live.listener?.({
          events: [serviceTokenIssued(newest)],
          gap: null,
        });
        await vi.advanceTimersByTimeAsync(600);
      }
    });
    expect(engine.calls.length).toBeGreaterThanOrEqual(6);
  });

  it('once the load ends, brings the round it paced for the overload forward to the usual pace', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    let newest = 1010;
    const engine = engineList(() => newest);
    // Each read takes the engine 200 ms: at a 5% budget, rounds under a gap go every 4 s.
    const slow = async (input: AdminInput<'tokens.list'>) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return engine.list(input);
    };
    mount(slow, true);
    const withGap = () =>
      live.listener?.({
        events: [],
        gap: { issuers: { root: { omitted: { 'token.issued': 5000 }, through: newest } } },
      });
    // In steps of 100 ms, as batches and frames would come.
    const callsAt = async (ms: number) => {
      await act(async () => {
        for (let t = 0; t < ms; t += 100) await vi.advanceTimersByTimeAsync(100);
      });
      return engine.calls.length;
    };
    withGap();
    // The first round reads at once (200 ms); the next is paced 4 s after it.
    expect(await callsAt(500)).toBe(1);
    newest += 50;
    withGap();
    // The load stops on that batch: after OVERLOAD_QUIET_MS without a batch (at 2.5 s) the round
    // goes at the usual pace, not at 4 s.
    expect(await callsAt(1900)).toBe(1);
    expect(await callsAt(500)).toBe(2);
  });
});
