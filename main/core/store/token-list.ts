import type { z } from 'zod';
import type { TokenMatchSchema, TokenSort } from '../../../shared/schemas';
import type { TokenPosition } from '../../../shared/token-cursor';
import { type Db, statement } from './database';
import { countByRowid, type Estimate, pageByRowid, type RowidRange, scanLimits, textMatch } from './windows';

/**
 * The SQL of token lists and counts over a store of millions of rows. Each order pages by keyset:
 * the issue orders by rowid, the expiry orders by (expires_at, rowid) along the tokens_expires index.
 * A filter one of the equality indexes serves (grant, user, client) reads that index's entries only; any
 * other filter reads the table in bounded windows (store/windows.ts), so no call runs long.
 */

export type TokenMatchInput = z.output<typeof TokenMatchSchema>;

export const REUSE_DETECTED = 'reuse_detected';

/** tokenState (store/tokens.ts) in SQL. */
export const STATE_SQL = `CASE
  WHEN revoked_reason = '${REUSE_DETECTED}' THEN 'reuse_detected'
  WHEN revoked_at IS NOT NULL THEN 'revoked'
  WHEN rotated_at IS NOT NULL THEN 'rotated'
  WHEN expires_at <= @now THEN 'expired'
  ELSE 'active' END`;

/**
 * The equality indexes (migrations 1, 2, 11), most selective first: a filter on one reads only its
 * entries, in rowid order. tokens_kind holds the kinds other than access only (migration 11 says why),
 * and SQLite uses a partial index only when the query repeats its condition: `with` is that condition.
 */
const EQUALITY_INDEXES = [
  { column: 'grant_id', index: 'tokens_grant', with: [] },
  { column: 'user_id', index: 'tokens_user', with: [] },
  { column: 'kind', index: 'tokens_kind', with: ["kind <> 'access'"] },
  { column: 'client_id', index: 'tokens_client', with: [] },
] as const;

/** A match as SQL: its conditions, their parameters, and the index that serves it (if one does). */
export interface MatchSql {
  conditions: string[];
  params: Record<string, unknown>;
  /** The equality index the read goes through, or null (rowid order, in windows). */
  index: string | null;
  /** The conditions the index serves (they also bound the rowid range), joined by AND. */
  indexCondition: string | null;
  /** Whether some condition is left that the index does not serve: then the read goes in windows. */
  windowed: boolean;
  /** The ids filter: a few primary-key lookups, never windowed. */
  byIds: boolean;
}

export function matchSql(db: Db, match: TokenMatchInput, now: number): MatchSql {
  if (match.q !== undefined && match.ids === undefined && tokenExists(db, match.q)) {
    // A pasted token id is that token, found at once by its primary key: as a part of the other
    // columns it would be found only when the window holding it is read, maybe pages later.
    const { q, ...rest } = match;
    return matchSql(db, { ...rest, ids: [q] }, now);
  }
  const conditions: string[] = [];
  const params: Record<string, unknown> = { now };
  const equal = (column: string, value: unknown) => {
    conditions.push(`${column} = @${column}`);
    params[column] = value;
  };
  if (match.kind !== undefined) equal('kind', match.kind);
  if (match.format !== undefined) equal('format', match.format);
  if (match.client_id !== undefined) equal('client_id', match.client_id);
  if (match.grant_id !== undefined) equal('grant_id', match.grant_id);
  if (match.username !== undefined) {
    // Tokens carry their user's id (indexed) and name (not indexed): the name of an existing user is
    // looked up by id; one no user has now (deleted, or a token minted for a free-form name) by name.
    const user = statement(db, 'SELECT id FROM users WHERE username = ?').get(match.username) as
      | { id: string }
      | undefined;
    if (user) equal('user_id', user.id);
    else equal('username', match.username);
  }
  if (match.state !== undefined) {
    conditions.push(`(${STATE_SQL}) = @state`);
    params.state = match.state;
  }
  if (match.q !== undefined) {
    // The id exactly (a pasted jti), or a part of the columns a person searches by. A JWT's payload is
    // not searched: it is base64url in the jwt column, and its claims that are not columns already are
    // in the claims column (store/tokens.ts TokenRecord.claims) for reference and refresh tokens only.
    const text = textMatch(['subject', 'username', 'client_id', 'claims'], match.q);
    conditions.push(`(id = @q OR ${text.sql})`);
    params.q = match.q;
    params.like = text.like;
  }
  if (match.ids !== undefined) {
    conditions.push('id IN (SELECT value FROM json_each(@ids))');
    params.ids = JSON.stringify(match.ids);
    return { conditions, params, index: null, indexCondition: null, windowed: false, byIds: true };
  }
  const served = EQUALITY_INDEXES.find(
    ({ column }) => params[column] !== undefined && (column !== 'kind' || params.kind !== 'access'),
  );
  if (!served) {
    return {
      conditions,
      params,
      index: null,
      indexCondition: null,
      windowed: conditions.length > 0,
      byIds: false,
    };
  }
  const servedConditions = [`${served.column} = @${served.column}`, ...served.with];
  return {
    conditions: [...conditions, ...served.with],
    params,
    index: served.index,
    indexCondition: servedConditions.join(' AND '),
    windowed: conditions.some((condition) => !servedConditions.includes(condition)),
    byIds: false,
  };
}

function tokenExists(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM tokens WHERE id = ?').get(id) !== undefined;
}

const and = (conditions: string[]) => (conditions.length ? conditions.join(' AND ') : '1');

/** How the table is read: through the equality index, or by rowid only. */
function hint(match: MatchSql): string {
  if (match.byIds) return '';
  return match.index ? `INDEXED BY ${match.index}` : 'NOT INDEXED';
}

/** Exactly how many match (reads every match: for a list's `total`, and counts known to be cheap). */
export function countExactly(db: Db, match: MatchSql): number {
  const sql = `SELECT count(*) AS n FROM tokens ${match.conditions.length ? hint(match) : ''} WHERE ${and(match.conditions)}`;
  return (statement(db, sql).get(match.params) as { n: number }).n;
}

/** How many match: exact when only an index (or nothing) filters, otherwise maybe estimated. */
export function countMatches(db: Db, match: MatchSql): Estimate {
  if (!match.windowed) return { count: countExactly(db, match), exact: true };
  const scope = match.indexCondition ?? '1';
  // Apart: SQLite finds min() or max() of the rowid at once, but both in one query scan the table.
  const edge = (fn: 'min' | 'max') =>
    (
      statement(db, `SELECT ${fn}(rowid) AS v FROM tokens ${hint(match)} WHERE ${scope}`).get(
        match.params,
      ) as {
        v: number | null;
      }
    ).v;
  const min = edge('min');
  const max = edge('max');
  const count = statement(
    db,
    `SELECT count(*) AS n FROM tokens ${hint(match)} WHERE rowid BETWEEN @lo AND @hi AND ${and(match.conditions)}`,
  );
  return countByRowid(
    min === null || max === null ? null : { min, max },
    (lo, hi) => (count.get({ ...match.params, lo, hi }) as { n: number }).n,
  );
}

/** A row as COLUMNS lists (store/tokens.ts), its rowid appended. */
export type RowWithSeq = unknown[];

export interface PageRequest {
  sort: TokenSort;
  after: TokenPosition | null;
  limit: number;
  offset: number;
}

export interface RawPage {
  rows: RowWithSeq[];
  next: TokenPosition | null;
}

/**
 * One page. `columns` is the select list (store/tokens.ts COLUMNS); each row is those columns and the
 * rowid after them; `expiresOf(row)` reads the expiry of a row for the expiry orders' positions.
 */
export function pageOfTokens(
  db: Db,
  columns: string,
  match: MatchSql,
  request: PageRequest,
  expiresOf: (row: RowWithSeq) => number,
): RawPage {
  const seqOf = (row: RowWithSeq) => row.at(-1) as number;
  const positionOf = (row: RowWithSeq): TokenPosition =>
    request.sort.startsWith('expires') ? { seq: seqOf(row), expires: expiresOf(row) } : { seq: seqOf(row) };
  // Few rows to order (ids), or an old caller's offset: one plain query in the page's order.
  if (match.byIds || request.offset > 0) {
    const rows = plainPage(db, columns, match, request);
    const last = rows.at(-1);
    return { rows, next: rows.length === request.limit && last ? positionOf(last) : null };
  }
  if (request.sort === 'issued_desc' || request.sort === 'issued_asc') {
    const desc = request.sort === 'issued_desc';
    const read = statement<[Record<string, unknown>], RowWithSeq>(
      db,
      `SELECT ${columns}, rowid FROM tokens ${hint(match)} WHERE rowid BETWEEN @lo AND @hi AND ${and(match.conditions)} ORDER BY rowid ${desc ? 'DESC' : 'ASC'} LIMIT @n`,
    ).raw(true);
    const page = pageByRowid({
      desc,
      range: rowidRange(db, match, desc, request.after?.seq ?? null),
      limit: request.limit,
      windowed: match.windowed,
      read: (lo, hi, n) => read.all({ ...match.params, lo, hi, n }),
      seqOf,
    });
    return {
      rows: page.rows,
      next: page.next === null ? null : lastOrWindowEnd(page.rows, page.next, positionOf),
    };
  }
  return expiryPage(db, columns, match, request, positionOf);
}

/** The last row's position when the page ended on it, else the window end the read stopped at. */
function lastOrWindowEnd(
  rows: RowWithSeq[],
  next: number,
  positionOf: (row: RowWithSeq) => TokenPosition,
): TokenPosition {
  const last = rows.at(-1);
  return last !== undefined && (last.at(-1) as number) === next ? positionOf(last) : { seq: next };
}

/** The rowids an issue-ordered read goes through (within the index's entries when one serves it). */
function rowidRange(db: Db, match: MatchSql, desc: boolean, after: number | null): RowidRange | null {
  const scope = [match.indexCondition ?? '1'];
  const first = after === null ? scope : [...scope, desc ? 'rowid < @after' : 'rowid > @after'];
  const edge = (fn: 'min' | 'max', conditions: string[]) =>
    (
      statement(db, `SELECT ${fn}(rowid) AS v FROM tokens ${hint(match)} WHERE ${and(conditions)}`).get({
        ...match.params,
        after,
      }) as { v: number | null }
    ).v;
  const start = edge(desc ? 'max' : 'min', first);
  const end = edge(desc ? 'min' : 'max', scope);
  return start === null || end === null ? null : { start, end };
}

/** The SQL of "after this position" in a page's order, and that order. */
function orderSql(sort: TokenSort, after: TokenPosition | null): { position: string; order: string } {
  switch (sort) {
    case 'issued_desc':
      return { position: after ? 'rowid < @seq' : '1', order: 'rowid DESC' };
    case 'issued_asc':
      return { position: after ? 'rowid > @seq' : '1', order: 'rowid ASC' };
    case 'expires_asc':
      return {
        position: after ? '(expires_at, rowid) > (@expires, @seq)' : '1',
        order: 'expires_at ASC, rowid ASC',
      };
    case 'expires_desc':
      return {
        position: after ? '(expires_at, rowid) < (@expires, @seq)' : '1',
        order: 'expires_at DESC, rowid DESC',
      };
  }
}

function plainPage(db: Db, columns: string, match: MatchSql, request: PageRequest): RowWithSeq[] {
  const { position, order } = orderSql(request.sort, request.after);
  return statement<[Record<string, unknown>], RowWithSeq>(
    db,
    `SELECT ${columns}, rowid FROM tokens WHERE ${position} AND ${and(match.conditions)} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
  )
    .raw(true)
    .all({
      ...match.params,
      seq: request.after?.seq ?? null,
      expires: request.after?.expires ?? null,
      limit: request.limit,
      offset: request.offset,
    });
}

/**
 * Index entries per window along tokens_expires: an eighth of a rowid window, because each entry's row
 * is read by its rowid out of the table's order (measured: 50,000 entries took ~400 ms under load,
 * where 50,000 rowids in order take ~50 ms).
 */
const expiryWindow = () => Math.max(1, Math.floor(scanLimits.windowRows / 8));

/** A place in an expiry order: (expires_at, rowid). */
interface ExpiryBound {
  e: number;
  s: number;
}

/**
 * The ranges of tokens_expires strictly after `after` up to `end` (inclusive; null: to the index's
 * end), in order, each one an index range SQLite seeks exactly: the rest of `after`'s expiry by rowid,
 * the expiries between, then `end`'s expiry up to its rowid.
 */
function expirySegments(desc: boolean, after: ExpiryBound | null, end: ExpiryBound | null): string[] {
  const [past, before, upTo] = desc ? ['<', '>', '>='] : ['>', '<', '<='];
  if (after && end && after.e === end.e) {
    return [`expires_at = @e0 AND rowid ${past} @s0 AND rowid ${upTo} @s1`];
  }
  const between = [
    ...(after ? [`expires_at ${past} @e0`] : []),
    ...(end ? [`expires_at ${before} @e1`] : []),
  ];
  return [
    ...(after ? [`expires_at = @e0 AND rowid ${past} @s0`] : []),
    between.length ? between.join(' AND ') : '1',
    ...(end ? [`expires_at = @e1 AND rowid ${upTo} @s1`] : []),
  ];
}

/**
 * The `size`-th index entry after `after` (null: fewer remain), read from the index alone: first the
 * rest of `after`'s expiry by rowid, then the expiries past it. Two plain queries: as one UNION ALL,
 * SQLite sorted the whole index for the descending order.
 */
function expiryWindowEnd(db: Db, desc: boolean, after: ExpiryBound | null, size: number): ExpiryBound | null {
  const dir = desc ? 'DESC' : 'ASC';
  const past = desc ? '<' : '>';
  const from = 'FROM tokens INDEXED BY tokens_expires';
  let skip = size - 1;
  if (after) {
    const rest = statement<[Record<string, unknown>], number>(
      db,
      `SELECT rowid ${from} WHERE expires_at = @e AND rowid ${past} @s ORDER BY rowid ${dir} LIMIT @size`,
    )
      .pluck(true)
      .all({ e: after.e, s: after.s, size });
    const last = rest.at(-1);
    if (rest.length === size && last !== undefined) return { e: after.e, s: last };
    skip -= rest.length;
  }
  const row = statement(
    db,
    `SELECT expires_at AS e, rowid AS s ${from} WHERE ${after ? `expires_at ${past} @e` : '1'} ORDER BY expires_at ${dir}, rowid ${dir} LIMIT 1 OFFSET @skip`,
  ).get({ e: after?.e ?? null, skip }) as ExpiryBound | undefined;
  return row ?? null;
}

/**
 * An expiry-ordered page along tokens_expires: unfiltered, straight from the index; filtered, in
 * windows of index entries (a window's end found by an index-only OFFSET, cheap next to reading rows).
 */
function expiryPage(
  db: Db,
  columns: string,
  match: MatchSql,
  request: PageRequest,
  positionOf: (row: RowWithSeq) => TokenPosition,
): RawPage {
  const desc = request.sort === 'expires_desc';
  const dir = desc ? 'DESC' : 'ASC';
  const read = (segment: string) =>
    statement<[Record<string, unknown>], RowWithSeq>(
      db,
      `SELECT ${columns}, rowid FROM tokens INDEXED BY tokens_expires WHERE ${segment} AND ${and(match.conditions)} ORDER BY expires_at ${dir}, rowid ${dir} LIMIT @n`,
    ).raw(true);
  // Along tokens_expires every filter is a residual one, even one an equality index serves.
  const windowed = match.conditions.length > 0;
  const rows: RowWithSeq[] = [];
  const started = performance.now();
  let after: ExpiryBound | null = request.after
    ? { e: request.after.expires ?? 0, s: request.after.seq }
    : null;
  for (;;) {
    const bind = { ...match.params, e0: after?.e ?? null, s0: after?.s ?? null };
    const end = windowed ? expiryWindowEnd(db, desc, after, expiryWindow()) : null;
    for (const segment of expirySegments(desc, after, end)) {
      if (rows.length >= request.limit) break;
      const found = read(segment).all({
        ...bind,
        e1: end?.e ?? null,
        s1: end?.s ?? null,
        n: request.limit - rows.length,
      });
      for (const row of found) rows.push(row);
    }
    const last = rows.at(-1);
    if (rows.length >= request.limit && last) return { rows, next: positionOf(last) };
    if (!end) return { rows, next: null };
    after = end;
    if (performance.now() - started >= scanLimits.pageBudgetMs) {
      return { rows, next: { seq: end.s, expires: end.e } };
    }
  }
}
