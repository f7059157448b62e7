import type { LiveGap } from '../../../../shared/live-gap';
import type { EngineEvent } from '../../../../shared/schemas';
import type { EventMatch } from './event-match';

/**
 * The Activity list under live events, as plain data (the page's hook holds one in React state).
 *
 * The list is `head` (events that arrived live, newest first) above pages read from the engine.
 * `head` is always a complete run of matching events: every matching event from its oldest to its
 * newest, since each arrives on the stream. So when it grows past `max`, only its newest `keep` stay
 * and the pages are read again from below them (`anchor`): memory stays bounded under any load, and
 * nothing in between is lost.
 *
 * While the user looks at older rows (`held`), new events wait in `pending` and the rows stay still;
 * `pendingCount` counts them all, including those dropped past `max` (then the list restarts from
 * the pending ones when shown).
 */
export interface LiveView {
  head: readonly EngineEvent[];
  /** The pages are read from below this id (`before_id`); null: from the newest event. */
  anchor: number | null;
  pending: readonly EngineEvent[];
  pendingCount: number;
  /**
   * Events were left out of the stream (a gap) while held, newest this id: `pending` is complete only
   * above it, so when shown the pages are read again from it down. null: no gap while held.
   */
  pendingThrough: number | null;
}

/** What a live batch left out that may match the filter: how many, and the newest id left out. */
export interface LiveGapSummary {
  count: number;
  through: number;
}

export interface LiveLimits {
  /** The most events held in `head` (or in `pending`). */
  max: number;
  /** How many of the newest stay when `head` outgrows `max`. */
  keep: number;
}

/**
 * What a gap (events the stream left out under load) means for a filter: how many of the left-out
 * events it may list (by type: the rest of a filter is not known without the events) and the newest
 * id left out; null when the filter's type was not left out.
 */
export function gapSummary(gap: LiveGap, match: EventMatch): LiveGapSummary | null {
  let count = 0;
  let through = 0;
  let relevant = false;
  for (const issuer of Object.values(gap.issuers)) {
    const types = Object.entries(issuer.omitted).filter(
      ([type]) => match.type === undefined || type === match.type,
    );
    if (types.length === 0 && !issuer.uncounted) continue;
    relevant = true;
    // An uncounted gap (a reconnect after a long absence) counts as one: the rows are read again anyway.
    count += issuer.uncounted ? 1 : types.reduce((sum, [, n]) => sum + (n ?? 0), 0);
    through = Math.max(through, issuer.through);
  }
  return relevant ? { count, through } : null;
}

export const EMPTY_LIVE_VIEW: LiveView = {
  head: [],
  anchor: null,
  pending: [],
  pendingCount: 0,
  pendingThrough: null,
};

/** A batch of stream events (in arrival order) newest first, without any already at or below `above`. */
function newestFirst(batch: readonly EngineEvent[], above: number): EngineEvent[] {
  const fresh: EngineEvent[] = [];
  for (let i = batch.length - 1; i >= 0; i--) {
    const event = batch[i] as EngineEvent;
    if (event.id > above) fresh.push(event);
  }
  // Arrival order is id order for one issuer's stream; sorting keeps that true for any batch.
  return fresh.sort((a, b) => b.id - a.id);
}

/** `head` within `max`: beyond it, its newest `keep` and pages read again from below them. */
function bounded(view: LiveView, limits: LiveLimits): LiveView {
  if (view.head.length <= limits.max) return view;
  const head = view.head.slice(0, limits.keep);
  const oldest = head[head.length - 1];
  return { ...view, head, anchor: oldest ? oldest.id : view.anchor };
}

/**
 * Adds a batch of matching live events: above the rows when the user is at the top, held back
 * otherwise. `newestKnown` is the newest id already listed (the first page's), so an event that
 * both a page and the stream brought is listed once.
 */
export function applyLiveBatch(
  view: LiveView,
  batch: readonly EngineEvent[],
  options: LiveLimits & { held: boolean; newestKnown: number },
  gap: LiveGapSummary | null = null,
): LiveView {
  const top = Math.max(options.newestKnown, view.pending[0]?.id ?? 0, view.head[0]?.id ?? 0);
  if (gap && gap.through > top) return applyGap(view, newestFirst(batch, gap.through), options, gap);
  const fresh = newestFirst(batch, top);
  if (fresh.length === 0) return view;
  if (options.held) {
    return {
      ...view,
      pending: [...fresh, ...view.pending].slice(0, options.max),
      pendingCount: view.pendingCount + fresh.length,
    };
  }
  return bounded({ ...view, head: [...fresh, ...view.head] }, options);
}

/**
 * A batch after a gap in the stream: only its events above the gap (`fresh`, newest first) are a
 * complete run. At the top they become the head and the pages are read again from below them, so
 * the newest page the engine has shows what the stream left out. Held, they replace what was held
 * (the gap lies between), counted with what was left out, and showing them reads the pages again.
 */
function applyGap(
  view: LiveView,
  fresh: EngineEvent[],
  options: LiveLimits & { held: boolean },
  gap: LiveGapSummary,
): LiveView {
  if (options.held) {
    return {
      ...view,
      pending: fresh.slice(0, options.max),
      pendingCount: view.pendingCount + fresh.length + gap.count,
      pendingThrough: gap.through,
    };
  }
  const oldest = fresh[fresh.length - 1];
  return bounded({ ...EMPTY_LIVE_VIEW, head: fresh, anchor: oldest ? oldest.id : gap.through + 1 }, options);
}

/** Shows the held events above the rows ("N new events — show", or scrolling back to the top). */
export function showPending(view: LiveView, limits: LiveLimits): LiveView {
  if (view.pendingCount === 0) return view;
  if (view.pendingCount > view.pending.length) {
    // Some were dropped (or left out of the stream): between the held ones and the rows is a gap, so
    // the list restarts below them.
    const oldest = view.pending[view.pending.length - 1];
    const below = view.pendingThrough === null ? view.anchor : view.pendingThrough + 1;
    return bounded({ ...EMPTY_LIVE_VIEW, head: view.pending, anchor: oldest ? oldest.id : below }, limits);
  }
  return bounded(
    { ...view, head: [...view.pending, ...view.head], pending: [], pendingCount: 0, pendingThrough: null },
    limits,
  );
}

/**
 * The rows to show: the live head, then the pages. A head event at or below the pages' newest is
 * already in them (the page was read after it arrived), so the head stops there.
 */
export function visibleRows(head: readonly EngineEvent[], pages: readonly EngineEvent[]): EngineEvent[] {
  const first = pages[0];
  if (head.length === 0) return pages as EngineEvent[];
  if (!first) return head as EngineEvent[];
  let end = 0;
  while (end < head.length && (head[end] as EngineEvent).id > first.id) end++;
  return end === 0 ? (pages as EngineEvent[]) : [...head.slice(0, end), ...pages];
}
