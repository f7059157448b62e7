import type { RequestExchange } from '../../../shared/schemas';
import { type Db, statement } from './database';
import { parseJson } from './json';

/** What is kept of one protocol request: already redacted (http/request-log.ts) before it gets here. */
export interface ExchangeInput {
  method: string;
  path: string;
  status: number;
  request: { headers: Record<string, string>; body: unknown };
  response: { headers: Record<string, string>; body: unknown };
}

interface ExchangeRow {
  event_id: number;
  at: number;
  method: string;
  path: string;
  status: number;
  request: string;
  response: string;
}

/**
 * The request/response log: the redacted HTTP exchange behind each `request` event, keyed by the
 * event's id. Bounded by retention (provider/retention.ts) more tightly than the events themselves:
 * an event outlives its exchange, which is the bulky part.
 */
export class RequestLog {
  private readonly insertRow;

  constructor(private readonly db: Db) {
    this.insertRow = statement<[number, number, string, string, number, string, string]>(
      db,
      'INSERT INTO request_log (event_id, at, method, path, status, request, response) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  insert(eventId: number, at: number, exchange: ExchangeInput): void {
    this.insertRow.run(
      eventId,
      at,
      exchange.method,
      exchange.path,
      exchange.status,
      JSON.stringify(exchange.request),
      JSON.stringify(exchange.response),
    );
  }

  get(eventId: number): RequestExchange | null {
    const row = statement<[number], ExchangeRow>(this.db, 'SELECT * FROM request_log WHERE event_id = ?').get(
      eventId,
    );
    if (!row) return null;
    return {
      event_id: row.event_id,
      at: new Date(row.at).toISOString(),
      method: row.method,
      path: row.path,
      status: row.status,
      request: parseJson(row.request) as RequestExchange['request'],
      response: parseJson(row.response) as RequestExchange['response'],
    };
  }

  /** Deletes up to `limit` exchanges older than `beforeMs` or beyond the newest `keep`. */
  purge(beforeMs: number, keep: number, limit: number): number {
    return statement(
      this.db,
      `DELETE FROM request_log WHERE event_id IN (
         SELECT event_id FROM request_log
         WHERE at < ? OR event_id <= coalesce(
           (SELECT event_id FROM request_log ORDER BY event_id DESC LIMIT 1 OFFSET ?), 0)
         ORDER BY event_id LIMIT ?)`,
    ).run(beforeMs, keep, limit).changes;
  }
}
