/**
 * What a live event asks of the timeline: fetch the tokens issued after the newest held, refetch
 * some rows by id, reload (a change too wide to follow row by row), and whether the event is itself
 * drawn (a mark, a key change, a clock move). Pure, so each kind of event is tested without a page.
 */
import { gapCount, gapTypes, type LiveGap } from '../../../../../shared/live-gap';
import type { EngineEvent, EventType, TokenKind } from '../../../../../shared/schemas';

/** What the timeline's tokens are narrowed to (its filters). */
export interface TimelineMatch {
  kind?: TokenKind;
  client_id?: string;
  username?: string;
}

export interface LivePlan {
  /** New tokens may match: fetch what came after the newest held. */
  tail: boolean;
  /** These rows changed (state, last use): refetch them by id, when held. */
  ids: string[];
  /** Every held row of this grant changed (a reuse detection revoked them all). */
  grant: string | null;
  /** Too wide to follow by rows: 'tokens' reloads the tokens, 'all' the events as well. */
  reload: 'tokens' | 'all' | null;
  /** The event is drawn itself (a use or reuse mark, a key change, a clock move). */
  drawn: boolean;
}

const NOTHING: LivePlan = { tail: false, ids: [], grant: null, reload: null, drawn: false };

/** Whether a token.issued event's token can be in a list with these filters. */
export function issuedMatches(
  event: Pick<EngineEvent, 'client_id' | 'username' | 'data'>,
  match: TimelineMatch,
) {
  if (match.kind && event.data.kind !== match.kind) return false;
  if (match.client_id && event.client_id !== match.client_id) return false;
  if (match.username && event.username !== match.username) return false;
  return true;
}

/** A settings change that moved the provider clock: every token's times read differently. */
function movedClock(event: EngineEvent): boolean {
  const changed = event.data.changed;
  return Array.isArray(changed) && changed.includes('clock_offset_seconds');
}

/** How many tokens an event says it revoked (logout, user or client deletion). */
function revokedCount(event: EngineEvent): number {
  const count = event.data.revoked_tokens;
  return typeof count === 'number' ? count : 0;
}

export function planFor(event: EngineEvent, match: TimelineMatch): LivePlan {
  const own = event.token_id ? [event.token_id] : [];
  const grant = typeof event.data.grant_id === 'string' ? event.data.grant_id : null;
  switch (event.type) {
    case 'token.issued':
      return issuedMatches(event, match) ? { ...NOTHING, tail: true } : NOTHING;
    // The used refresh token is rotated now; its children come with their own token.issued events.
    case 'token.refreshed':
      return { ...NOTHING, ids: own, drawn: true };
    case 'token.revoked':
      return { ...NOTHING, ids: own };
    // The last use moves (a rotated token without listed children ends there).
    case 'token.introspected':
      return { ...NOTHING, ids: own, drawn: true };
    case 'request':
      return event.data.endpoint === 'userinfo' ? { ...NOTHING, ids: own, drawn: true } : NOTHING;
    // The replayed token, and every other token of its grant, revoked.
    case 'token.reuse_detected':
      return { ...NOTHING, ids: own, grant, drawn: true };
    case 'code.reuse_detected':
      return { ...NOTHING, grant };
    case 'tokens.revoked':
    case 'tokens.purged':
      return { ...NOTHING, reload: 'tokens' };
    case 'logout':
    case 'user.deleted':
    case 'client.deleted':
      return revokedCount(event) > 0 ? { ...NOTHING, reload: 'tokens' } : NOTHING;
    case 'workspace.imported':
    case 'workspace.reset':
      return { ...NOTHING, reload: 'all' };
    case 'settings.changed':
      return movedClock(event) ? { ...NOTHING, reload: 'tokens', drawn: true } : NOTHING;
    case 'key.staged':
    case 'key.activated':
    case 'key.rotated':
    case 'key.retired':
      return { ...NOTHING, drawn: true };
    default:
      return NOTHING;
  }
}

/** Left out of a live batch, these change nothing the timeline holds (a login issues its tokens apart). */
const GAP_IGNORED: ReadonlySet<EventType> = new Set<EventType>([
  'login',
  'device.requested',
  'device.approved',
  'device.denied',
]);

/**
 * What a gap in the live stream (events left out under heavy load) asks: new tokens are read by
 * cursor anyway, so left-out issues need only the tail; left-out revocations, logouts and uses
 * changed rows it cannot name, a bulk change (uses are marks too, so the events are read again).
 */
export function planForGap(gap: LiveGap): Pick<LivePlan, 'tail' | 'reload'> {
  let tail = false;
  let reload: LivePlan['reload'] = null;
  for (const type of gapTypes(gap)) {
    if (type === 'token.issued') tail = true;
    else if (type === 'token.revoked' || type === 'logout') reload ??= 'tokens';
    else if (!GAP_IGNORED.has(type)) reload = 'all';
  }
  return { tail, reload };
}

/**
 * How many tokens a gap left out the issue of (every issuer's, whatever the filters: the rate that
 * decides whether the timeline reads them all); unbounded when an issuer missed more than it counted.
 */
export function gapIssued(gap: LiveGap): number {
  if (Object.values(gap.issuers).some((issuer) => issuer.uncounted)) return Number.POSITIVE_INFINITY;
  return gapCount(gap, 'token.issued');
}
