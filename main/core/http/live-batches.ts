import { LIVE_OMITTABLE_TYPES, type LiveBatch, type LiveGap } from '../../../shared/live-gap';
import { ROOT_ISSUER_ID } from '../../../shared/root-issuer';
import type { EngineEvent } from '../../../shared/schemas';
import type { RecordedEvent } from '../store/events';

/**
 * How long events wait to go out together, and how many request-rate events (LIVE_OMITTABLE_TYPES)
 * a batch carries at most. One message per event was a measurable share of the engine's time and
 * flooded the UI, so events go out every tenth of a second (well under what a person notices). At
 * full speed (13,000 tokens/s, an event a token plus sampled requests) a UI that took every event
 * left the engine 0.6–0.7 of its throughput: the engine built and serialised each, and the UI's
 * renderer parsed and applied each on one of the same two cores. A batch keeps the newest
 * LIVE_BATCH_MAX_EVENTS and counts the rest in its gap, so what a UI costs is bounded by time (at
 * most 10 batches of 500 a second, 2 while overloaded), not by the event rate; the UI bench's
 * 2,000 tokens/s (~200 a batch) stays well below it, so every event is sent.
 */
export const LIVE_BATCH_INTERVAL_MS = 100;
export const LIVE_BATCH_MAX_EVENTS = 500;
/**
 * The interval while events come faster than a batch carries (more than LIVE_BATCH_MAX_EVENTS
 * request-rate events per LIVE_BATCH_INTERVAL_MS, 5,000 a second). Then every batch has a gap, and a
 * page answers a gap by reading again what it shows (the newest page, the timeline's tail): ten of
 * those a second took a third to a half of the engine's throughput on two cores. Two a second still
 * show a new token well within a second; once the rate falls back, batches go every
 * LIVE_BATCH_INTERVAL_MS again.
 */
export const LIVE_BATCH_OVERLOAD_INTERVAL_MS = 500;

/** What a batch's bound needs of an event: an EngineEvent, or one as recorded and not yet built. */
type LiveItem = Pick<EngineEvent, 'id' | 'type' | 'issuer'>;

/** Counts an event into a gap (creating it): by issuer and type, and the newest id left out. */
function omit(gap: LiveGap | null, event: LiveItem): LiveGap {
  const into = gap ?? { issuers: {} };
  const issuer = event.issuer ?? ROOT_ISSUER_ID;
  into.issuers[issuer] ??= { omitted: {}, through: 0 };
  const entry = into.issuers[issuer];
  entry.omitted[event.type] = (entry.omitted[event.type] ?? 0) + 1;
  if (event.id > entry.through) entry.through = event.id;
  return into;
}

/**
 * `events` (oldest first) with at most `maxEvents` request-rate events, the newest; the others are
 * counted into `gap` (which is changed, or created). Rare types are always kept, in their place.
 */
export function boundBatch<E extends LiveItem>(
  events: E[],
  gap: LiveGap | null,
  maxEvents: number,
): { events: E[]; gap: LiveGap | null } {
  let cut = 0;
  let kept = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    if (!LIVE_OMITTABLE_TYPES.has((events[i] as E).type)) continue;
    if (++kept > maxEvents) {
      cut = i + 1;
      break;
    }
  }
  if (cut === 0) return { events, gap };
  const out: E[] = [];
  let into = gap;
  for (let i = 0; i < cut; i++) {
    const event = events[i] as E;
    if (LIVE_OMITTABLE_TYPES.has(event.type)) into = omit(into, event);
    else out.push(event);
  }
  for (let i = cut; i < events.length; i++) out.push(events[i] as E);
  return { events: out, gap: into };
}

export interface LiveBatchOptions {
  intervalMs?: number | undefined;
  /** The interval while events come faster than `maxEvents` per `intervalMs` (overloaded). */
  overloadIntervalMs?: number | undefined;
  /** The most request-rate events a batch carries (the newest); the rest are counted in its gap. */
  maxEvents?: number | undefined;
}

export interface LiveBatches {
  /** Sends what is pending now (before the stream closes, or when the caller must not wait). */
  flush(): void;
  /** Stops listening and drops what is pending. */
  close(): void;
}

/**
 * Listens to a feed and hands its events on in batches, in the order they happened, every
 * `intervalMs` while events come; each batch carries at most `maxEvents` request-rate events (the
 * newest) and a gap for the rest (boundBatch). While they come faster than that (more than
 * `maxEvents` per `intervalMs`, measured over the last batch), batches go every
 * `overloadIntervalMs` instead: what a listener does per batch then costs a fifth as much, and
 * every batch would have had a gap anyway. Per event it costs one array push, and what piles up past
 * twice the bound is counted away as it comes, so memory stays bounded too; only rare events piling
 * up past the bound send a batch early. Nothing is scheduled while nothing happens.
 */
export function batchEvents(
  subscribe: (listener: (event: RecordedEvent) => void) => () => void,
  send: (batch: LiveBatch) => void,
  {
    intervalMs = LIVE_BATCH_INTERVAL_MS,
    overloadIntervalMs = LIVE_BATCH_OVERLOAD_INTERVAL_MS,
    maxEvents = LIVE_BATCH_MAX_EVENTS,
  }: LiveBatchOptions = {},
): LiveBatches {
  // Held as recorded: only the events a batch keeps are built (RecordedEvent).
  let pending: RecordedEvent[] = [];
  let gap: LiveGap | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  // The request-rate events of the batch being gathered, and when its first one came.
  let received = 0;
  let since = 0;
  let overloaded = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    // Past `maxEvents` per base interval: the next batch waits the longer interval.
    overloaded = received > (maxEvents * Math.max(Date.now() - since, intervalMs)) / intervalMs;
    received = 0;
    if (pending.length === 0 && !gap) return;
    const batch = boundBatch(pending, gap, maxEvents);
    pending = [];
    gap = null;
    send({ events: batch.events.map((event) => event.build()), gap: batch.gap });
  };
  const unsubscribe = subscribe((event) => {
    pending.push(event);
    if (LIVE_OMITTABLE_TYPES.has(event.type)) received++;
    if (pending.length >= 2 * maxEvents) {
      ({ events: pending, gap } = boundBatch(pending, gap, maxEvents));
      // Only rare events are left past the bound: they all go, now.
      if (pending.length >= 2 * maxEvents) return flush();
    }
    if (!timer) {
      since = Date.now();
      timer = setTimeout(flush, overloaded ? overloadIntervalMs : intervalMs);
      // A pending batch never keeps the process alive by itself (the CLI exits on its own).
      timer.unref?.();
    }
  });
  return {
    flush,
    close() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = null;
      pending = [];
      gap = null;
    },
  };
}
