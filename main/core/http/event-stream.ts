import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../../../shared/errors';
import { type IssuerSummary, ROOT_ISSUER_ID } from '../../../shared/issuers';
import type { EngineEvent } from '../../../shared/schemas';
import type { AdminCall } from '../admin/dispatch';
import { batchEvents } from './live-batches';

/** Every issuer's live events, each saying which issuer it is of. */
export interface EngineEventFeed {
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/**
 * At most this many missed events per issuer are sent again after a reconnect (events.list's own
 * page limit); a longer gap is the reconnecting UI's to refetch, as it does after every reconnect.
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
 * the position does not name was created since: all of its events (up to the cap) are new.
 */
async function missedEvents(call: AdminCall, since: StreamPosition): Promise<EngineEvent[]> {
  const missed: EngineEvent[] = [];
  for (const issuer of await issuerIds(call)) {
    const events = (await call(
      'events.list',
      { after_id: since.get(issuer) ?? 0, limit: REPLAY_MAX_EVENTS },
      { issuer },
    )) as EngineEvent[];
    for (const event of events) missed.push({ ...event, issuer });
  }
  return missed;
}

function frame(position: StreamPosition, events: readonly EngineEvent[]): string {
  const id = `id: ${encodePosition(position)}\n`;
  return events.length === 0 ? `${id}\n` : `${id}data: ${JSON.stringify(events)}\n\n`;
}

/**
 * `GET /admin/api/events.stream`: live events as server-sent events, in batches. Each message's
 * data is a JSON array of events, oldest first (see live-batches.ts for how often); its id is the
 * stream position. The first message (no data) says where the stream starts; a client that sends a
 * `Last-Event-ID` gets the events it missed first, then the live ones, none twice.
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
  let held: EngineEvent[] = [];
  const write = (events: readonly EngineEvent[]) => {
    if (events.length === 0 || !position || out.destroyed) return;
    for (const event of events) position.set(event.issuer ?? ROOT_ISSUER_ID, event.id);
    out.write(frame(position, events));
  };
  const send = (events: EngineEvent[]) => {
    if (position) write(events);
    else held.push(...events);
  };
  const batches = batchEvents((listener) => feed.subscribe(listener), send);
  const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    batches.close();
  });

  try {
    if (since) {
      const missed = await missedEvents(call, since);
      position = new Map(since);
      write(missed);
    } else {
      position = await newestIds(call);
      out.write(frame(position, []));
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
  const caughtUp = new Map(position);
  const waiting = held.filter(
    (event) => !since || event.id > (caughtUp.get(event.issuer ?? ROOT_ISSUER_ID) ?? 0),
  );
  held = [];
  write(waiting);
}
