import { randomUUID } from 'node:crypto';
import { type Db, statement } from './database';

export interface GrantRecord {
  id: string;
  client_id: string;
  user_id: string | null;
  username: string | null;
  subject: string;
  scope: string;
  session_id: string | null;
  auth_time: number | null;
  created_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

/** A grant is one authorization: every token issued from it (and its refresh chain) shares its id. */
export class GrantStore {
  constructor(private readonly db: Db) {}

  /** A new grant in memory only; `insert` stores it (in the transaction that stores its tokens). */
  build(fields: Omit<GrantRecord, 'id' | 'revoked_at' | 'revoked_reason'>): GrantRecord {
    return { ...fields, id: randomUUID(), revoked_at: null, revoked_reason: null };
  }

  /** A grant made directly at the token endpoint (no browser session): client credentials, password, mint. */
  buildDirect(
    client: { client_id: string },
    user: { id: string; username: string; sub: string } | null,
    scope: string,
    at: number,
  ): GrantRecord {
    return this.build({
      client_id: client.client_id,
      user_id: user?.id ?? null,
      username: user?.username ?? null,
      subject: user?.sub ?? client.client_id,
      scope,
      session_id: null,
      auth_time: user ? at : null,
      created_at: at,
    });
  }

  insert(grant: GrantRecord): void {
    statement(
      this.db,
      `INSERT INTO grants (id, client_id, user_id, username, subject, scope, session_id, auth_time, created_at)
       VALUES (@id, @client_id, @user_id, @username, @subject, @scope, @session_id, @auth_time, @created_at)`,
    ).run(grant);
  }

  create(fields: Omit<GrantRecord, 'id' | 'revoked_at' | 'revoked_reason'>): GrantRecord {
    const grant = this.build(fields);
    this.insert(grant);
    return grant;
  }

  find(id: string): GrantRecord | undefined {
    return statement(this.db, 'SELECT * FROM grants WHERE id = ?').get(id) as GrantRecord | undefined;
  }

  /**
   * Whether the grant exists and is not revoked: what every issuing transaction checks again (grants/
   * issue.ts assertStillIssuable), one column read instead of the whole row.
   */
  isLive(id: string): boolean {
    const revokedAt = statement(this.db, 'SELECT revoked_at FROM grants WHERE id = ?').pluck(true).get(id);
    return revokedAt === null;
  }

  revoke(id: string, reason: string, now: number): void {
    statement(
      this.db,
      'UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
    ).run(now, reason, id);
  }

  /** Grants carry their user's name too: the replay-detection events name the user from there. */
  renameUser(userId: string, username: string): void {
    statement(this.db, 'UPDATE grants SET username = ? WHERE user_id = ?').run(username, userId);
  }

  bySession(sessionId: string): GrantRecord[] {
    return statement(this.db, 'SELECT * FROM grants WHERE session_id = ? AND revoked_at IS NULL').all(
      sessionId,
    ) as GrantRecord[];
  }

  /** Deletes up to `limit` grants created before `cutoff` that nothing refers to any more (-1: all). */
  purgeUnusedBefore(cutoff: number, limit = -1): number {
    return statement(
      this.db,
      `DELETE FROM grants WHERE rowid IN (
         SELECT rowid FROM grants WHERE created_at < ?
           AND NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.grant_id = grants.id)
           AND NOT EXISTS (SELECT 1 FROM auth_codes WHERE auth_codes.grant_id = grants.id)
         LIMIT ?)`,
    ).run(cutoff, limit).changes;
  }

  deleteAll(): void {
    statement(this.db, 'DELETE FROM auth_codes').run();
    statement(this.db, 'DELETE FROM grants').run();
  }
}
