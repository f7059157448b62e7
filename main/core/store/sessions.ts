import { randomUUID } from 'node:crypto';
import { hashTokenValue, randomToken } from '../tokens/values';
import { type Db, statement } from './database';

export interface SessionRecord {
  id: string;
  user_id: string;
  auth_time: number;
  created_at: number;
  ended_at: number | null;
}

/** Browser sign-ins at the login page. The cookie carries a random value; only its hash is stored. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  create(userId: string, now: number): { session: SessionRecord; cookie: string } {
    const cookie = randomToken();
    const session: SessionRecord = {
      id: randomUUID(),
      user_id: userId,
      auth_time: now,
      created_at: now,
      ended_at: null,
    };
    statement(
      this.db,
      'INSERT INTO sessions (id, cookie_hash, user_id, auth_time, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(session.id, hashTokenValue(cookie), userId, now, now);
    return { session, cookie };
  }

  findByCookie(cookie: string): SessionRecord | undefined {
    return statement(
      this.db,
      'SELECT id, user_id, auth_time, created_at, ended_at FROM sessions WHERE cookie_hash = ? AND ended_at IS NULL',
    ).get(hashTokenValue(cookie)) as SessionRecord | undefined;
  }

  end(id: string, now: number): void {
    statement(this.db, 'UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(now, id);
  }

  /** Deletes sessions that ended before `cutoff`; returns how many. */
  purgeEndedBefore(cutoff: number): number {
    return statement(this.db, 'DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?').run(cutoff)
      .changes;
  }

  deleteAll(): void {
    statement(this.db, 'DELETE FROM sessions').run();
  }
}
