import { EventEmitter } from 'node:events';
import type { EngineEvent, EventFilter, EventType } from '../../../shared/schemas';
import { EventFilterSchema } from '../../../shared/schemas';
import type { Clock } from '../lib/clock';
import { type Db, statement } from './database';
import { parseJson } from './json';

interface EventInput {
  client_id?: string | null | undefined;
  username?: string | null | undefined;
  token_id?: string | null | undefined;
  data?: Record<string, unknown>;
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

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.emitter.setMaxListeners(0);
    this.insert = statement<[number, string, string | null, string | null, string | null, string]>(
      db,
      'INSERT INTO events (at, type, client_id, username, token_id, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  record(type: EventType, input: EventInput = {}): void {
    const at = this.clock.now();
    const clientId = input.client_id ?? null;
    const username = input.username ?? null;
    const tokenId = input.token_id ?? null;
    const serialised = JSON.stringify(input.data ?? {});
    const { lastInsertRowid } = this.insert.run(at, type, clientId, username, tokenId, serialised);
    // Built from what was written rather than read back with RETURNING: every issued token records an
    // event, and the read-back was a measurable share of issuing one. The data is parsed back only for
    // live listeners, so they get exactly what a later list() returns.
    if (this.emitter.listenerCount('event') === 0) return;
    const event: EngineEvent = {
      id: Number(lastInsertRowid),
      at: new Date(at).toISOString(),
      type,
      client_id: clientId,
      username,
      token_id: tokenId,
      data: parseJson(serialised),
    };
    this.emitter.emit('event', event);
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
    // Newest first, except when catching up after an id, where the order of arrival matters.
    const order = f.after_id !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`;
    return (statement(this.db, sql).all(...params, f.limit) as EventRow[]).map(toEvent);
  }
}
