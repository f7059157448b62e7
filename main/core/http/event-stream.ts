import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../../../shared/errors';
import { type IssuerSummary, ROOT_ISSUER_ID } from '../../../shared/issuers';
import { type LiveBatch, type LiveGap, mergeGaps } from '../../../shared/live-gap';
import type { EngineEvent } from '../../../shared/schemas';
import type { AdminCall } from '../admin/dispatch';
import type { RecordedEvent } from '../store/events';
import { batchEvents, boundBatch, LIVE_BATCH_MAX_EVENTS, type LiveBatchOptions } from './live-batches';

/** Every issuer's live events as recorded (built only if a batch keeps them), each of its issuer. */
export interface EngineEventFeed {
  subscribe(listener: (event: RecordedEvent) => void): () => void;
  /** How its stream batches and replays events; the defaults if absent. */
  options?: LiveStreamOptions | undefined;
}

export interface LiveStreamOptions extends LiveBatchOptions {
  /** The most events of an issuer read again for a reconnect (REPLAY_MAX_EVENTS). */
  replayMaxEvents?: number | undefined;
}

/**
 * At most this many missed events per issuer are read again after a reconnect (events.list's own
 * page limit), the newest; past it the catch-up says so (a gap marked uncounted) and the UI reads
 * again what it shows, as it does after every reconnect.
 */
export const REPLAY_MAX_EVENTS = 5000;

/**
 * The stream's position: the last event id sent of each issuer ("root:120,a1b2:7"). Event ids count
 * one issuer's events, so one number cannot say where a stream of every issuer stood. It is each
 * message's SSE `id`, which a client sends back as `Last-Event-ID` when it reconnects.
 */
export type StreamPosition = Map<string, number>;

export function encodePosition(position: StreamPosition): string {
  return [...position].map(([issuer, id]) => `${encodeURIComponent(issuer)}:${id}`).join(',');
}

/** The position a `Last-Event-ID` names, or null when it names none (absent or not ours). */
export function decodePosition(text: unknown): StreamPosition | null {
  if (typeof text !== 'string' || text === '') return null;
  const position: StreamPosition = new Map();
  for (const part of text.split(',')) {
    const match = /^([^:]+):(\d{1,15})$/.exec(part);
    if (!match) return null;
    position.set(decodeURIComponent(match[1] as string), Number(match[2]));
  }
  return position;
}

async function issuerIds(call: AdminCall): Promise<string[]> {
  return ((await call('issuers.list', {})) as IssuerSummary[]).map((issuer) => issuer.id);
}

/** Each issuer's newest event id: where a fresh stream starts. */
async function newestIds(call: AdminCall): Promise<StreamPosition> {
  const position: StreamPosition = new Map();
  for (const issuer of await issuerIds(call)) {
    const [newest] = (await call('events.list', { limit: 1 }, { issuer })) as EngineEvent[];
    position.set(issuer, newest?.id ?? 0);
  }
  return position;
}

/**
 * The events each issuer recorded after `since`, oldest first, tagged with their issuer. An issuer
 * the position does not name was created since: all of its events are new. Of an issuer that missed
 * more than REPLAY_MAX_EVENTS, the newest are sent and the rest is an uncounted gap.
 */
async function missedEvents(
  call: AdminCall,
  since: StreamPosition,
  { maxEvents = LIVE_BATCH_MAX_EVENTS, replayMaxEvents = REPLAY_MAX_EVENTS }: LiveStreamOptions,
): Promise<LiveBatch> {
  const missed: EngineEvent[] = [];
  let gap: LiveGap | null = null;
  for (const issuer of await issuerIds(call)) {
    const after = since.get(issuer) ?? 0;
    let events = (await call(
      'events.list',
      { after_id: after, limit: replayMaxEvents },
      { issuer },
    )) as EngineEvent[];
    if (events.length === replayMaxEvents) {
      // Newest first: the newest of them, all after `after` since the oldest ones were.
      events = (
        (await call('events.list', { limit: replayMaxEvents }, { issuer })) as EngineEvent[]
      ).reverse();
      const through = (events[0]?.id ?? after + 1) - 1;
      gap = mergeGaps(gap, { issuers: { [issuer]: { omitted: {}, through, uncounted: true } } });
    }
    for (const event of events) missed.push({ ...event, issuer });
  }
  return boundBatch(missed, gap, maxEvents);
}

/**
 * One batch as server-sent events: its gap (if any) as a `gap` event first, then its events as a
 * message whose id is the stream position after both. A client that knows no `gap` event (an
 * EventSource's onmessage) still gets every message, only not what was left out.
 */
function frame(position: StreamPosition, { events, gap }: LiveBatch): string {
  const before = gap ? `event: gap\ndata: ${JSON.stringify(gap)}\n\n` : '';
  const id = `id: ${encodePosition(position)}\n`;
  return events.length === 0 ? `${before}${id}\n` : `${before}${id}data: ${JSON.stringify(events)}\n\n`;
}

/** What the catch-up did not already send of the batches that waited for it (by each issuer's id). */
function notCaughtUp(held: LiveBatch, caughtUp: StreamPosition): LiveBatch {
  const after = (issuer: string | undefined) => caughtUp.get(issuer ?? ROOT_ISSUER_ID) ?? 0;
  const events = held.events.filter((event) => event.id > after(event.issuer));
  const issuers = Object.entries(held.gap?.issuers ?? {}).filter(([id, gap]) => gap.through > after(id));
  return { events, gap: issuers.length > 0 ? { issuers: Object.fromEntries(issuers) } : null };
}

/**
 * `GET /admin/api/events.stream`: live events as server-sent events, in batches. Each message's
 * data is a JSON array of events, oldest first (see live-batches.ts for how often and how many); its
 * id is the stream position. A batch that left events out is preceded by an `event: gap` message
 * (a LiveGap: per issuer, how many of each type, through which id). The first message (no data)
 * says where the stream starts; a client that sends a `Last-Event-ID` gets the events it missed
 * first (or a gap for them), then the live ones, none twice.
 */
export async function serveEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  call: AdminCall,
  feed: EngineEventFeed,
): Promise<void> {
  const since = decodePosition(request.headers['last-event-id']);
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  out.write(': connected\n\n');

  // Listening starts before the catch-up is read, so nothing falls between the two; what arrives
  // meanwhile waits, and what the catch-up already sent is dropped by id.
  let position: StreamPosition | null = null;
  let held: LiveBatch = { events: [], gap: null };
  const write = (batch: LiveBatch) => {
    if ((batch.events.length === 0 && !batch.gap) || !position || out.destroyed) return;
    for (const event of batch.events) position.set(event.issuer ?? ROOT_ISSUER_ID, event.id);
    // Past what was left out too (an issuer's may all be): a reconnect replays after it, the gap said.
    for (const [issuer, gap] of Object.entries(batch.gap?.issuers ?? {}))
      position.set(issuer, Math.max(position.get(issuer) ?? 0, gap.through));
    out.write(frame(position, batch));
  };
  const send = (batch: LiveBatch) => {
    if (position) write(batch);
    else held = { events: held.events.concat(batch.events), gap: mergeGaps(held.gap, batch.gap) };
  };
  const batches = batchEvents((listener) => feed.subscribe(listener), send, feed.options);
  const maxEvents = feed.options?.maxEvents ?? LIVE_BATCH_MAX_EVENTS;
  const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    batches.close();
  });

  try {
    if (since) {
      const missed = await missedEvents(call, since, feed.options ?? {});
      position = new Map(since);
      write(missed);
    } else {
      position = await newestIds(call);
      out.write(frame(position, { events: [], gap: null }));
    }
  } catch (error) {
    // The catch-up could not be read (an issuer deleted meanwhile): the stream ends and the UI
    // reconnects, as after any drop.
    if (!(error instanceof AdminError)) request.log.error(error);
    out.end();
    return;
  }
  // Only what waited can overlap the catch-up; later ids are new even if lower (a workspace reset
  // starts the log again).
  const waiting = since ? notCaughtUp(held, new Map(position)) : held;
  held = { events: [], gap: null };
  write(boundBatch(waiting.events, waiting.gap, maxEvents));
}
