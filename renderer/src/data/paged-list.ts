import {
  type InfiniteData,
  type QueryClient,
  type QueryKey,
  useInfiniteQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { AdminInput, AdminMethod, AdminOutput } from '../../../shared/contract';
import { callAdmin } from './contract-queries';
import { createReadPace } from './live-pace';

/**
 * A long list read page by page from a cursor-paged admin method (tokens.list with next_cursor,
 * events.page with next_before_id): the next page's parameter comes from the previous page's answer,
 * and the list ends when there is none. Pages may be short while more remain (the engine reads a
 * bounded slice per call), so only a null parameter ends it.
 */
export interface PagedListOptions<M extends AdminMethod, Row, Param> {
  method: M;
  /**
   * The view's cache key, filter included. Its root must not be an invalidation target
   * (data/invalidation.ts: use "view.tokens", not "tokens.list"): a view that keeps itself current
   * from the live stream would otherwise refetch every loaded page on every event.
   */
  key: QueryKey;
  /** The method's input for one page; `param` is null for the first. */
  input: (param: Param | null) => AdminInput<M>;
  rows: (output: AdminOutput<M>) => readonly Row[];
  /** The parameter of the page after this one; null at the end. */
  next: (output: AdminOutput<M>) => Param | null;
  /** Calls the method another way than for the selected issuer (every issuer's list). */
  call?: (input: AdminInput<M>) => Promise<AdminOutput<M>>;
  enabled?: boolean;
}

/** How long one page's read goes on through empty pages before the view shows it (see queryFn). */
const READ_ON_MS = 500;

/**
 * Reads are paced (live-pace.ts `createReadPace`): a list whose filter few rows match reads the whole
 * log in slices of ~60 ms each (the engine reads a bounded slice per call, one call at a time), 5,000,000
 * events in some 13 calls. All but the first page's first UNPACED_MS: its rows are what the user waits
 * for, and a filter's first matches mostly come within two slices.
 */
const UNPACED_MS = 150;

export type PagedData<M extends AdminMethod, Param> = InfiniteData<AdminOutput<M>, Param | null>;

export function usePagedList<M extends AdminMethod, Row, Param>(options: PagedListOptions<M, Row, Param>) {
  const { method, key, input, rows, next, call, enabled = true } = options;
  const [pace] = useState(createReadPace);
  const query = useInfiniteQuery<AdminOutput<M>, Error, PagedData<M, Param>, QueryKey, Param | null>({
    queryKey: key,
    queryFn: async ({ pageParam, signal }) => {
      const started = performance.now();
      const first = pageParam === null;
      let param = pageParam as Param | null;
      for (;;) {
        const page = input(param);
        if (!first || performance.now() - started >= UNPACED_MS) await pace.rest(signal);
        const output = await pace.read(() => (call ? call(page) : callAdmin(method, page)));
        // No rows but more to read (the engine read only slices with nothing matching): read on here
        // (for the first page at once), a while, rather than after a render, a commit and an effect of
        // the empty page (20–45 ms under load: a search's first rows came a call later). The page stands
        // for the pages it read through: its cursor is the last one's. Past READ_ON_MS the view shows
        // the empty page ("Searching older…") and reads on by itself.
        const after = next(output);
        if (rows(output).length > 0 || after === null || signal.aborted) return output;
        if (performance.now() - started >= READ_ON_MS) return output;
        param = after;
      }
    },
    initialPageParam: null,
    getNextPageParam: (last) => next(last) ?? undefined,
    enabled,
    // Kept current by its view from the live stream; a refetch of every loaded page is never wanted.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    // Dropped once no view shows it: nothing keeps a list current while it is not shown, so coming
    // back to a filter (or to the page) reads it again instead of showing what it was then.
    gcTime: 0,
  });
  const { data, hasNextPage, isFetchingNextPage, isFetching, fetchNextPage } = query;
  const all = useMemo(() => data?.pages.flatMap((page) => rows(page)) ?? [], [data, rows]);
  const loadMore = useCallback(() => {
    // One page at a time: the next page's cursor is the last page's answer.
    if (hasNextPage && !isFetching) void fetchNextPage();
  }, [hasNextPage, isFetching, fetchNextPage]);
  const queryClient = useQueryClient();
  const restart = useCallback(() => restartPagedList(queryClient, key), [queryClient, key]);
  return { query, rows: all, loadMore, loadingMore: isFetchingNextPage, hasMore: hasNextPage, restart };
}

/**
 * Reads the list again from its first page, keeping the rows shown until that page answers (no
 * spinner): the pages after it are dropped, and read again as the view scrolls to them. For changes
 * a view cannot apply row by row (a bulk revocation, a purge, a workspace import).
 */
export function restartPagedList(queryClient: QueryClient, key: QueryKey): Promise<void> {
  queryClient.setQueryData<InfiniteData<unknown, unknown>>(key, (data) =>
    data && data.pages.length > 1
      ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) }
      : data,
  );
  return queryClient.invalidateQueries({ queryKey: key, exact: true });
}
