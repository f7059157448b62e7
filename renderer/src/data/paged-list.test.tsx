import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../../shared/contract';
import type { EngineEvent } from '../../../shared/schemas';
import { usePagedList } from './paged-list';

type Page = AdminOutput<'events.page'>;

const event = (id: number): EngineEvent => ({
  id,
  at: new Date(0).toISOString(),
  type: 'request',
  client_id: 'svc',
  username: null,
  token_id: null,
  data: {},
});

/**
 * A log read as the engine reads it for a selective filter: `empty` calls answer no rows but a cursor
 * (slices with nothing matching), each after `delayMs`; then pages of matches. `forever`: never a match.
 */
function engineLog({
  empty,
  delayMs = 1,
  forever = false,
}: {
  empty: number;
  delayMs?: number;
  forever?: boolean;
}) {
  const asked: Array<number | null> = [];
  /** When each call began and when it was answered. */
  const times: Array<{ began: number; answered: number }> = [];
  const call = async (input: { before_id?: number }): Promise<Page> => {
    asked.push(input.before_id ?? null);
    const began = performance.now();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    times.push({ began, answered: performance.now() });
    const before = input.before_id ?? 1000;
    if (forever || asked.length <= empty) return { events: [], next_before_id: before - 100 };
    return { events: [event(before - 1), event(before - 2)], next_before_id: before - 2 };
  };
  return { asked, times, call };
}

function pagedList(log: ReturnType<typeof engineLog>, filter = 'q') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: 0 } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  /** Every set of rows a render showed. */
  const shown: number[][] = [];
  const view = renderHook(
    ({ key }: { key: string }) => {
      const list = usePagedList({
        method: 'events.page',
        key: ['view.paged-test', key],
        input: (before: number | null) => (before === null ? { limit: 2 } : { limit: 2, before_id: before }),
        rows: (page: Page) => page.events,
        next: (page: Page) => page.next_before_id,
        call: log.call as (input: unknown) => Promise<Page>,
      });
      if (list.query.data) shown.push(list.rows.map((row) => row.id));
      return list;
    },
    { wrapper, initialProps: { key: filter } },
  );
  return { view, shown };
}

afterEach(cleanup);

describe('usePagedList', () => {
  it('reads on through pages with no rows but a cursor, and shows the first rows found at once', async () => {
    const log = engineLog({ empty: 3 });
    const { view, shown } = pagedList(log);
    await waitFor(() => expect(view.result.current.rows.map((row) => row.id)).toEqual([699, 698]));
    // One query, four calls, each from where the last one stopped: no render of an empty page between.
    expect(log.asked).toEqual([null, 900, 800, 700]);
    expect(shown.every((ids) => ids.length > 0)).toBe(true);
    expect(view.result.current.query.data?.pages).toHaveLength(1);
    expect(view.result.current.hasMore).toBe(true);
  });

  it('shows the empty page after a while, the cursor with it, when nothing matches for long', async () => {
    const log = engineLog({ empty: 0, delayMs: 20, forever: true });
    const { view } = pagedList(log);
    await waitFor(() => expect(view.result.current.query.data).toBeDefined(), { timeout: 3000 });
    expect(view.result.current.rows).toEqual([]);
    expect(view.result.current.hasMore).toBe(true);
    // Read for about READ_ON_MS (500 ms) at 20 ms a call: more than one call, far fewer than forever.
    expect(log.asked.length).toBeGreaterThan(5);
    expect(log.asked.length).toBeLessThan(100);
  });

  it('gives the engine as long again as its last answer took before each read, but for the first page’s first 150 ms', async () => {
    // Every slice takes the engine 60 ms and holds nothing: the first page's first three calls go at
    // once (the first rows are waited for), every call after them 60 ms after the last answer.
    const log = engineLog({ empty: 0, delayMs: 60, forever: true });
    const { view } = pagedList(log);
    await waitFor(() => expect(view.result.current.query.data).toBeDefined(), { timeout: 3000 });
    const firstPage = log.times.length;
    const gap = (i: number) => (log.times[i]?.began ?? 0) - (log.times[i - 1]?.answered ?? 0);
    expect(firstPage).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < 3; i++) expect(gap(i)).toBeLessThan(40);
    for (let i = 3; i < firstPage; i++) expect(gap(i)).toBeGreaterThanOrEqual(55);
    view.result.current.loadMore();
    await waitFor(() => expect(log.times.length).toBeGreaterThanOrEqual(firstPage + 3), { timeout: 3000 });
    for (let i = firstPage; i < firstPage + 3; i++) expect(gap(i)).toBeGreaterThanOrEqual(55);
  });

  it('stops reading on for a filter no longer shown', async () => {
    const log = engineLog({ empty: 0, delayMs: 20, forever: true });
    const { view } = pagedList(log, 'first');
    await waitFor(() => expect(log.asked.length).toBeGreaterThan(2));
    view.rerender({ key: 'second' });
    const second = log.asked.lastIndexOf(null);
    expect(second).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // After the second filter's first call, every call is the second filter's: one chain, not two.
    const after = log.asked.slice(second);
    expect(after).toEqual(after.map((_, i) => (i === 0 ? null : 1000 - 100 * i)));
  });
});
