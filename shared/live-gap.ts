// Imports nothing at run time but a plain list: the engine's live path and the CLI's launcher load it.
import { EVENT_TYPES } from './event-types';
import type { EngineEvent, EventType, IssuerGap, LiveGap } from './schemas';

/**
 * The event types that happen at request rate (a token, a login, a logged request each). Under heavy
 * load a live batch carries at most LIVE_BATCH_MAX_EVENTS of them, the newest, and counts the rest in
 * its gap: building, serialising and sending every one of 20,000+ events a second cost the engine a
 * third of its throughput with a UI open. Every other type is rare and always sent, so per-event
 * listeners of those (issuer.deleted, key.*, …) never miss one.
 */
export const LIVE_OMITTABLE_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'login',
  'logout',
  'token.issued',
  'token.refreshed',
  'token.introspected',
  'token.revoked',
  'request',
  'device.requested',
  'device.approved',
  'device.denied',
]);

export type { IssuerGap, LiveGap };

/**
 * One message of the live stream. A listener that needs every event (an invalidation, a list kept
 * current from events) must treat a gap like a bulk change of its types: read again what they touch.
 */
export interface LiveBatch {
  /** The events sent, oldest first. */
  events: EngineEvent[];
  /** null: nothing was left out since the previous batch. */
  gap: LiveGap | null;
}

/** The types a gap left out (every type when an issuer's gap could not be counted). */
export function gapTypes(gap: LiveGap): ReadonlySet<EventType> {
  const types = new Set<EventType>();
  for (const issuer of Object.values(gap.issuers)) {
    if (issuer.uncounted) return new Set(EVENT_TYPES);
    for (const type of Object.keys(issuer.omitted)) types.add(type as EventType);
  }
  return types;
}

/** How many events of a type a gap left out, over its issuers. */
export function gapCount(gap: LiveGap, type: EventType): number {
  let count = 0;
  for (const issuer of Object.values(gap.issuers)) count += issuer.omitted[type] ?? 0;
  return count;
}

/** The part of a gap about some issuers; null when none of them had anything left out. */
export function gapOf(gap: LiveGap | null, wanted: (issuer: string) => boolean): LiveGap | null {
  if (!gap) return null;
  const issuers = Object.fromEntries(Object.entries(gap.issuers).filter(([id]) => wanted(id)));
  return Object.keys(issuers).length > 0 ? { issuers } : null;
}

/** Adds what `later` left out to `gap` (two batches' gaps as one, e.g. when a listener holds batches). */
export function mergeGaps(gap: LiveGap | null, later: LiveGap | null): LiveGap | null {
  if (!gap || !later) return gap ?? later;
  const issuers: Record<string, IssuerGap> = { ...gap.issuers };
  for (const [id, next] of Object.entries(later.issuers)) {
    const prev = issuers[id];
    if (!prev) {
      issuers[id] = next;
      continue;
    }
    const omitted = { ...prev.omitted };
    for (const [type, n] of Object.entries(next.omitted) as [EventType, number][])
      omitted[type] = (omitted[type] ?? 0) + n;
    issuers[id] = {
      omitted,
      through: Math.max(prev.through, next.through),
      ...(prev.uncounted || next.uncounted ? { uncounted: true as const } : {}),
    };
  }
  return { issuers };
}
