import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AdminOutput } from '../../../../shared/contract';
import type { EngineEvent } from '../../../../shared/schemas';
import { adminApi } from '../../api';
import { onBackLive } from '../../data/live-connection';
import { afterPaint, createGapPace, watchOverload } from '../../data/live-pace';
import { usePagedList } from '../../data/paged-list';
import { type EventMatch, matchesEvent } from './event-match';
import {
  applyLiveBatch,
  EMPTY_LIVE_VIEW,
  gapSummary,
  type LiveGapSummary,
  type LiveView,
  showPending,
  visibleRows,
} from './live-view';

/**
 * The list's own query root: not under "events", so LiveUpdates does not refetch every page read so
 * far on each event; live events are added to the list directly instead (see live-view.ts).
 */
export const EVENTS_VIEW_ROOT = 'view.events';
/** Events per call; the engine may answer fewer (it reads a bounded slice of the log per call). */
const PAGE_LIMIT = 200;
/** Live events are applied together, this long after the first of a burst: one render per burst. */
const FLUSH_MS = 100;
/** Live events held above the pages, and how many stay when that is exceeded (see live-view.ts). */
const LIVE_LIMITS = { max: 4000, keep: 1000 };

const eventsOf = (page: AdminOutput<'events.page'>) => page.events;
// A short (even empty) page with a next id is not the end: only null is.
const nextBeforeId = (page: AdminOutput<'events.page'>) => page.next_before_id;

/** Pages of events matching the filter, newest first, from below `anchor` (or from the newest). */
function useEventPages(match: EventMatch, anchor: number | null, enabled: boolean) {
  const key = useMemo(() => [EVENTS_VIEW_ROOT, match, anchor], [match, anchor]);
  const input = useCallback(
    (beforeId: number | null) => {
      const before = beforeId ?? anchor;
      return { ...match, limit: PAGE_LIMIT, ...(before === null ? {} : { before_id: before }) };
    },
    [match, anchor],
  );
  return usePagedList({ method: 'events.page', key, input, rows: eventsOf, next: nextBeforeId, enabled });
}

/** The live view of one filter; another filter starts from scratch. */
interface KeyedView {
  match: EventMatch;
  view: LiveView;
}

/**
 * Applies live events (of the selected issuer) matching the filter to a LiveView, a burst at a time.
 * `held()` says whether the user looks at older rows; `newestKnown()` is the newest id the pages hold.
 */
function useLiveView(
  match: EventMatch,
  options: {
    enabled: boolean;
    held: () => boolean;
    newestKnown: () => number;
    /** How many live events matched, in a batch. */
    onMatched: (n: number) => void;
    onWorkspaceReset: () => void;
  },
) {
  const [state, setState] = useState<KeyedView>({ match, view: EMPTY_LIVE_VIEW });
  const view = state.match === match ? state.view : EMPTY_LIVE_VIEW;
  const update = useCallback(
    (change: (view: LiveView) => LiveView) =>
      setState((previous) => {
        const current = previous.match === match ? previous.view : EMPTY_LIVE_VIEW;
        const next = change(current);
        // Unchanged (nothing held to show, no matching event): no render.
        return next === current && previous.match === match ? previous : { match, view: next };
      }),
    [match],
  );
  const latest = useRef(options);
  latest.current = options;
  const { enabled } = options;
  useEffect(() => {
    if (!enabled) return;
    // Nothing was followed while off (or for another filter): what the head held may have gaps now.
    update(() => EMPTY_LIVE_VIEW);
    let buffer: EngineEvent[] = [];
    let gap: LiveGapSummary | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // While the stream is overloaded, a flush waits by what the last one cost (live-pace.ts): each
    // shows the newest rows and reads the pages again below them.
    const pace = createGapPace();
    // Once the rate falls, a flush paced for the overload goes at the usual pace.
    const load = watchOverload(() => {
      if (timer === null) return;
      clearTimeout(timer);
      timer = setTimeout(flush, flushDelay());
    });
    let lastFlush = Number.NEGATIVE_INFINITY;
    const flushDelay = () =>
      load.overloaded ? Math.max(FLUSH_MS, lastFlush + pace.wait(FLUSH_MS) - performance.now()) : FLUSH_MS;
    const flush = () => {
      lastFlush = performance.now();
      void pace.measure(() => {
        apply();
        return afterPaint();
      });
    };
    const apply = () => {
      timer = null;
      const batch = buffer;
      const left = gap;
      buffer = [];
      gap = null;
      const { held, newestKnown, onMatched, onWorkspaceReset } = latest.current;
      // A reset deleted the log: what is shown is gone, and the pages are read again.
      if (batch.some((event) => event.type === 'workspace.reset')) {
        update(() => EMPTY_LIVE_VIEW);
        onWorkspaceReset();
        return;
      }
      const matching = batch.filter((event) => matchesEvent(event, match));
      if (matching.length === 0 && !left) return;
      update((current) =>
        applyLiveBatch(current, matching, { ...LIVE_LIMITS, held: held(), newestKnown: newestKnown() }, left),
      );
      onMatched(matching.length + (left?.count ?? 0));
    };
    const unsubscribe = adminApi.live.subscribeBatch((batch) => {
      // One by one: a spread of a very large batch would overflow the call's arguments.
      for (const event of batch.events) buffer.push(event);
      const more = batch.gap && gapSummary(batch.gap, match);
      if (more)
        gap = { count: (gap?.count ?? 0) + more.count, through: Math.max(gap?.through ?? 0, more.through) };
      load.batch(batch.gap);
      if (batch.events.length > 0 || more) timer ??= setTimeout(flush, flushDelay());
    });
    // Events sent while the stream was down may be missing: back live, the list starts again from
    // the newest (LiveUpdates refetches every query then, these pages included).
    const unwatch = onBackLive(() => update(() => EMPTY_LIVE_VIEW));
    return () => {
      unsubscribe();
      unwatch();
      load.dispose();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, match, update]);
  const show = useCallback(() => update((current) => showPending(current, LIVE_LIMITS)), [update]);
  return { view, show };
}

/**
 * The Activity list over a log of millions: pages read newest first as the user scrolls, live events
 * (with their full content) added above without asking the engine again, held back while the user
 * looks at older rows, and the count of matches apart.
 */
export function useActivityEvents(
  match: EventMatch,
  options: {
    enabled: boolean;
    /** How many live events matched, in a batch. */
    onMatched: (n: number) => void;
    /** The log was emptied (workspace.reset): the list reads it again, and so must a count. */
    onReset: () => void;
  },
) {
  const queryClient = useQueryClient();
  const atTop = useRef(true);
  const newestKnown = useRef(0);
  const live = useLiveView(match, {
    enabled: options.enabled,
    held: () => !atTop.current,
    newestKnown: () => newestKnown.current,
    onMatched: options.onMatched,
    onWorkspaceReset: () => {
      void queryClient.resetQueries({ queryKey: [EVENTS_VIEW_ROOT] });
      options.onReset();
    },
  });
  const { query: pages, rows: paged, loadMore } = useEventPages(match, live.view.anchor, options.enabled);
  newestKnown.current = paged[0]?.id ?? 0;
  const rows = useMemo(() => visibleRows(live.view.head, paged), [live.view.head, paged]);
  // A selective filter may read many slices before its first match: keep reading while nothing shows
  // (the table asks for more by itself once it has rows, while they do not fill it).
  useEffect(() => {
    if (rows.length > 0) return;
    // No table, so no scrolled-down rows to hold still: the next table starts at its top.
    atTop.current = true;
    loadMore();
  }, [rows.length, loadMore]);
  const { show } = live;
  const onAtTopChange = useCallback(
    (top: boolean) => {
      atTop.current = top;
      // Back at the top by scrolling: the held events show, as "show" would.
      if (top) show();
    },
    [show],
  );
  return {
    pages,
    rows,
    loadMore,
    pendingCount: live.view.pendingCount,
    showPending: show,
    onAtTopChange,
  };
}
