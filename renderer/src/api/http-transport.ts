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
import type { AdminScope } from '../../../shared/issuers';
import { type EngineEvent, EngineEventSchema } from '../../../shared/schemas';
import type { UiSession } from './ui-session';

const SIGN_IN_AGAIN =
  'The engine did not accept this tab\'s sign-in (it may have been restarted). Open the "Admin UI" link it printed at start.';

/**
 * The tab's UI token as a header, which no other site's page can set on a request to the engine.
 * `credentials: 'omit'`: no cookie takes part in admin calls.
 */
function requestInit(
  session: UiSession,
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
  session: UiSession,
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

/** Hands each complete server-sent-events frame's data to `onData`; returns the unfinished rest. */
function readFrames(buffer: string, onData: (data: string) => void): string {
  let rest = buffer;
  let end = rest.indexOf('\n\n');
  while (end >= 0) {
    const data = rest
      .slice(0, end)
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n');
    if (data) onData(data);
    rest = rest.slice(end + 2);
    end = rest.indexOf('\n\n');
  }
  return rest;
}

/**
 * One server-sent-events connection shared by all subscribers, read with fetch (EventSource cannot
 * send a header) so it carries the UI token like every other admin call. Its state is the UI's
 * "is the engine there": it reconnects by itself while anyone listens, and stops for good once the
 * engine refuses the token.
 */
function createEventStream(baseUrl: string, session: UiSession): LiveStream {
  const listeners = new Set<(event: EngineEvent) => void>();
  const connectionListeners = new Set<() => void>();
  let controller: AbortController | null = null;
  let connection: LiveConnection = 'connecting';
  const setConnection = (next: LiveConnection) => {
    if (next === connection) return;
    connection = next;
    for (const listener of connectionListeners) listener();
  };
  const deliver = (data: string) => {
    const parsed = EngineEventSchema.safeParse(JSON.parse(data));
    if (parsed.success) for (const listener of listeners) listener(parsed.data);
  };

  async function connect(signal: AbortSignal) {
    let delay = 250;
    while (!signal.aborted) {
      try {
        const response = await fetch(
          `${baseUrl}${HTTP_EVENT_STREAM}`,
          requestInit(session, { headers: { accept: 'text/event-stream' }, signal }),
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

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!controller) {
        controller = new AbortController();
        void connect(controller.signal);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && controller) {
          controller.abort();
          controller = null;
        }
      };
    },
    connection: () => connection,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** Browser mode: admin calls over HTTP, authenticated by the tab's UI token. */
export function createHttpAdminApi(session: UiSession, baseUrl = ''): AdminApi {
  return buildAdminApi(
    (method, input, scope) => call(baseUrl, session, method, input, scope),
    createEventStream(baseUrl, session),
  );
}
