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

/** Marks a request as coming from the UI's own script; a cross-site form cannot set it. */
const UI_HEADER = { 'x-idp-sandbox-ui': '1' } as const;

async function call(baseUrl: string, method: AdminMethod, input: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${HTTP_ADMIN_PREFIX}/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...UI_HEADER },
      body: JSON.stringify(input ?? {}),
    });
  } catch {
    throw new AdminError('internal', 'Cannot reach the IDP Sandbox engine. Is it still running?');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    if (isAdminErrorBody(body)) throw new AdminError(body.code, body.message);
    throw new AdminError('internal', `The engine answered ${response.status} ${response.statusText}.`);
  }
  return body;
}

/**
 * One server-sent-events connection shared by all subscribers, opened with fetch so it can carry
 * the UI header like every other admin call. Reconnects with back-off while anyone listens.
 */
function createEventStream(baseUrl: string): EventSubscriber {
  const listeners = new Set<(event: EngineEvent) => void>();
  let controller: AbortController | null = null;

  async function connect(signal: AbortSignal) {
    let delay = 500;
    while (!signal.aborted) {
      try {
        const response = await fetch(`${baseUrl}${HTTP_EVENT_STREAM}`, {
          credentials: 'same-origin',
          headers: { accept: 'text/event-stream', ...UI_HEADER },
          signal,
        });
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

/** Browser mode: admin calls over HTTP, authenticated by the HttpOnly session cookie. */
export function createHttpAdminApi(baseUrl = ''): AdminApi {
  return buildAdminApi((method, input) => call(baseUrl, method, input), createEventStream(baseUrl));
}
