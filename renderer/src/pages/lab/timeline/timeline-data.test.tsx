import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminInput, AdminOutput } from '../../../../../shared/contract';
import type { LiveGap } from '../../../../../shared/live-gap';
import { decodeTokenCursor } from '../../../../../shared/token-cursor';
import { live } from '../../../test-live';
import { serviceTokenIssued, serviceTokens } from '../../tokens/test-token';

// The engine as the timeline reads it: a log of reference tokens 1..newest that the test grows, every
// tokens.list call recorded; no drawn events. The live stream is pushed by the test (test-live.ts).
const engine = vi.hoisted(() => ({
  newest: 0,
  /** How long each tokens.list call takes the engine. */
  delayMs: 0,
  calls: [] as { at: number; answered: number; newest: number; input: unknown }[],
}));
vi.mock('../../../api', () =>
  import('../../../test-live').then((fake) => ({
    adminApi: {
      live: fake.liveStreamApi.adminApi.live,
      events: { list: async () => [] },
      tokens: {
        count: async () => ({ count: engine.newest, exact: true }),
        list: async (input: AdminInput<'tokens.list'>): Promise<AdminOutput<'tokens.list'>> => {
          const call = { at: Date.now(), answered: 0, newest: engine.newest, input };
          engine.calls.push(call);
          if (engine.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, engine.delayMs));
          call.answered = Date.now();
          const limit = input.limit ?? 50;
          if (input.sort === 'issued_asc') {
            // After the cursor's sequence, oldest first.
            const at = input.cursor ? decodeTokenCursor(input.cursor)?.at : null;
            const after = at && 'seq' in at ? (at.seq as number) : 0;
            const last = Math.min(engine.newest, after + limit);
            const tokens = serviceTokens(last, after + 1).reverse();
            return { tokens, total: null, next_cursor: last < engine.newest ? 'newer' : null };
          }
          // Newest first, from the newest or below the cursor's sequence ("older:<seq>").
          const below = input.cursor?.startsWith('older:')
            ? Number(input.cursor.slice(6))
            : engine.newest + 1;
          const oldest = Math.max(1, below - limit);
          const tokens = serviceTokens(below - 1, oldest);
          return { tokens, total: null, next_cursor: oldest > 1 ? `older:${oldest}` : null };
        },
      },
    },
  })),
);

const { LIVE_PAGE, OVERLOADED_ROUND_MS, RELOAD_PAGE, useTimelineData } = await import('./timeline-data');

describe('useTimelineData under live load', () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    engine.calls.length = 0;
    engine.delayMs = 0;
  });

  /** The hook over the fake engine's `tokens` (layouts take 10 ms), and a clock to move in 100 ms steps. */
  async function mount(tokens = 50) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    engine.newest = tokens;
    const client = new QueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    const { result } = renderHook(() => useTimelineData({}, false, () => 10), { wrapper });
    const advance = async (ms: number) => {
      await act(async () => {
        for (let t = 0; t < ms; t += 100) await vi.advanceTimersByTimeAsync(100);
      });
    };
    await advance(200 + 3 * engine.delayMs);
    expect(result.current.tokens.data?.tokens).toHaveLength(tokens);
    return { result, advance };
  }

  it('reads the window again in smaller pages, each after a pause as long as the last took, once loaded', async () => {
    engine.delayMs = 50;
    const { result, advance } = await mount(12_000);
    const windowReads = () =>
      engine.calls.filter((call) => (call.input as AdminInput<'tokens.list'>).sort === 'issued_desc');
    const limits = () => windowReads().map((call) => (call.input as AdminInput<'tokens.list'>).limit);
    // The first load: 10,000 at a time, back to back.
    expect(limits()).toEqual([10_000, 10_000]);
    expect((engine.calls[1]?.at ?? 0) - (engine.calls[0]?.answered ?? 0)).toBeLessThan(20);
    engine.calls.length = 0;
    // A bulk revocation: the window is read again, RELOAD_PAGE at a time, each 50 ms after the last.
    act(() =>
      live.listener?.({
        events: [
          {
            id: 1,
            at: new Date().toISOString(),
            type: 'tokens.revoked',
            client_id: 'svc',
            username: null,
            token_id: null,
            data: {},
          },
        ],
        gap: null,
      }),
    );
    await advance(2000);
    expect(limits()).toEqual([RELOAD_PAGE, RELOAD_PAGE, RELOAD_PAGE]);
    const reads = windowReads();
    for (let i = 1; i < reads.length; i++)
      expect((reads[i]?.at ?? 0) - (reads[i - 1]?.answered ?? 0)).toBeGreaterThanOrEqual(50);
    expect(result.current.tokens.data?.tokens).toHaveLength(12_000);
  });

  it('reads a burst after a quiet spell a bounded page per round, until every token is drawn', async () => {
    const { result, advance } = await mount();
    // After 10 s of nothing, 6,000 tokens at once, their events in one batch (no gap): over the time
    // since the last round that is a low rate, so the rounds read every token, a bounded page each.
    await advance(10_000);
    const first = engine.newest + 1;
    engine.newest += 6000;
    act(() =>
      live.listener?.({
        events: serviceTokens(engine.newest, first)
          .reverse()
          .map((t) => serviceTokenIssued(t.seq ?? 0)),
        gap: null,
      }),
    );
    await advance(3000);
    const reads = engine.calls.filter(
      (call) => (call.input as AdminInput<'tokens.list'>).sort === 'issued_asc',
    );
    expect(reads.map((call) => (call.input as AdminInput<'tokens.list'>).limit)).toEqual([
      LIVE_PAGE,
      LIVE_PAGE,
      LIVE_PAGE,
    ]);
    expect(result.current.tokens.data?.tokens).toHaveLength(6050);
    expect(result.current.tokens.data?.tokens.at(-1)?.seq).toBe(engine.newest);
    expect(result.current.tokens.data?.holes).toEqual([]);
  });

  it('reads the newest tokens in rounds at least OVERLOADED_ROUND_MS apart while batches have gaps, at the usual pace without, and at once when the load ends', async () => {
    const { result, advance } = await mount();
    const sampledReads = () =>
      engine.calls.filter((call) => (call.input as AdminInput<'tokens.list'>).limit === 1000);
    const sampledSince = (since: number) => sampledReads().filter((call) => call.at >= since).length;
    /** A batch of `whole` new tokens, after `omitted` more that the batch's gap only counts. */
    const batch = (whole: number, omitted = 0) => {
      const first = engine.newest + omitted + 1;
      engine.newest += omitted + whole;
      const gap: LiveGap | null = omitted
        ? { issuers: { root: { omitted: { 'token.issued': omitted }, through: first - 1 } } }
        : null;
      act(() =>
        live.listener?.({
          events: serviceTokens(engine.newest, first).map((t) => serviceTokenIssued(t.seq ?? 0)),
          gap,
        }),
      );
    };

    // 5,000 tokens/s in whole batches of 500 every 100 ms: above the rate a round follows token by
    // token, so rounds read the newest 1,000, at the usual pace (300 ms: the layout here takes 10 ms).
    let since = Date.now();
    for (let t = 0; t < 30; t++) {
      batch(500);
      await advance(100);
    }
    const unpaced = sampledSince(since);
    expect(unpaced).toBeGreaterThanOrEqual(6);

    // Overloaded: a batch of 500 with a gap of 5,500 every 500 ms, for 10 s (the engine's pace then).
    since = Date.now();
    for (let t = 0; t < 20; t++) {
      batch(500, 5500);
      await advance(500);
    }
    const overloaded = sampledSince(since);
    // (The last round's answer applied.)
    await advance(100);
    expect(overloaded).toBeGreaterThanOrEqual(3);
    expect(overloaded).toBeLessThanOrEqual(Math.ceil(10_000 / OVERLOADED_ROUND_MS) + 1);
    // The newest token of the last round's read is drawn, and what the rounds skipped is a hole.
    expect(result.current.tokens.data?.tokens.at(-1)?.seq).toBe(engine.calls.at(-1)?.newest);
    expect(result.current.tokens.data?.holes.length).toBeGreaterThan(0);

    // Still overloaded until a round has just read; one more batch with a gap after it paces the next
    // round OVERLOADED_ROUND_MS after that one. Then the load falls to what the stream carries whole:
    // its first batch without a gap brings that round forward.
    const rounds = sampledReads().length;
    for (let t = 0; t < 25 && sampledReads().length === rounds; t++) {
      batch(500, 5500);
      await advance(100);
    }
    const roundAt = sampledReads().at(-1)?.at ?? Number.NaN;
    expect(sampledReads().length).toBeGreaterThan(rounds);
    batch(500, 5500);
    await advance(100);
    const fellAt = Date.now();
    batch(10);
    await advance(500);
    const read = sampledReads().find((call) => call.at >= fellAt);
    expect(read?.at).toBeLessThan(roundAt + OVERLOADED_ROUND_MS / 2);
    expect(result.current.tokens.data?.tokens.at(-1)?.seq).toBe(engine.newest);
  });
});
