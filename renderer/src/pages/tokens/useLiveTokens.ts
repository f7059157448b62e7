import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { AdminInput, AdminOutput } from '../../../../shared/contract';
import { gapCount, type LiveGap } from '../../../../shared/live-gap';
import type { EngineEvent, Token, TokenMatch, TokenSort } from '../../../../shared/schemas';
import { cursorAfter } from '../../../../shared/token-cursor';
import { adminApi } from '../../api';
import { afterPaint, createGapPace, ESTIMATE_RECOUNT_MS, watchOverload } from '../../data/live-pace';
import { restartPagedList } from '../../data/paged-list';
import {
  type HeadLimits,
  loadedIds,
  mayMatch,
  newestSeq,
  prependTokens,
  replaceHead,
  replaceTokens,
  type TokenPages,
} from './token-pages';

type ListCall = (input: AdminInput<'tokens.list'>) => Promise<AdminOutput<'tokens.list'>>;

/** At most one round of reads for new and changed tokens this often, however fast events come. */
const APPLY_EVERY_MS = 500;
/** At most one count this often: counting a filter over millions of tokens is not free. */
const COUNT_EVERY_MS = 1000;
/** The rows kept while tokens keep arriving at the top (and the most held back while scrolled down). */
const HEAD: HeadLimits = { max: 5000, keep: 1000 };
/**
 * New tokens read per call, after the newest listed. More than this issued since the last round (or
 * a read that stopped short), the newest page is read instead and replaces the head (replaceHead):
 * the UI's reads then cost one page a round whatever the issue rate, not every token issued.
 */
const NEW_PAGE = HEAD.keep;
/**
 * The newest page read when more came than the head keeps (a flood): one list page, and the rows
 * below it come by cursor as the user scrolls. Each round read the head's 1,000 back (at ~24 µs a row,
 * some 24 ms of the engine's one thread), and with the Tokens page open under full load the engine did
 * 10–17% more work per token it issued (tokens per engine CPU-second, UI bench throughput stage).
 */
const NEWEST_PAGE = 200;
/** Reading back the changed rows of the list after a bulk change pays below this many rows loaded. */
const REREAD_AT_MOST = 3000;
/** tokens.list answers at most this many ids per call. */
const IDS_PER_CALL = 1000;

/** Events that change which tokens exist or their count under a filter. */
const COUNTED = new Set<EngineEvent['type']>([
  'token.issued',
  'token.refreshed',
  'token.revoked',
  'tokens.revoked',
  'token.reuse_detected',
  'code.reuse_detected',
  'tokens.purged',
  'logout',
  'user.deleted',
  'client.deleted',
  'workspace.imported',
  'workspace.reset',
]);
/** Events after which tokens may be gone: the list is read again from its top. */
const REMOVING = new Set<EngineEvent['type']>([
  'tokens.purged',
  'user.deleted',
  'client.deleted',
  'workspace.imported',
  'workspace.reset',
]);
/** Events that change the state of tokens the event does not name one by one. */
const BULK_STATE = new Set<EngineEvent['type']>(['tokens.revoked', 'logout']);
/** Events naming one token whose state changed. */
const ONE_STATE = new Set<EngineEvent['type']>(['token.revoked', 'token.refreshed']);
/** Events naming a grant whose every token was revoked. */
const GRANT_STATE = new Set<EngineEvent['type']>(['token.reuse_detected', 'code.reuse_detected']);

interface Held {
  tokens: Token[];
  overflow: boolean;
  count: number;
}
const NOTHING_HELD: Held = { tokens: [], overflow: false, count: 0 };

/** What a burst of events asks of the view, gathered between two rounds of reads. */
interface Pending {
  issued: number;
  ids: Set<string>;
  grants: Set<string>;
  bulkState: boolean;
  removed: boolean;
  /** The last read of new tokens stopped short: more are there. */
  more: boolean;
  /** `issued` counts tokens a gap left out under a filter: some of them may not match it. */
  overcounted: boolean;
}

const nothingPending = (): Pending => ({
  issued: 0,
  ids: new Set(),
  grants: new Set(),
  bulkState: false,
  removed: false,
  more: false,
  overcounted: false,
});

/**
 * What events the stream left out under load (a gap) ask of the view: their tokens are not named, so
 * changed tokens mean reading the loaded rows again, and an uncounted gap reading the list again.
 */
function gatherGap(pending: Pending, gap: LiveGap, filtered: boolean): boolean {
  if (Object.values(gap.issuers).some((issuer) => issuer.uncounted)) {
    pending.removed = true;
    return true;
  }
  const issued = gapCount(gap, 'token.issued');
  const changed = gapCount(gap, 'token.refreshed') + gapCount(gap, 'token.revoked') + gapCount(gap, 'logout');
  pending.issued += issued;
  if (issued > 0 && filtered) pending.overcounted = true;
  if (changed > 0) pending.bulkState = true;
  return issued + changed > 0;
}

function gather(pending: Pending, event: EngineEvent): void {
  if (event.type === 'token.issued') pending.issued += 1;
  else if (REMOVING.has(event.type)) pending.removed = true;
  else if (BULK_STATE.has(event.type)) pending.bulkState = true;
  else if (ONE_STATE.has(event.type) && event.token_id) pending.ids.add(event.token_id);
  else if (GRANT_STATE.has(event.type)) {
    const grant = event.data.grant_id;
    if (typeof grant === 'string') pending.grants.add(grant);
    if (event.token_id) pending.ids.add(event.token_id);
  }
}

/** Calls `run` at most once per `everyMs`: at once after a quiet spell, else when the spell is over. */
function throttle(run: () => void, everyMs: () => number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  return {
    schedule(delay = 0) {
      if (timer) return;
      const wait = Math.max(delay, last + everyMs() - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        run();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    /** A pending call is timed again: its interval may have shortened (the load ended). */
    hurry() {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      this.schedule();
    },
  };
}

export interface LiveTokensOptions {
  /** The paged list's cache key (paged-list.ts) and its count's: stable while the filter is (memoised). */
  listKey: QueryKey;
  countKey: QueryKey;
  match: TokenMatch;
  sort: TokenSort;
  /** The list of every issuer (its cursors hold one position per issuer). */
  every: boolean;
  call: ListCall;
  /** Whether the list is scrolled to its top: new tokens are added there only then. */
  atTop: RefObject<boolean>;
}

/**
 * Keeps the Tokens view current from the live stream without reading the list again: new tokens are
 * read after the newest listed (its issue sequence) and added at the top while the view is there, or
 * held as "N new tokens" while the user reads older rows; tokens an event changed are read again by
 * id and replaced where they are; bulk changes read the list again from its top. Every read is
 * throttled (APPLY_EVERY_MS, COUNT_EVERY_MS), so a burst of thousands of events costs a few calls.
 *
 * Only the default order (newest first) of one issuer can add rows at its top; other orders and the
 * every-issuer list count the tokens issued and show them when asked (read again from the top).
 */
export function useLiveTokens({ listKey, countKey, match, sort, every, call, atTop }: LiveTokensOptions) {
  const queryClient = useQueryClient();
  const [pendingCount, setPendingCount] = useState(0);
  // Tokens held back while the user reads older rows (newest first, at most HEAD.keep), and how many
  // were issued in all (more than held once it overflowed: then the list is read again to show them).
  const held = useRef<Held>(NOTHING_HELD);
  // The latest options, read by the stream's callbacks; the subscription is renewed when the key changes.
  const options = useRef({ match, sort, every, call });
  options.current = { match, sort, every, call };

  const showPending = useCallback(() => {
    const { tokens, overflow, count } = held.current;
    if (count === 0) return;
    held.current = NOTHING_HELD;
    setPendingCount(0);
    if (overflow || (tokens.length === 0 && !canPrepend(options.current))) {
      void restartPagedList(queryClient, listKey);
      return;
    }
    queryClient.setQueryData<TokenPages>(listKey, (data) => data && prependTokens(data, tokens, HEAD));
  }, [queryClient, listKey]);

  useEffect(() => {
    let closed = false;
    let pending = nothingPending();
    held.current = NOTHING_HELD;
    setPendingCount(0);
    const data = () => queryClient.getQueryData<TokenPages>(listKey);
    const setData = (edit: (data: TokenPages) => TokenPages) =>
      queryClient.setQueryData<TokenPages>(listKey, (current) => current && edit(current));
    // While the stream is overloaded (its batches have gaps), rounds and counts wait by what the last
    // round cost (live-pace.ts): the newest rows then come in steps, and the page says so.
    const pace = createGapPace();
    // Once the rate falls, a step paced for the overload goes at the usual pace.
    const load = watchOverload(() => {
      apply.hurry();
      count.hurry();
    });
    const count = throttle(
      () => void queryClient.invalidateQueries({ queryKey: countKey, exact: true }),
      () =>
        queryClient.getQueryData<{ exact: boolean }>(countKey)?.exact === false
          ? ESTIMATE_RECOUNT_MS
          : load.overloaded
            ? pace.wait(COUNT_EVERY_MS)
            : COUNT_EVERY_MS,
    );

    const reread = async (ids: readonly string[]) => {
      const { call: list } = options.current;
      for (let i = 0; i < ids.length && !closed; i += IDS_PER_CALL) {
        const chunk = ids.slice(i, i + IDS_PER_CALL);
        const { tokens } = await list({ ids: chunk, count: false, limit: chunk.length });
        if (closed) return;
        const updated = new Map(tokens.map((token) => [token.id, token]));
        setData((current) => replaceTokens(current, updated));
        const kept = held.current;
        held.current = { ...kept, tokens: kept.tokens.map((token) => updated.get(token.id) ?? token) };
      }
    };

    const readNew = async () => {
      const { match: filter, call: list } = options.current;
      const after = Math.max(newestSeq(data()), held.current.tokens[0]?.seq ?? 0);
      const answer = await list({
        ...filter,
        sort: 'issued_asc',
        cursor: cursorAfter('issued_asc', { seq: after }),
        count: false,
        limit: NEW_PAGE,
      });
      if (closed) return;
      const fresh = answer.tokens.slice().reverse();
      if (atTop.current && held.current.count === 0)
        setData((current) => prependTokens(current, fresh, HEAD));
      else hold(fresh, fresh.length);
      if (answer.next_cursor !== null && answer.tokens.length > 0) {
        // More than a head's worth came: the next round reads the newest page instead.
        pending.more = true;
        apply.schedule();
      }
    };

    /** More were issued than the head keeps: only the newest page is read, and replaces the head. */
    const readHead = async (issued: number) => {
      const showing = () => atTop.current && held.current.count === 0;
      // Scrolled down: nothing is shown, so nothing is read; "N new tokens" reads the list again.
      if (!showing()) return holdOverflow(issued);
      const { match: filter, call: list } = options.current;
      const answer = await list({ ...filter, sort: 'issued_desc', count: false, limit: NEWEST_PAGE });
      if (closed) return;
      if (showing()) setData((current) => replaceHead(current, answer.tokens, HEAD));
      else holdOverflow(issued);
    };

    /** Counts issued tokens held back without their rows: showing them reads the list again. */
    const holdOverflow = (issued: number) => {
      held.current = { tokens: [], overflow: true, count: held.current.count + issued };
      setPendingCount(held.current.count);
    };

    const hold = (tokens: Token[], issued: number) => {
      const current = held.current;
      const all = [...tokens, ...current.tokens];
      held.current = {
        tokens: all.slice(0, HEAD.keep),
        overflow: current.overflow || all.length > HEAD.keep,
        count: current.count + issued,
      };
      setPendingCount(held.current.count);
    };

    /** One round of the work gathered since the last. */
    const round = async (work: Pending) => {
      if (work.removed) {
        held.current = NOTHING_HELD;
        setPendingCount(0);
        await restartPagedList(queryClient, listKey);
        return;
      }
      const loaded = loadedIds(data());
      if (work.bulkState) {
        if (loaded.length > REREAD_AT_MOST) await restartPagedList(queryClient, listKey);
        else await reread(loaded);
      } else if (work.ids.size > 0 || work.grants.size > 0) {
        const shown = new Set(loaded);
        const inGrants = (data()?.pages ?? []).flatMap((page) =>
          page.tokens.filter((t) => t.grant_id && work.grants.has(t.grant_id)).map((t) => t.id),
        );
        const ids = new Set([...[...work.ids].filter((id) => shown.has(id)), ...inGrants]);
        for (const token of held.current.tokens) if (work.ids.has(token.id)) ids.add(token.id);
        if (ids.size > 0) await reread([...ids]);
      }
      if (work.issued === 0 && !work.more) return;
      if (!data()) return; // The first page is still being read: it will have them.
      if (!canPrepend(options.current)) {
        // Newest first of every issuer at the top: the first page again. Otherwise: say so.
        if (atTop.current && options.current.sort === 'issued_desc')
          await restartPagedList(queryClient, listKey);
        else hold([], work.issued);
        return;
      }
      if (held.current.overflow) hold([], work.issued);
      // Under a filter a gap's count may be mostly other tokens: the read after the newest says.
      else if (work.more || (work.issued > HEAD.keep && !work.overcounted)) await readHead(work.issued);
      else await readNew();
    };

    const apply = throttle(
      () => {
        const work = pending;
        pending = nothingPending();
        // Timed to the paint: for the list, rendering the rows costs more than reading them.
        void pace
          .measure(() => round(work).then(afterPaint))
          .catch(() => {
            // The stream's next event retries; a lost read leaves the rows as they were, never wrong.
          });
      },
      () => (load.overloaded ? pace.wait(APPLY_EVERY_MS) : APPLY_EVERY_MS),
    );

    const subscribe = every ? adminApi.everyIssuer.subscribeBatch : adminApi.live.subscribeBatch;
    const unsubscribe = subscribe(({ events, gap }) => {
      load.batch(gap);
      const { match: filter } = options.current;
      // Under a filter, left-out tokens may not match: counted anyway, marked as maybe too many.
      const filtered = Object.values(filter).some((value) => value !== undefined);
      let relevant = gap ? gatherGap(pending, gap, filtered) : false;
      for (const event of events) {
        if (!COUNTED.has(event.type)) continue;
        // Under a filter, tokens issued to others neither add rows nor change the count.
        if (event.type === 'token.issued' && !mayMatch(event, filter)) continue;
        relevant = true;
        gather(pending, event);
      }
      if (!relevant) return;
      apply.schedule();
      count.schedule();
    });
    return () => {
      closed = true;
      unsubscribe();
      load.dispose();
      apply.cancel();
      count.cancel();
    };
  }, [queryClient, listKey, countKey, every, atTop]);

  return { pendingCount, showPending };
}

/** Whether new tokens can be read after the newest listed and added above it. */
function canPrepend({ sort, every }: { sort: TokenSort; every: boolean }): boolean {
  return sort === 'issued_desc' && !every;
}
