import { decodeProtectedHeader } from 'jose';
import type { Count, Token, TokenFilter, TokenFormat, TokenKind, TokenState } from '../../../shared/schemas';
import { TokenFilterSchema } from '../../../shared/schemas';
import type { TokenPosition } from '../../../shared/token-cursor';
import { isoFromSeconds } from '../lib/clock';
import { hashTokenValue, secretMatches } from '../lib/secrets';
import { splitOpaqueValue } from '../lib/token-values';
import { type Db, statement } from './database';
import { parseJson } from './json';
import {
  countExactly,
  countMatches,
  matchSql,
  pageOfTokens,
  REUSE_DETECTED,
  type TokenMatchInput,
} from './token-list';

export { REUSE_DETECTED };

export interface TokenRecord {
  id: string;
  kind: TokenKind;
  format: TokenFormat;
  /** Hash of the whole value: opaque tokens issued before schema 3 only (found by this hash). */
  value_hash: string | null;
  /** Hash of the secret after the id in an opaque token's value (tokens/values.ts). */
  secret_hash: string | null;
  jwt: string | null;
  client_id: string;
  user_id: string | null;
  username: string | null;
  subject: string;
  grant_id: string | null;
  parent_id: string | null;
  scope: string;
  audience: string[];
  /**
   * Claims no other column holds (tokens/service.ts storedClaims): a JWT's `act` only (its payload has
   * the rest), a reference token's custom claims, a refresh token's auth_time, sid and amr. Rows stored
   * before that keep the whole set; TokenService.claimsOf gives every claim either way.
   */
  claims: Record<string, unknown>;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  rotated_at: number | null;
  last_used_at: number | null;
  /** What a token the QA lab made wrong on purpose has wrong (variant ids); null for ordinary tokens. */
  flaws: string[] | null;
  /** The grant type that issued it ("mint" for an admin mint); null when not recorded (before schema 7). */
  grant_type: string | null;
}

/**
 * The table's columns in one order: the insert binds them by position and reads return them as arrays
 * (better-sqlite3's raw mode) in the same order. Naming every column of every row read cost a quarter
 * of a lookup by id, and the record is built field by field anyway.
 */
const COLUMNS = `id, kind, format, value_hash, secret_hash, jwt, client_id, user_id, username, subject, grant_id,
  parent_id, scope, audience, claims, issued_at, expires_at, revoked_at, revoked_reason, rotated_at, last_used_at,
  flaws, grant_type`;

type TokenRow = [
  id: string,
  kind: TokenKind,
  format: TokenFormat,
  value_hash: string | null,
  secret_hash: string | null,
  jwt: string | null,
  client_id: string,
  user_id: string | null,
  username: string | null,
  subject: string,
  grant_id: string | null,
  parent_id: string | null,
  scope: string,
  audience: string,
  claims: string,
  issued_at: number,
  expires_at: number,
  revoked_at: number | null,
  revoked_reason: string | null,
  rotated_at: number | null,
  last_used_at: number | null,
  flaws: string | null,
  grant_type: string | null,
];

// Field by field in one literal, like the records tokens/service.ts builds, so that every record has
// one shape (hidden class) whether it was just issued or read back.
const toRecord = (row: TokenRow): TokenRecord => ({
  id: row[0],
  kind: row[1],
  format: row[2],
  value_hash: row[3],
  secret_hash: row[4],
  jwt: row[5],
  client_id: row[6],
  user_id: row[7],
  username: row[8],
  subject: row[9],
  grant_id: row[10],
  parent_id: row[11],
  scope: row[12],
  audience: parseJson(row[13]),
  // Most reference tokens and every client_credentials one keep no claims of their own.
  claims: row[14] === '{}' ? {} : parseJson(row[14]),
  issued_at: row[15],
  expires_at: row[16],
  revoked_at: row[17],
  revoked_reason: row[18],
  rotated_at: row[19],
  last_used_at: row[20],
  flaws: row[21] === null ? null : parseJson(row[21]),
  grant_type: row[22],
});

/** A row read as the JSON text of its columns (TokenStore.row), or undefined for no row. */
const readJsonRow = (text: string | undefined): TokenRow | undefined =>
  text === undefined ? undefined : (JSON.parse(text) as TokenRow);

/** A token of a list, with its place in the issue order (its rowid). */
export type ListedToken = TokenRecord & { seq: number };

/** The one definition of a token's state; store/token-list.ts STATE_SQL mirrors it. */
export function tokenState(token: TokenRecord, now: number): TokenState {
  if (token.revoked_reason === REUSE_DETECTED) return 'reuse_detected';
  if (token.revoked_at !== null) return 'revoked';
  if (token.rotated_at !== null) return 'rotated';
  if (token.expires_at <= now) return 'expired';
  return 'active';
}

/**
 * RFC 8693 `act` (who acts for the subject), from the claims column: a reference or refresh token
 * keeps it there, and so does a JWT (tokens/service.ts storedClaims) so lists need not decode JWTs.
 */
function actOf(token: TokenRecord): Token['act'] {
  const act = token.claims.act;
  return typeof act === 'object' && act !== null && !Array.isArray(act) ? (act as Token['act']) : null;
}

export function tokenDto(token: TokenRecord, now: number): Token {
  return {
    id: token.id,
    kind: token.kind,
    format: token.format,
    state: tokenState(token, now),
    client_id: token.client_id,
    username: token.username,
    subject: token.subject,
    grant_id: token.grant_id,
    parent_id: token.parent_id,
    scope: token.scope,
    audience: token.audience,
    issued_at: isoFromSeconds(token.issued_at),
    expires_at: isoFromSeconds(token.expires_at),
    revoked_at: token.revoked_at === null ? null : isoFromSeconds(token.revoked_at),
    revoked_reason: token.revoked_reason,
    last_used_at: token.last_used_at === null ? null : isoFromSeconds(token.last_used_at),
    flaws: token.flaws ?? [],
    grant_type: token.grant_type,
    act: actOf(token),
  };
}

export class TokenStore {
  private readonly insertStatement;
  private readonly byHash;
  private readonly byId;

  constructor(private readonly db: Db) {
    // Positional: binding a 23-field object by name cost a tenth of the insert.
    this.insertStatement = statement(
      db,
      `INSERT INTO tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byHash = this.row('value_hash');
    this.byId = this.row('id');
  }

  /** A statement whose rows are arrays in the order of COLUMNS. */
  private rows(sql: string) {
    return statement<unknown[], TokenRow>(this.db, sql).raw(true);
  }

  /**
   * The one token whose `column` is the given value, read as one JSON text of COLUMNS (json_array) that
   * becomes the same array as a raw row (TEXT a string, INTEGER a number, NULL null; a STRICT table holds
   * nothing else). better-sqlite3 builds a raw row by storing each of its 23 columns through V8's generic
   * element store, about 900 instructions each: a lookup by id among 1,000,000 tokens, its record
   * included, was 44,000 instructions that way and is 29,000 this way (callgrind). Every token lookup
   * (introspection, userinfo, refresh, revocation) is one of these.
   */
  private row(column: 'id' | 'value_hash') {
    const read = statement<unknown[], string>(
      this.db,
      `SELECT json_array(${COLUMNS}) FROM tokens WHERE ${column} = ?`,
    ).pluck(true);
    return { get: (value: string) => readJsonRow(read.get(value)) };
  }

  insert(t: TokenRecord): void {
    this.insertStatement.run(
      t.id,
      t.kind,
      t.format,
      t.value_hash,
      t.secret_hash,
      t.jwt,
      t.client_id,
      t.user_id,
      t.username,
      t.subject,
      t.grant_id,
      t.parent_id,
      t.scope,
      JSON.stringify(t.audience),
      JSON.stringify(t.claims),
      t.issued_at,
      t.expires_at,
      t.revoked_at,
      t.revoked_reason,
      t.rotated_at,
      t.last_used_at,
      t.flaws === null ? null : JSON.stringify(t.flaws),
      t.grant_type,
    );
  }

  /** The opaque token whose value this is (by id and secret; before schema 3, by the value's hash). */
  findByValue(value: string): TokenRecord | undefined {
    const parts = splitOpaqueValue(value);
    if (parts) {
      const row = this.byId.get(parts.id);
      const secretHash = row?.[4];
      if (!row || !secretHash || !secretMatches(parts.secret, secretHash)) return undefined;
      return toRecord(row);
    }
    const row = this.byHash.get(hashTokenValue(value));
    return row && toRecord(row);
  }

  findById(id: string): TokenRecord | undefined {
    const row = this.byId.get(id);
    return row && toRecord(row);
  }

  /** Tokens issued from this one (refreshed or exchanged from it), oldest first, at most `limit`. */
  children(parentId: string, limit: number): { tokens: TokenRecord[]; total: number } {
    const total = (
      statement(this.db, 'SELECT count(*) AS n FROM tokens WHERE parent_id = ?').get(parentId) as {
        n: number;
      }
    ).n;
    const tokens = total
      ? this.rows(`SELECT ${COLUMNS} FROM tokens WHERE parent_id = ? ORDER BY rowid LIMIT ?`)
          .all(parentId, limit)
          .map(toRecord)
      : [];
    return { tokens, total };
  }

  /**
   * One page in the filter's order after `after` (store/token-list.ts), each record with its rowid
   * (`seq`), and where the next page starts (null: nothing more). `total` only when asked.
   */
  list(
    input: TokenFilter,
    now: number,
    after: TokenPosition | null = null,
  ): { tokens: ListedToken[]; total: number | null; next: TokenPosition | null } {
    const filter = TokenFilterSchema.parse(input);
    const match = matchSql(this.db, filter, now);
    const page = pageOfTokens(
      this.db,
      COLUMNS,
      match,
      { sort: filter.sort, after, limit: filter.limit, offset: filter.offset },
      (row) => row[16] as number,
    );
    const tokens = page.rows.map((row) =>
      Object.assign(toRecord(row as TokenRow), { seq: row[23] as number }),
    );
    return { tokens, total: filter.count ? countExactly(this.db, match) : null, next: page.next };
  }

  /** How many tokens match: exact, or estimated when counting would read too much (store/windows.ts). */
  count(match: TokenMatchInput, now: number): Count {
    return countMatches(this.db, matchSql(this.db, match, now));
  }

  /** Revokes one token unless already revoked; returns whether it changed. */
  revoke(id: string, reason: string, now: number): boolean {
    return (
      statement(
        this.db,
        'UPDATE tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
      ).run(now, reason, id).changes > 0
    );
  }

  /** Revokes every not-yet-revoked token matching `column = value`; returns the ids revoked. */
  revokeWhere(
    column: 'grant_id' | 'user_id' | 'client_id' | 'parent_id',
    value: string,
    reason: string,
    now: number,
  ): string[] {
    const rows = statement(
      this.db,
      `UPDATE tokens SET revoked_at = ?, revoked_reason = ? WHERE ${column} = ? AND revoked_at IS NULL RETURNING id`,
    ).all(now, reason, value) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /**
   * Revokes the unexpired JWTs (access and ID tokens) signed with `kid`. Once their key leaves the
   * JWKS no one can verify them and the provider refuses them, so the admin view must not call them
   * active. The kid is in each token's protected header; retiring a key is rare and reads only live
   * JWT rows. Call inside the caller's transaction.
   */
  revokeSignedBy(kid: string, reason: string, now: number): string[] {
    const live = statement(
      this.db,
      'SELECT id, jwt FROM tokens WHERE jwt IS NOT NULL AND revoked_at IS NULL AND expires_at > ?',
    ).all(now) as { id: string; jwt: string }[];
    const revoke = statement(this.db, 'UPDATE tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ?');
    const ids = live.filter((row) => decodeProtectedHeader(row.jwt).kid === kid).map((row) => row.id);
    for (const id of ids) revoke.run(now, reason, id);
    return ids;
  }

  /**
   * Marks a refresh token as used up by rotation. The condition makes it atomic: of two requests
   * presenting the same token, only one sees `true`.
   */
  markRotated(id: string, now: number): boolean {
    return (
      statement(
        this.db,
        'UPDATE tokens SET rotated_at = ?, last_used_at = ? WHERE id = ? AND rotated_at IS NULL AND revoked_at IS NULL',
      ).run(now, now, id).changes > 0
    );
  }

  /** Tokens carry their user's name (for filtering and introspection); a rename must follow it. */
  renameUser(userId: string, username: string): void {
    statement(this.db, 'UPDATE tokens SET username = ? WHERE user_id = ?').run(username, userId);
  }

  touch(id: string, now: number): void {
    statement(this.db, 'UPDATE tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  /** Deletes up to `limit` tokens that expired before `cutoff` (-1: all); returns how many. */
  purgeExpiredBefore(cutoff: number, limit = -1): number {
    return statement(
      this.db,
      'DELETE FROM tokens WHERE rowid IN (SELECT rowid FROM tokens WHERE expires_at < ? LIMIT ?)',
    ).run(cutoff, limit).changes;
  }

  deleteAll(): void {
    statement(this.db, 'DELETE FROM tokens').run();
  }
}
