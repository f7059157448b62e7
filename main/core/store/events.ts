import { EventEmitter } from 'node:events';
import type { EngineEvent, EventFilter, EventType } from '../../../shared/schemas';
import { EventFilterSchema } from '../../../shared/schemas';
import type { Clock } from '../lib/clock';
import { type Db, statement } from './database';
import { parseJson } from './json';
import { RequestLog } from './request-log';

interface EventInput {
  client_id?: string | null | undefined;
  username?: string | null | undefined;
  token_id?: string | null | undefined;
  data?: Record<string, unknown>;
}

/** A protocol request's outcome: the filterable part of a `request` event (its data holds the rest). */
interface RequestOutcome {
  endpoint: string;
  status: number;
}

interface EventRow {
  id: number;
  at: number;
  type: EventType;
  client_id: string | null;
  username: string | null;
  token_id: string | null;
  data: string;
}

function toEvent(row: EventRow): EngineEvent {
  return { ...row, at: new Date(row.at).toISOString(), data: parseJson(row.data) };
}

/**
 * The lifecycle log: every step is written to the events table and pushed to live listeners
 * (the UI over IPC or server-sent events). Listeners run after the write, outside any transaction.
 */
export class EventLog {
  private readonly emitter = new EventEmitter();
  private readonly insert;
  private readonly insertRequest;
  /** The redacted HTTP exchanges behind `request` events. */
  readonly requests: RequestLog;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.emitter.setMaxListeners(0);
    this.insert = statement<[number, string, string | null, string | null, string | null, string]>(
      db,
      'INSERT INTO events (at, type, client_id, username, token_id, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertRequest = statement<
      [number, string, string | null, string | null, string | null, string, number, string]
    >(
      db,
      'INSERT INTO events (at, type, client_id, username, token_id, data, status, endpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.requests = new RequestLog(db);
  }

  /** Records an event and returns its id. */
  record(type: EventType, input: EventInput = {}, outcome?: RequestOutcome): number {
    const at = this.clock.now();
    const clientId = input.client_id ?? null;
    const username = input.username ?? null;
    const tokenId = input.token_id ?? null;
    const serialised = JSON.stringify(input.data ?? {});
    const { lastInsertRowid } = outcome
      ? this.insertRequest.run(
          at,
          type,
          clientId,
          username,
          tokenId,
          serialised,
          outcome.status,
          outcome.endpoint,
        )
      : this.insert.run(at, type, clientId, username, tokenId, serialised);
    const id = Number(lastInsertRowid);
    // Built from what was written rather than read back with RETURNING: every issued token records an
    // event, and the read-back was a measurable share of issuing one. The data is parsed back only for
    // live listeners, so they get exactly what a later list() returns.
    if (this.emitter.listenerCount('event') === 0) return id;
    const event: EngineEvent = {
      id,
      at: new Date(at).toISOString(),
      type,
      client_id: clientId,
      username,
      token_id: tokenId,
      data: parseJson(serialised),
    };
    this.emitter.emit('event', event);
    return id;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Deletes up to `limit` events that are older than `beforeMs` or beyond the newest `keep` (-1: all). */
  purge(beforeMs: number, keep: number, limit = -1): number {
    return statement(
      this.db,
      `DELETE FROM events WHERE id IN (
         SELECT id FROM events
         WHERE at < ? OR id <= coalesce((SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?), 0)
         ORDER BY id LIMIT ?)`,
    ).run(beforeMs, keep, limit).changes;
  }

  list(filter: EventFilter): EngineEvent[] {
    const f = EventFilterSchema.parse(filter);
    const where: string[] = [];
    const params: unknown[] = [];
    for (const key of ['type', 'client_id', 'username', 'token_id'] as const) {
      if (f[key] !== undefined) {
        where.push(`${key} = ?`);
        params.push(f[key]);
      }
    }
    if (f.after_id !== undefined) {
      where.push('id > ?');
      params.push(f.after_id);
    }
    // Keyset paging: the page after one that ended at before_id, however many events are kept.
    if (f.before_id !== undefined) {
      where.push('id < ?');
      params.push(f.before_id);
    }
    if (f.endpoint !== undefined) {
      where.push('endpoint = ?');
      params.push(f.endpoint);
    }
    if (f.errors) where.push(`(status >= 400 OR type IN ('token.reuse_detected', 'code.reuse_detected'))`);
    // Newest first, except when catching up after an id, where the order of arrival matters.
    const order = f.after_id !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT id, at, type, client_id, username, token_id, data FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`;
    return (statement(this.db, sql).all(...params, f.limit) as EventRow[]).map(toEvent);
  }
}
