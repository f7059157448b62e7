import {
  type AdminApi,
  type AdminMethod,
  buildAdminApi,
  HTTP_ADMIN_PREFIX,
  HTTP_EVENT_STREAM,
  type LiveConnection,
  type LiveStream,
} from '../../../shared/contract';
import { AdminError, isAdminErrorBody } from '../../../shared/errors';
import { EVENT_TYPES } from '../../../shared/event-types';
import type { AdminScope } from '../../../shared/issuers';
import type { LiveBatch, LiveGap } from '../../../shared/live-gap';
import { type EngineEvent, LiveGapSchema } from '../../../shared/schemas';

/**
 * What the transport needs of the tab's sign-in (ui-session.ts's UiSession): the token to send, and
 * telling it the engine refused that token. Declared here so the transport runs outside a browser too
 * (test/integration/live-transport.test.ts drives it against a real engine).
 */
export interface TransportSession {
  token(): string | null;
  expire(): void;
}

const SIGN_IN_AGAIN =
  'The engine did not accept this tab\'s sign-in (it may have been restarted). Open the "Admin UI" link it printed at start.';

/**
 * The tab's UI token as a header, which no other site's page can set on a request to the engine.
 * `credentials: 'omit'`: no cookie takes part in admin calls.
 */
function requestInit(
  session: TransportSession,
  init: RequestInit & { headers: Record<string, string> },
): RequestInit {
  const token = session.token();
  return {
    ...init,
    credentials: 'omit',
    headers: token ? { ...init.headers, authorization: `Bearer ${token}` } : init.headers,
  };
}

async function call(
  baseUrl: string,
  session: TransportSession,
  method: AdminMethod,
  input: unknown,
  scope: AdminScope,
): Promise<unknown> {
  let response: Response;
  const issuer = scope.issuer ? `?issuer=${encodeURIComponent(scope.issuer)}` : '';
  try {
    response = await fetch(
      `${baseUrl}${HTTP_ADMIN_PREFIX}/${method}${issuer}`,
      requestInit(session, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      }),
    );
  } catch {
    throw new AdminError('internal', 'Cannot reach the IDP Sandbox engine. Is it still running?');
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 401) {
    session.expire();
    throw new AdminError('unauthorized', SIGN_IN_AGAIN);
  }
  if (!response.ok) {
    if (isAdminErrorBody(body)) throw new AdminError(body.code, body.message);
    throw new AdminError('internal', `The engine answered ${response.status} ${response.statusText}.`);
  }
  return body;
}

/** Reconnecting waits this long at most: the engine is local, so asking every 2 s costs nothing. */
const MAX_RECONNECT_DELAY_MS = 2000;

/** One server-sent-events message: its data lines joined, its id if it set one, its event name. */
interface SseMessage {
  data: string;
  id: string | null;
  event: string | null;
}

/** Hands each complete server-sent-events message to `onMessage`; returns the unfinished rest. */
function readFrames(buffer: string, onMessage: (message: SseMessage) => void): string {
  let rest = buffer;
  let end = rest.indexOf('\n\n');
  while (end >= 0) {
    const data: string[] = [];
    let id: string | null = null;
    let event: string | null = null;
    for (const line of rest.slice(0, end).split('\n')) {
      if (line.startsWith('data:')) data.push(line.slice(5).trim());
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    if (data.length > 0 || id !== null) onMessage({ data: data.join('\n'), id, event });
    rest = rest.slice(end + 2);
    end = rest.indexOf('\n\n');
  }
  return rest;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const isNullableString = (value: unknown) => value === null || typeof value === 'string';

/**
 * Whether a parsed item has EngineEventSchema's shape. Checked by hand, not by the schema: under load
 * a message carries 500 events ten times a second, and the schema walked every event's data (z.json)
 * in 25–53 ms tasks of the renderer. The data came out of JSON.parse, so it is JSON whatever it holds;
 * only the fields the pages read need checking.
 */
export function isLiveEvent(item: unknown): item is EngineEvent {
  if (typeof item !== 'object' || item === null) return false;
  const e = item as Record<string, unknown>;
  return (
    Number.isInteger(e.id) &&
    typeof e.at === 'string' &&
    typeof e.type === 'string' &&
    EVENT_TYPE_SET.has(e.type) &&
    isNullableString(e.client_id) &&
    isNullableString(e.username) &&
    isNullableString(e.token_id) &&
    typeof e.data === 'object' &&
    e.data !== null &&
    !Array.isArray(e.data) &&
    (e.issuer === undefined || typeof e.issuer === 'string')
  );
}

/** The valid events of one message: a batch (a JSON array), oldest first. */
function eventsOf(data: string): EngineEvent[] {
  const parsed: unknown = JSON.parse(data);
  const items: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  // Nearly always all of them: the array as parsed is the batch.
  return items.every(isLiveEvent) ? items : items.filter(isLiveEvent);
}

/**
 * One server-sent-events connection shared by all subscribers, read with fetch (EventSource cannot
 * send a header) so it carries the UI token like every other admin call. Its state is the UI's
 * "is the engine there": it reconnects by itself while anyone listens, and stops for good once the
 * engine refuses the token. Reconnecting, it sends the last message's id as `Last-Event-ID`, so the
 * engine sends the events missed meanwhile first (see main/core/http/event-stream.ts).
 */
function createEventStream(baseUrl: string, session: TransportSession): LiveStream {
  const listeners = new Set<(event: EngineEvent) => void>();
  const batchListeners = new Set<(batch: LiveBatch) => void>();
  const connectionListeners = new Set<() => void>();
  let controller: AbortController | null = null;
  let connection: LiveConnection = 'connecting';
  let lastEventId: string | null = null;
  const setConnection = (next: LiveConnection) => {
    if (next === connection) return;
    connection = next;
    for (const listener of connectionListeners) listener();
  };
  // A `gap` message goes with the batch message right after it (event-stream.ts's frame).
  let gap: LiveGap | null = null;
  const deliver = ({ data, id, event: name }: SseMessage) => {
    if (name === 'gap') {
      const parsed = LiveGapSchema.safeParse(JSON.parse(data));
      if (parsed.success) gap = parsed.data;
      return;
    }
    if (id !== null) lastEventId = id;
    const batch = { events: data ? eventsOf(data) : [], gap };
    gap = null;
    if (batch.events.length === 0 && !batch.gap) return;
    for (const listener of batchListeners) listener(batch);
    for (const event of batch.events) for (const listener of listeners) listener(event);
  };

  async function connect(signal: AbortSignal) {
    let delay = 250;
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await fetch(
          `${baseUrl}${HTTP_EVENT_STREAM}`,
          requestInit(session, { headers, signal }),
        );
        if (response.status === 401) {
          setConnection('refused');
          session.expire();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        setConnection('live');
        delay = 250;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = readFrames(buffer + value, deliver);
        }
      } catch {
        if (signal.aborted) return;
      }
      // The stream ended or could not open: the engine stopped, restarted or is unreachable.
      setConnection('down');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    }
  }

  /** Adds a listener to its set; the first one opens the stream, the last one gone closes it. */
  function listen<L>(set: Set<L>, listener: L): () => void {
    set.add(listener);
    if (!controller) {
      controller = new AbortController();
      void connect(controller.signal);
    }
    return () => {
      set.delete(listener);
      if (listeners.size === 0 && batchListeners.size === 0 && controller) {
        controller.abort();
        controller = null;
      }
    };
  }

  return {
    subscribe: (listener) => listen(listeners, listener),
    subscribeBatch: (listener) => listen(batchListeners, listener),
    connection: () => connection,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** Browser mode: admin calls over HTTP, authenticated by the tab's UI token. */
export function createHttpAdminApi(session: TransportSession, baseUrl = ''): AdminApi {
  return buildAdminApi(
    (method, input, scope) => call(baseUrl, session, method, input, scope),
    createEventStream(baseUrl, session),
  );
}
