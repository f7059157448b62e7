import type { Count, EngineEvent, EventFilter, EventType } from '../../../shared/schemas';
import { EVENT_TYPES, EventFilterSchema } from '../../../shared/schemas';
import type { Clock } from '../lib/clock';
import { type Db, statement } from './database';
import { parseJson } from './json';
import { RequestLog } from './request-log';
import { asciiLower, countByRowid, pageByRowid, textMatch } from './windows';

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

/** Which event types a live listener wants. */
export type EventInterest = (type: EventType) => boolean;
const EVERY_EVENT: EventInterest = () => true;

interface Subscriber {
  listener: (event: RecordedEvent) => void;
  wants: EventInterest;
}

/**
 * A live event as it was written, made into an EngineEvent (`build`) only by a listener that keeps
 * it. At full speed a UI keeps the newest 500 of some 20,000 events a second (live-batches.ts), and
 * building every one (its data parsed back, its time formatted, ~3–8 µs) took the engine's thread
 * from issuing tokens; holding what was written costs a tenth of that.
 */
export class RecordedEvent {
  constructor(
    readonly id: number,
    readonly type: EventType,
    /** The issuer whose log it is in (EngineEvent.issuer); absent for a log of no named issuer. */
    readonly issuer: string | undefined,
    private readonly at: number,
    private readonly clientId: string | null,
    private readonly username: string | null,
    private readonly tokenId: string | null,
    private readonly data: string,
  ) {}

  /** Exactly what a later list() returns for it, tagged with its issuer. */
  build(): EngineEvent {
    const event: EngineEvent = {
      id: this.id,
      at: new Date(this.at).toISOString(),
      type: this.type,
      client_id: this.clientId,
      username: this.username,
      token_id: this.tokenId,
      data: parseJson(this.data),
    };
    if (this.issuer !== undefined) event.issuer = this.issuer;
    return event;
  }
}

function toEvent(row: EventRow): EngineEvent {
  return { ...row, at: new Date(row.at).toISOString(), data: parseJson(row.data) };
}

/**
 * The lifecycle log: every step is written to the events table and pushed to live listeners
 * (the UI over IPC or server-sent events). Listeners run after the write, outside any transaction.
 */
export class EventLog {
  private readonly subscribers = new Set<Subscriber>();
  private readonly insert;
  private readonly insertRequest;
  /** The redacted HTTP exchanges behind `request` events. */
  readonly requests: RequestLog;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The issuer's id its live events carry (the engine's issuers; absent in a bare store). */
    private readonly issuer?: string,
  ) {
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
    // What was written rather than a read-back with RETURNING: every issued token records an event,
    // and the read-back was a measurable share of issuing one.
    if (!this.wanted(type)) return id;
    const event = new RecordedEvent(id, type, this.issuer, at, clientId, username, tokenId, serialised);
    for (const subscriber of this.subscribers) if (subscriber.wants(type)) subscriber.listener(event);
    return id;
  }

  private wanted(type: EventType): boolean {
    for (const subscriber of this.subscribers) if (subscriber.wants(type)) return true;
    return false;
  }

  /**
   * Live events of the types `wants` accepts (all by default). An event no listener wants is never
   * built: the CLI's fault log listens all the time, and must not cost every issued token a copy.
   */
  subscribe(listener: (event: RecordedEvent) => void, wants: EventInterest = EVERY_EVENT): () => void {
    const subscriber = { listener, wants };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
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
    const { conditions, params } = eventConditions(f);
    if (f.after_id !== undefined) {
      conditions.push('id > @after_id');
      params.after_id = f.after_id;
    }
    // Keyset paging: the page after one that ended at before_id, however many events are kept.
    if (f.before_id !== undefined) {
      conditions.push('id < @before_id');
      params.before_id = f.before_id;
    }
    // Newest first, except when catching up after an id, where the order of arrival matters.
    const order = f.after_id !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT ${EVENT_COLUMNS} FROM events ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT @limit`;
    return (statement(this.db, sql).all({ ...params, limit: f.limit }) as EventRow[]).map(toEvent);
  }

  /**
   * One page newest first before `before_id`, read in bounded id windows (store/windows.ts): a filter
   * the type index does not serve reads a window at a time, so a page may be short while more remain.
   */
  page(filter: EventPageFilter): { events: EngineEvent[]; next_before_id: number | null } {
    const f = EventFilterSchema.omit({ after_id: true }).parse(filter);
    const { conditions, params, indexed } = eventConditions(f);
    const hint = indexed ? 'INDEXED BY events_type' : 'NOT INDEXED';
    const scope = indexed ? 'type = @type' : '1';
    const start = (
      statement(this.db, `SELECT max(id) AS v FROM events ${hint} WHERE ${scope} AND id < @before`).get({
        ...params,
        before: f.before_id ?? Number.MAX_SAFE_INTEGER,
      }) as { v: number | null }
    ).v;
    const end = (
      statement(this.db, `SELECT min(id) AS v FROM events ${hint} WHERE ${scope}`).get(params) as {
        v: number | null;
      }
    ).v;
    const read = statement(
      this.db,
      `SELECT ${EVENT_COLUMNS} FROM events ${hint} WHERE id BETWEEN @lo AND @hi${conditions.map((c) => ` AND ${c}`).join('')} ORDER BY id DESC LIMIT @n`,
    );
    const page = pageByRowid({
      desc: true,
      range: start === null || end === null ? null : { start, end },
      limit: f.limit,
      windowed: conditions.length > (indexed ? 1 : 0),
      read: (lo, hi, n) => read.all({ ...params, lo, hi, n }) as EventRow[],
      seqOf: (row) => row.id,
    });
    return { events: page.rows.map(toEvent), next_before_id: page.next };
  }

  /** How many events match: exact when only the type (or nothing) filters, otherwise maybe estimated. */
  count(filter: EventCountFilter): Count {
    const f = EventFilterSchema.omit({ after_id: true, before_id: true, limit: true }).parse(filter);
    const { conditions, params, indexed } = eventConditions(f);
    const hint = indexed ? 'INDEXED BY events_type' : 'NOT INDEXED';
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    if (conditions.length <= (indexed ? 1 : 0)) {
      const n = statement(this.db, `SELECT count(*) AS n FROM events ${where}`).get(params) as { n: number };
      return { count: n.n, exact: true };
    }
    // Apart: SQLite finds min() or max() of the id at once, but both in one query scan the table.
    const edge = (fn: 'min' | 'max') =>
      (
        statement(
          this.db,
          `SELECT ${fn}(id) AS v FROM events ${hint} WHERE ${indexed ? 'type = @type' : '1'}`,
        ).get(params) as { v: number | null }
      ).v;
    const min = edge('min');
    const max = edge('max');
    const count = statement(
      this.db,
      `SELECT count(*) AS n FROM events ${hint} WHERE id BETWEEN @lo AND @hi AND ${conditions.join(' AND ')}`,
    );
    return countByRowid(
      min === null || max === null ? null : { min, max },
      (lo, hi) => (count.get({ ...params, lo, hi }) as { n: number }).n,
    );
  }
}

type EventPageFilter = Omit<EventFilter, 'after_id'>;
type EventCountFilter = Omit<EventFilter, 'after_id' | 'before_id' | 'limit'>;

const EVENT_COLUMNS = 'id, at, type, client_id, username, token_id, data';

/** The conditions every event read shares (not the id bounds); `indexed`: the type index serves one. */
function eventConditions(f: {
  type?: string | undefined;
  client_id?: string | undefined;
  username?: string | undefined;
  token_id?: string | undefined;
  endpoint?: string | undefined;
  errors?: boolean | undefined;
  q?: string | undefined;
}): { conditions: string[]; params: Record<string, unknown>; indexed: boolean } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  for (const key of ['type', 'client_id', 'username', 'token_id', 'endpoint'] as const) {
    if (f[key] !== undefined) {
      conditions.push(`${key} = @${key}`);
      params[key] = f[key];
    }
  }
  if (f.errors) conditions.push(`(status >= 400 OR type IN ('token.reuse_detected', 'code.reuse_detected'))`);
  if (f.q !== undefined) {
    // The types holding the text are known here, so no row's type is LIKEd (a fifth of the cost of
    // a free-text scan, the part of a search that reads most): every stored type is one of
    // EVENT_TYPES (only record() writes events, and the contract's schema lists no other).
    const q = asciiLower(f.q);
    const types = EVENT_TYPES.filter((type) => type.includes(q));
    const text = textMatch(['client_id', 'username', 'token_id', 'data'], f.q);
    const byType = types.length > 0 ? 'type IN (SELECT value FROM json_each(@types)) OR ' : '';
    conditions.push(`(${byType}${text.sql})`);
    params.like = text.like;
    if (types.length > 0) params.types = JSON.stringify(types);
  }
  return { conditions, params, indexed: f.type !== undefined };
}
