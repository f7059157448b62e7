import type { EngineEvent, EventType } from '../../../../shared/schemas';

/** A request event's HTTP status (null for other events). */
export function requestStatus(event: EngineEvent): number | null {
  return event.type === 'request' && typeof event.data.status === 'number' ? event.data.status : null;
}

/** Whether an event is a failure: a request answered with an error, or a detected reuse. */
export function requestFailed(event: EngineEvent): boolean {
  const status = requestStatus(event);
  return (status !== null && status >= 400) || typeof event.data.error === 'string';
}

export function eventColor(event: EngineEvent): string {
  const type: EventType = event.type;
  if (type === 'request') return requestFailed(event) ? 'red' : 'teal';
  if (type.includes('reuse') || type.startsWith('fault')) return 'orange';
  if (type.endsWith('revoked') || type.endsWith('deleted') || type === 'workspace.reset') return 'red';
  if (type.startsWith('token.') || type === 'login' || type === 'logout') return 'green';
  if (type.startsWith('key.') || type === 'settings.changed') return 'grape';
  return 'blue';
}

/** What the Event column says: the type, or for a request its endpoint and status ("token 401"). */
export function eventLabel(event: EngineEvent): string {
  if (event.type !== 'request') return event.type;
  return `${String(event.data.endpoint ?? 'request')} ${requestStatus(event) ?? ''}`.trim();
}

/** Fields shown in their own column or badge, not repeated in the details. */
const SHOWN_ELSEWHERE = new Set(['endpoint', 'status', 'error', 'error_description', 'method']);

/** The event's extra data as "key: value" pairs, short enough for one table cell. */
export function summary(event: EngineEvent): string {
  return Object.entries(event.data)
    .filter(
      ([key, value]) =>
        value !== null && value !== undefined && !(event.type === 'request' && SHOWN_ELSEWHERE.has(key)),
    )
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
