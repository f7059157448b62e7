import { seconds } from '../lib/clock';
import type { ProviderContext } from './context';

/** Expired tokens are kept this long (so the UI can still show them as expired), then purged. */
export const EXPIRED_TOKEN_RETENTION_SECONDS = 24 * 60 * 60;
/** Events are the lifecycle history: kept a week, and never more than this many. */
export const EVENT_RETENTION_SECONDS = 7 * 24 * 60 * 60;
const MAX_EVENTS = 100_000;
/**
 * The request log (each protocol request's redacted exchange, a few KB each) is kept a day and never
 * more than this many: the newest exchanges are the ones being debugged, and under load a week of
 * them would be gigabytes. Their events stay as long as every other event.
 */
export const REQUEST_LOG_RETENTION_SECONDS = 24 * 60 * 60;
export const MAX_REQUEST_LOG = 10_000;

interface PurgeCounts {
  tokens: number;
  grants: number;
  sessions: number;
  events: number;
  requests: number;
}

/** Rows deleted per transaction: a large backlog is purged in slices so requests keep being served. */
export const PURGE_BATCH = 2_000;

/** Runs `deleteSome` (one transaction deleting at most PURGE_BATCH rows) until nothing is left, yielding between. */
export async function inBatches(ctx: ProviderContext, deleteSome: () => number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = ctx.db.transaction(deleteSome)();
    total += deleted;
    if (deleted < PURGE_BATCH) return total;
    // Let queued requests run between slices; a single 200,000-row delete held them for seconds.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The scheduled clean-up that keeps a long-running store bounded: expired tokens (after a day),
 * expired codes, grants and ended sessions nothing refers to any more, and old events. The admin
 * action `tokens.purgeExpired` is the immediate, tokens-only variant.
 */
export async function purgeHistory(ctx: ProviderContext): Promise<PurgeCounts> {
  const now = seconds(ctx.clock);
  const cutoff = now - EXPIRED_TOKEN_RETENTION_SECONDS;
  const tokens = await inBatches(ctx, () => ctx.tokens.purgeExpiredBefore(cutoff, PURGE_BATCH));
  ctx.codes.purgeExpiredBefore(now);
  const grants = await inBatches(ctx, () => ctx.grants.purgeUnusedBefore(cutoff, PURGE_BATCH));
  const sessions = ctx.sessions.purgeEndedBefore(cutoff);
  const eventsBefore = ctx.clock.now() - EVENT_RETENTION_SECONDS * 1000;
  const events = await inBatches(ctx, () => ctx.events.purge(eventsBefore, MAX_EVENTS, PURGE_BATCH));
  const requestsBefore = ctx.clock.now() - REQUEST_LOG_RETENTION_SECONDS * 1000;
  const requests = await inBatches(ctx, () =>
    ctx.events.requests.purge(requestsBefore, MAX_REQUEST_LOG, PURGE_BATCH),
  );
  const counts = { tokens, grants, sessions, events, requests };
  if (tokens || grants || sessions || events) {
    ctx.events.record('tokens.purged', { data: { purged: tokens, ...counts, scheduled: true } });
  }
  return counts;
}
