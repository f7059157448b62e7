/**
 * The timeline's data: its tokens loaded once by cursor pages (up to WINDOW_CAP, newest first), and
 * the events drawn on them; then kept current from the live stream without reloading them. A new
 * token fetches what came after the newest held, a changed token refetches its row by id, and only
 * a change too wide to follow row by row (a bulk revocation, a purge, an import, a clock move)
 * reloads. Work is coalesced: at most one fetch at a time, a few times a second under load. Under a
 * rate the stream cannot carry whole, a round reads only the newest tokens and leaves holes (SAMPLE).
 */
import { type QueryClient, type QueryKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { AdminInput, AdminOutput } from '../../../../../shared/contract';
import type { EngineEvent, Token } from '../../../../../shared/schemas';
import { cursorAfter } from '../../../../../shared/token-cursor';
import { adminApi } from '../../../api';
import { createCoalescer } from '../../../data/coalesce';
import {
  createGapPace,
  createReadPace,
  GAP_BUDGET,
  type GapPace,
  OVERLOAD_QUIET_MS,
} from '../../../data/live-pace';
import { gapIssued, planFor, planForGap, type TimelineMatch } from './live-plan';
import {
  applyNewer,
  fromNewestPages,
  holesWithin,
  newestIds,
  newestSeq,
  replaceRows,
  sampleNewer,
  type TokenHole,
  WINDOW_CAP,
} from './token-window';

/**
 * The timeline's own query root: LiveUpdates does not invalidate it (a burst of events would keep
 * cancelling and restarting a 100,000-token load); it applies events itself.
 */
const TIMELINE_ROOT = 'lab.timeline';
/** Rows per page of tokens.list (its maximum), and ids per refetch by id (the filter's maximum). */
const PAGE = 10_000;
const IDS_PER_CALL = 1000;
/** The drawn events held at most (each kind loads its newest 5,000; live ones are added). */
const EVENTS_CAP = 50_000;
/**
 * Between two rounds of live changes: new tokens show within about this, plus the fetch. Each round
 * costs the main thread its layout (in slices) and a render, so the interval grows with what the last
 * round cost, keeping the page's share of the main thread bounded under a flood of tokens.
 */
const LIVE_INTERVAL_MS = 300;
const MAX_LIVE_INTERVAL_MS = 900;
const LAYOUT_SHARE = 4;

export function liveInterval(layoutMs: number): number {
  return Math.min(MAX_LIVE_INTERVAL_MS, Math.max(LIVE_INTERVAL_MS, layoutMs * LAYOUT_SHARE));
}
/** In every issuer's timeline new tokens are read newest first until one held: the newest held compared. */
const OVERLAP = 2000;
/**
 * Above this rate of new tokens (or while the live stream is overloaded: every batch has a gap), a
 * round reads only the newest SAMPLE tokens instead of every one issued since the last round, and
 * rounds are paced by their cost (live-pace.ts). Reading each token back cost the engine some 24 µs
 * per token it issued, a quarter of its throughput at full speed (docs/BENCHMARKS.md); below this rate
 * that is at most 6% of a core, and every token is drawn. What a round skips is a hole, shaded on the
 * canvas and read by a reload once the rate falls.
 */
const SAMPLE_ABOVE_PER_S = 2500;
const SAMPLE = 1000;
/**
 * While the live stream is overloaded (every batch has a gap), rounds are at least this far apart.
 * With 100,000 tokens in the window a round costs the main thread some 130 ms all told (the read, the
 * layout, React's render, the draw; CPU profile under the UI bench's full-speed load), of which the
 * pace (live-pace.ts) measures the round and the layout, about half: rounds went every 0.9 s, and the
 * page took 15–20% of a core from the engine and the load beside it. New tokens still show every 2 s.
 */
export const OVERLOADED_ROUND_MS = 2000;

export interface TimelineTokens {
  /** Oldest first. */
  tokens: Token[];
  /** Older tokens match too (the load stopped at the cap). */
  truncated: boolean;
  /** Every match, when the load stopped at the cap and it was counted (exact false: an estimate). */
  total: { count: number; exact: boolean } | null;
  /** Spans whose tokens were not read under a high rate (oldest first); none after a load. */
  holes: TokenHole[];
}

type List = (input: AdminInput<'tokens.list'>) => Promise<AdminOutput<'tokens.list'>>;

/** The lists the timeline reads, of the selected issuer or (`every`) of every issuer, each row naming its issuer. */
function timelineSource(every: boolean) {
  return every
    ? {
        tokens: adminApi.everyIssuer.tokens as List,
        events: adminApi.everyIssuer.events,
        live: adminApi.everyIssuer.subscribeBatch,
      }
    : {
        tokens: adminApi.tokens.list as List,
        events: adminApi.events.list,
        live: adminApi.live.subscribeBatch,
      };
}

/** A page of tokens, newest first, without a count, after `cursor` (null: from the newest). */
function newestPage(list: List, match: TimelineMatch, limit: number, cursor: string | null) {
  return list({ ...match, sort: 'issued_desc', count: false, limit, ...(cursor ? { cursor } : {}) });
}

/**
 * A reload's pages (the window read again after a gap, or once the rate falls) are this size, and
 * paced (live-pace.ts `createReadPace`): the first load reads 10,000 at a time at once (its rows are
 * what the user waits for), but a reload comes under live load, where each 10,000-token page held the
 * engine's one thread for ~240 ms, back to back, and the token endpoint fell 400 requests behind at
 * 2,000 tokens/s. The old window stays drawn meanwhile.
 */
export const RELOAD_PAGE = 5000;

/**
 * The newest tokens matching, by cursor pages (no count of every match unless the cap is reached);
 * `reload`: smaller pages, paced (RELOAD_PAGE).
 */
async function loadWindow(
  list: List,
  match: TimelineMatch,
  every: boolean,
  reload: boolean,
): Promise<TimelineTokens> {
  const pages: Token[][] = [];
  let held = 0;
  let cursor: string | null = null;
  const pace = createReadPace();
  do {
    if (reload) await pace.rest();
    const page: AdminOutput<'tokens.list'> = await pace.read(() =>
      newestPage(list, match, Math.min(reload ? RELOAD_PAGE : PAGE, WINDOW_CAP - held), cursor),
    );
    pages.push(page.tokens);
    held += page.tokens.length;
    cursor = page.next_cursor ?? null;
  } while (cursor !== null && held < WINDOW_CAP);
  const truncated = cursor !== null;
  // Counted apart, and only when it says more than the list: counting a million rows is not free.
  const total = truncated && !every ? await adminApi.tokens.count(match) : null;
  return { tokens: fromNewestPages(pages), truncated, total, holes: [] };
}

/**
 * New tokens a round reads at most by sequence (one issuer); more are read by the next round. Below
 * SAMPLE_ABOVE_PER_S a round (at most MAX_LIVE_INTERVAL_MS apart) finds fewer. Without a bound, the
 * first round of a sudden flood (before its rate is known) chased the newest token page after page,
 * 10,000 at a time, while the engine issued more: some 10,000 tokens read back in its first second.
 */
export const LIVE_PAGE = SAMPLE_ABOVE_PER_S;

/** Tokens issued after the newest held (one issuer, its sequence the cursor): one page, and whether more follow. */
async function fetchAfter(list: List, match: TimelineMatch, seq: number): Promise<Newer> {
  const page = await list({
    ...match,
    sort: 'issued_asc',
    cursor: cursorAfter('issued_asc', { seq }),
    count: false,
    limit: LIVE_PAGE,
  });
  return { tokens: page.tokens, hole: null, more: page.next_cursor != null };
}

/**
 * Tokens issued since the last read, of every issuer: the engine's every-issuer cursor holds a
 * position per issuer, so rather than build one this reads newest first (following the cursors the
 * engine answers) until it meets a token already held. Null: it never met one (reload instead).
 */
async function fetchNewestUntilHeld(
  list: List,
  match: TimelineMatch,
  held: Set<string>,
): Promise<Token[] | null> {
  const found: Token[] = [];
  let cursor: string | null = null;
  do {
    const limit = found.length === 0 ? OVERLAP : PAGE;
    const page: AdminOutput<'tokens.list'> = await newestPage(list, match, limit, cursor);
    const fresh = page.tokens.filter((token) => !held.has(token.id));
    found.push(...fresh);
    if (fresh.length < page.tokens.length) return found;
    cursor = page.next_cursor ?? null;
  } while (cursor !== null && found.length < WINDOW_CAP);
  return cursor === null ? found : null;
}

/** Rows by id, a thousand per call; every id asked and the rows answered. */
async function fetchRows(list: List, ids: readonly string[]): Promise<Token[]> {
  const rows: Token[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const chunk = ids.slice(i, i + IDS_PER_CALL);
    let cursor: string | null = null;
    do {
      const page: AdminOutput<'tokens.list'> = await list({
        ids: chunk,
        count: false,
        limit: chunk.length,
        ...(cursor ? { cursor } : {}),
      });
      rows.push(...page.tokens);
      cursor = page.next_cursor ?? null;
    } while (cursor !== null);
  }
  return rows;
}

/** Tokens issued after those held, and the hole before them if some were not read. */
interface Newer {
  tokens: Token[];
  hole: TokenHole | null;
  /** Newer tokens follow these, for the next round to read. */
  more?: boolean;
}

/**
 * Tokens issued after those held. One issuer: a page after the newest sequence held (`more` says
 * whether the next round reads on). Every issuer (or rows without a sequence): newest first until
 * what is held. Null: that never met a held token.
 */
async function fetchNewer(
  list: List,
  match: TimelineMatch,
  every: boolean,
  held: readonly Token[],
): Promise<Newer | null> {
  const newest = every ? null : newestSeq(held);
  if (newest !== null) return fetchAfter(list, match, newest);
  const tokens = await fetchNewestUntilHeld(list, match, newestIds(held, OVERLAP));
  return tokens && { tokens, hole: null };
}

/** Under overload: the newest SAMPLE tokens only, and the hole between them and those held. */
async function sampleNewest(
  list: List,
  match: TimelineMatch,
  every: boolean,
  held: readonly Token[],
): Promise<Newer> {
  const page = await newestPage(list, match, SAMPLE, null);
  const counted = !every && !match.kind && !match.client_id && !match.username;
  const { newer, hole } = sampleNewer(held, page.tokens, Boolean(page.next_cursor), counted);
  return { tokens: newer, hole };
}

/** The events drawn: uses, reuse detections, signing-key stages, settings changes (clock moves). */
const LINE_EVENT_TYPES = [
  'key.staged',
  'key.activated',
  'key.rotated',
  'key.retired',
  'settings.changed',
] as const;

async function loadEvents(source: ReturnType<typeof timelineSource>): Promise<EngineEvent[]> {
  const lists = await Promise.all([
    source.events({ type: 'token.introspected', limit: 5000 }),
    source.events({ type: 'token.reuse_detected', limit: 5000 }),
    source.events({ type: 'request', endpoint: 'userinfo', limit: 5000 }),
    source.events({ type: 'token.refreshed', limit: 5000 }),
    ...LINE_EVENT_TYPES.map((type) => source.events({ type, limit: 1000 })),
  ]);
  return lists.flat();
}

/** Live events added to those loaded, each once, the oldest dropped past the cap. */
export function addEvents(held: readonly EngineEvent[], added: readonly EngineEvent[]): EngineEvent[] {
  const known = new Set(held.map((event) => event.id));
  const fresh = added.filter((event) => !known.has(event.id));
  if (fresh.length === 0) return held as EngineEvent[];
  const events = [...held, ...fresh];
  return events.length > EVENTS_CAP ? events.slice(events.length - EVENTS_CAP) : events;
}

interface PendingWork {
  tail: boolean;
  ids: Set<string>;
  grants: Set<string>;
  reload: boolean;
  reloadEvents: boolean;
  /** A gap left out events that changed rows: reload when the last reload is GAP_RELOAD_MS old. */
  gapReload: 'tokens' | 'all' | null;
  events: EngineEvent[];
}

const noWork = (): PendingWork => ({
  tail: false,
  ids: new Set(),
  grants: new Set(),
  reload: false,
  reloadEvents: false,
  gapReload: null,
  events: [],
});

/**
 * Under a load heavy enough for the stream to leave events out, nearly every batch has a gap:
 * reloading 100,000 tokens for each would never end, so a gap's reload waits at least this long after
 * the last, and longer while the last cost more than GAP_BUDGET of the time (live-pace.ts).
 */
const GAP_RELOAD_MS = 10_000;
/** The longest a gap's reload waits for its budget (a slow reload of a full window: once a minute). */
const GAP_RELOAD_MAX_MS = 60_000;
/**
 * While rounds read only the newest tokens (a rate too high to follow), a gap's reload waits this
 * long after the last: each reads the whole window again (100,000 tokens and the drawn events), which
 * took the engine a third of its throughput for seconds, every 10 s under a sustained load (measured
 * with the UI bench). Once the rate falls it goes at GAP_RELOAD_MS, with the holes' reload.
 */
const GAP_RELOAD_SAMPLING_MS = 60_000;

/** Runs one round of pending work against the tokens under `key`. */
async function runWork(
  queryClient: QueryClient,
  keys: { tokens: QueryKey; events: QueryKey },
  list: List,
  match: TimelineMatch,
  every: boolean,
  work: PendingWork,
  requeue: (work: PendingWork) => void,
  reloads: { last: number; pace: GapPace },
  sample: boolean,
): Promise<void> {
  if (work.gapReload && !work.reload) {
    const least = sample ? GAP_RELOAD_SAMPLING_MS : GAP_RELOAD_MS;
    if (performance.now() - reloads.last >= reloads.pace.wait(least)) {
      work.reload = true;
      work.reloadEvents ||= work.gapReload === 'all';
    } else requeue({ ...noWork(), gapReload: work.gapReload });
  }
  if (work.events.length > 0) {
    const added = work.events;
    queryClient.setQueryData<EngineEvent[]>(keys.events, (held) => (held ? addEvents(held, added) : held));
  }
  if (work.reloadEvents) await queryClient.refetchQueries({ queryKey: keys.events, exact: true });
  const state = queryClient.getQueryState<TimelineTokens>(keys.tokens);
  if (work.reload) {
    await reloads.pace.measure(() => queryClient.refetchQueries({ queryKey: keys.tokens, exact: true }));
    reloads.last = performance.now();
    // What was issued while the reload read its pages comes after it.
    requeue({ ...noWork(), tail: true });
    return;
  }
  const data = state?.data;
  if (state?.fetchStatus === 'fetching') {
    // Loading: this work applies to what the load answers, once it has.
    if (work.tail || work.ids.size > 0 || work.grants.size > 0) requeue({ ...work, events: [] });
    return;
  }
  // Nothing loaded (the load failed: its Retry reads everything afresh).
  if (!data) return;
  if (work.tail) {
    const newer = sample
      ? await sampleNewest(list, match, every, data.tokens)
      : await fetchNewer(list, match, every, data.tokens);
    if (newer === null) {
      requeue({ ...noWork(), reload: true });
      return;
    }
    queryClient.setQueryData<TimelineTokens>(keys.tokens, (current) => {
      if (!current) return current;
      const applied = applyNewer(current.tokens, newer.tokens);
      if (applied.tokens === current.tokens) return current;
      const truncated = current.truncated || applied.dropped > 0;
      const total = current.total && { ...current.total, count: current.total.count + applied.added };
      const holes = holesWithin(newer.hole ? [...current.holes, newer.hole] : current.holes, applied.tokens);
      return { tokens: applied.tokens, truncated, total, holes };
    });
    if (newer.more) requeue({ ...noWork(), tail: true });
  }
  const ids = new Set(work.ids);
  if (work.grants.size > 0) {
    for (const token of data.tokens) if (token.grant_id && work.grants.has(token.grant_id)) ids.add(token.id);
  }
  if (ids.size > 0) {
    const held = new Set<string>();
    const current = queryClient.getQueryData<TimelineTokens>(keys.tokens);
    for (const token of current?.tokens ?? []) if (ids.has(token.id)) held.add(token.id);
    if (held.size === 0) return;
    const asked = [...held];
    const rows = await fetchRows(list, asked);
    queryClient.setQueryData<TimelineTokens>(keys.tokens, (latest) => {
      if (!latest) return latest;
      const tokens = replaceRows(latest.tokens, rows, asked);
      return tokens === latest.tokens ? latest : { ...latest, tokens };
    });
  }
}

/**
 * Queries kept current by the live stream while shown: never stale (no reload on focus or remount),
 * and dropped once not shown (a filter left and picked again loads afresh: nothing kept it current).
 */
const KEPT_BY_LIVE = { staleTime: Number.POSITIVE_INFINITY, gcTime: 0 } as const;

/** The timeline's tokens and drawn events, kept current from the live stream. */
export function useTimelineData(match: TimelineMatch, every: boolean, layoutMs: () => number) {
  const queryClient = useQueryClient();
  const source = timelineSource(every);
  const tokensKey = [TIMELINE_ROOT, 'tokens', match, every];
  const eventsKey = [TIMELINE_ROOT, 'events', every];
  const tokens = useQuery({
    queryKey: tokensKey,
    // Data already there: a reload under live load (paced), not the first load.
    queryFn: () => loadWindow(source.tokens, match, every, queryClient.getQueryData(tokensKey) !== undefined),
    placeholderData: (previous) => previous,
    // A hundred thousand tokens: comparing each answer with the last, object by object, costs more
    // than it saves (the layout is recomputed anyway).
    structuralSharing: false,
    ...KEPT_BY_LIVE,
  });
  const events = useQuery({
    queryKey: eventsKey,
    queryFn: () => loadEvents(source),
    structuralSharing: false,
    ...KEPT_BY_LIVE,
  });

  // Live: events are planned as they come and applied in rounds, never two at once.
  const matchKey = JSON.stringify(match);
  const cost = useRef(layoutMs);
  cost.current = layoutMs;
  useEffect(() => {
    // The filters by value: the match object is new on every render.
    const m = JSON.parse(matchKey) as TimelineMatch;
    const all = every;
    const keys = { tokens: [TIMELINE_ROOT, 'tokens', m, all], events: [TIMELINE_ROOT, 'events', all] };
    const list = timelineSource(all).tokens;
    let pending = noWork();
    // A gap's reload (100,000 tokens) waits until it costs at most GAP_BUDGET of the time; rounds
    // that read only the newest tokens (a high rate) likewise (live-pace.ts), otherwise liveInterval's.
    const reloads = { last: performance.now(), pace: createGapPace(GAP_BUDGET, GAP_RELOAD_MAX_MS) };
    const rounds = createGapPace();
    let overloaded = false;
    const requeue = (work: PendingWork) => {
      pending.tail ||= work.tail;
      pending.reload ||= work.reload;
      pending.reloadEvents ||= work.reloadEvents;
      if (work.gapReload) pending.gapReload = pending.gapReload === 'all' ? 'all' : work.gapReload;
      for (const id of work.ids) pending.ids.add(id);
      for (const grant of work.grants) pending.grants.add(grant);
      pending.events.push(...work.events);
      coalescer.trigger();
    };
    // Tokens issued (matching) since the last round, from the events and the gaps' counts: their rate
    // decides whether a round reads them all or only the newest (SAMPLE_ABOVE_PER_S).
    let issued = 0;
    let lastRound = performance.now();
    let sampling = false;
    const coalescer = createCoalescer(
      () => {
        const work = pending;
        pending = noWork();
        const now = performance.now();
        const rate = (issued * 1000) / Math.max(1, now - lastRound);
        issued = 0;
        lastRound = now;
        const sampled = sampling;
        sampling = overloaded || rate > SAMPLE_ABOVE_PER_S;
        // The rate has fallen: what was skipped meanwhile is read (the holes' reload, paced as a gap's).
        if (sampled && !sampling) readHoles();
        const sample = sampling;
        return rounds.measure(() => runWork(queryClient, keys, list, m, all, work, requeue, reloads, sample));
      },
      () => {
        const layout = cost.current();
        if (overloaded) return rounds.wait(Math.max(OVERLOADED_ROUND_MS, liveInterval(layout)), layout);
        return sampling ? rounds.wait(liveInterval(layout), layout) : liveInterval(layout);
      },
    );
    const readHoles = () => {
      if ((queryClient.getQueryData<TimelineTokens>(keys.tokens)?.holes.length ?? 0) > 0)
        requeue({ ...noWork(), gapReload: 'tokens' });
    };
    // The load may stop right after a round that sampled: no batch for a while says the rate fell.
    let quiet: ReturnType<typeof setTimeout> | null = null;
    // A batch of events (the engine sends one every ~100 ms while events happen) is one requeue.
    const unsubscribe = timelineSource(all).live((batch) => {
      const work = noWork();
      const was = overloaded;
      overloaded = batch.gap !== null;
      // The rate fell: a round paced for the overload goes at the usual pace.
      if (was && !overloaded) coalescer.hurry();
      if (quiet !== null) clearTimeout(quiet);
      quiet =
        overloaded || sampling
          ? setTimeout(() => {
              overloaded = false;
              sampling = false;
              coalescer.hurry();
              readHoles();
            }, OVERLOAD_QUIET_MS)
          : null;
      // Events were left out (heavy load, shared/live-gap.ts): new tokens by cursor, and what the
      // left-out events changed read again, as after a bulk change, at most every GAP_RELOAD_MS
      // (GAP_RELOAD_SAMPLING_MS while the rate is too high to follow).
      if (batch.gap) {
        const plan = planForGap(batch.gap);
        work.tail ||= plan.tail;
        work.gapReload = plan.reload;
        issued += gapIssued(batch.gap);
      }
      for (const event of batch.events) {
        const plan = planFor(event, m);
        work.tail ||= plan.tail;
        if (plan.tail) issued++;
        for (const id of plan.ids) work.ids.add(id);
        if (plan.grant) work.grants.add(plan.grant);
        work.reload ||= plan.reload !== null;
        work.reloadEvents ||= plan.reload === 'all';
        if (plan.drawn) work.events.push(event);
      }
      if (
        work.tail ||
        work.reload ||
        work.gapReload ||
        work.ids.size ||
        work.grants.size ||
        work.events.length
      )
        requeue(work);
    });
    // Back after the engine was away, LiveUpdates refetches every query shown, these too.
    return () => {
      unsubscribe();
      if (quiet !== null) clearTimeout(quiet);
      coalescer.dispose();
    };
  }, [queryClient, matchKey, every]);

  return { tokens, events };
}
