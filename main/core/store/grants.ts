import { randomUUID } from 'node:crypto';
import type { Db } from './database';

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

  create(fields: Omit<GrantRecord, 'id' | 'revoked_at' | 'revoked_reason'>): GrantRecord {
    const grant: GrantRecord = { ...fields, id: randomUUID(), revoked_at: null, revoked_reason: null };
    this.db
      .prepare(
        `INSERT INTO grants (id, client_id, user_id, username, subject, scope, session_id, auth_time, created_at)
         VALUES (@id, @client_id, @user_id, @username, @subject, @scope, @session_id, @auth_time, @created_at)`,
      )
      .run(grant);
    return grant;
  }

  find(id: string): GrantRecord | undefined {
    return this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRecord | undefined;
  }

  revoke(id: string, reason: string, now: number): void {
    this.db
      .prepare('UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL')
      .run(now, reason, id);
  }

  /** Grants carry their user's name too: the replay-detection events name the user from there. */
  renameUser(userId: string, username: string): void {
    this.db.prepare('UPDATE grants SET username = ? WHERE user_id = ?').run(username, userId);
  }

  bySession(sessionId: string): GrantRecord[] {
    return this.db
      .prepare('SELECT * FROM grants WHERE session_id = ? AND revoked_at IS NULL')
      .all(sessionId) as GrantRecord[];
  }

  /** Deletes grants created before `cutoff` that no token or code refers to any more; returns how many. */
  purgeUnusedBefore(cutoff: number): number {
    return this.db
      .prepare(
        `DELETE FROM grants WHERE created_at < ?
           AND NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.grant_id = grants.id)
           AND NOT EXISTS (SELECT 1 FROM auth_codes WHERE auth_codes.grant_id = grants.id)`,
      )
      .run(cutoff).changes;
  }

  deleteAll(): void {
    this.db.prepare('DELETE FROM auth_codes').run();
    this.db.prepare('DELETE FROM grants').run();
  }
}
