import {
  type AdminApi,
  type AdminMethod,
  buildAdminApi,
  type EventSubscriber,
  HTTP_ADMIN_PREFIX,
  HTTP_EVENT_STREAM,
} from '../../../shared/contract';
import { AdminError, isAdminErrorBody } from '../../../shared/errors';
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
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(
      `${baseUrl}${HTTP_ADMIN_PREFIX}/${method}`,
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

/**
 * One server-sent-events connection shared by all subscribers, read with fetch (EventSource cannot
 * send a header) so it carries the UI token like every other admin call. Reconnects with back-off
 * while anyone listens, and stops for good once the engine refuses the token.
 */
function createEventStream(baseUrl: string, session: UiSession): EventSubscriber {
  const listeners = new Set<(event: EngineEvent) => void>();
  let controller: AbortController | null = null;

  async function connect(signal: AbortSignal) {
    let delay = 500;
    while (!signal.aborted) {
      try {
        const response = await fetch(
          `${baseUrl}${HTTP_EVENT_STREAM}`,
          requestInit(session, { headers: { accept: 'text/event-stream' }, signal }),
        );
        if (response.status === 401) {
          session.expire();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim())
              .join('\n');
            if (data) {
              const parsed = EngineEventSchema.safeParse(JSON.parse(data));
              if (parsed.success) for (const listener of listeners) listener(parsed.data);
            }
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  return (listener) => {
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
  };
}

/** Browser mode: admin calls over HTTP, authenticated by the tab's UI token. */
export function createHttpAdminApi(session: UiSession, baseUrl = ''): AdminApi {
  return buildAdminApi(
    (method, input) => call(baseUrl, session, method, input),
    createEventStream(baseUrl, session),
  );
}
