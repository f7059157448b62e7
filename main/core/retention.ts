import { seconds } from './clock';
import type { ProviderContext } from './context';

/** Expired tokens are kept this long (so the UI can still show them as expired), then purged. */
export const EXPIRED_TOKEN_RETENTION_SECONDS = 24 * 60 * 60;
/** Events are the lifecycle history: kept a week, and never more than this many. */
export const EVENT_RETENTION_SECONDS = 7 * 24 * 60 * 60;
export const MAX_EVENTS = 100_000;

export interface PurgeCounts {
  tokens: number;
  grants: number;
  sessions: number;
  events: number;
}

/**
 * The scheduled clean-up that keeps a long-running store bounded: expired tokens (after a day),
 * expired codes, grants and ended sessions nothing refers to any more, and old events. One
 * transaction; the admin action `tokens.purgeExpired` is the immediate, tokens-only variant.
 */
export function purgeHistory(ctx: ProviderContext): PurgeCounts {
  const now = seconds(ctx.clock);
  const cutoff = now - EXPIRED_TOKEN_RETENTION_SECONDS;
  return ctx.db.transaction(() => {
    const tokens = ctx.tokens.purgeExpiredBefore(cutoff);
    ctx.codes.purgeExpiredBefore(now);
    const grants = ctx.grants.purgeUnusedBefore(cutoff);
    const sessions = ctx.sessions.purgeEndedBefore(cutoff);
    const events = ctx.events.purge(ctx.clock.now() - EVENT_RETENTION_SECONDS * 1000, MAX_EVENTS);
    const counts = { tokens, grants, sessions, events };
    if (tokens || grants || sessions || events) {
      ctx.events.record('tokens.purged', { data: { purged: tokens, ...counts, scheduled: true } });
    }
    return counts;
  })();
}
