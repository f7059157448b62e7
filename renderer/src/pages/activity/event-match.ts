import type { EngineEvent, EventFilter, EventType } from '../../../../shared/schemas';

/** What narrows the Activity list and its count: an events filter without its paging. */
export type EventMatch = Omit<EventFilter, 'after_id' | 'before_id' | 'limit'>;

/** The failures besides error responses that "errors only" keeps, as the engine's filter does. */
const REUSE_TYPES: ReadonlySet<EventType> = new Set(['token.reuse_detected', 'code.reuse_detected']);

/**
 * Lower case as SQLite's LIKE compares: ASCII letters only ("É" and "é" differ there, so here too).
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * Whether free text is in the event where the engine's `q` looks: its type, client id, user name,
 * token id, or its data as stored (JSON). Field by field, as the engine's LIKE conditions are.
 */
function containsText(event: EngineEvent, q: string): boolean {
  return [event.type, event.client_id, event.username, event.token_id, JSON.stringify(event.data)].some(
    (field) => field !== null && asciiLower(field).includes(q),
  );
}

function status(event: EngineEvent): number | null {
  return event.type === 'request' && typeof event.data.status === 'number' ? event.data.status : null;
}

/**
 * Whether the engine would list this event under the filter: live events are shown (or not) by this
 * without asking the engine again, so it follows main/core/store/events.ts field by field.
 */
export function matchesEvent(event: EngineEvent, match: EventMatch): boolean {
  if (match.type !== undefined && event.type !== match.type) return false;
  if (match.client_id !== undefined && event.client_id !== match.client_id) return false;
  if (match.username !== undefined && event.username !== match.username) return false;
  if (match.token_id !== undefined && event.token_id !== match.token_id) return false;
  // The engine keeps a request's endpoint and status in columns of their own, set for requests only.
  if (match.endpoint !== undefined && (event.type !== 'request' || event.data.endpoint !== match.endpoint)) {
    return false;
  }
  if (match.errors && !((status(event) ?? 0) >= 400 || REUSE_TYPES.has(event.type))) return false;
  const q = match.q === undefined ? '' : asciiLower(match.q.trim());
  return !q || containsText(event, q);
}
