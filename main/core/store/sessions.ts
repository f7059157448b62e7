import { randomUUID } from 'node:crypto';
import { hashTokenValue, randomToken, secretMatches } from '../lib/secrets';
import { type Db, statement } from './database';

export interface SessionRecord {
  id: string;
  user_id: string;
  auth_time: number;
  created_at: number;
  ended_at: number | null;
}

/**
 * Browser sign-ins at the login page. The cookie carries a random value; only its hash is stored.
 * The cookie alone does not let a session be reused: that also takes the browser secret the login
 * page's script kept in the provider origin's localStorage (oauth/pages.ts), stored here hashed.
 */
export class SessionStore {
  constructor(private readonly db: Db) {}

  /** `browserSecret` is null when the browser ran no script: such a session is never reused. */
  create(
    userId: string,
    now: number,
    browserSecret: string | null,
  ): { session: SessionRecord; cookie: string } {
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
      'INSERT INTO sessions (id, cookie_hash, user_id, auth_time, created_at, browser_secret_hash) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      session.id,
      hashTokenValue(cookie),
      userId,
      now,
      now,
      browserSecret && hashTokenValue(browserSecret),
    );
    return { session, cookie };
  }

  findByCookie(cookie: string): SessionRecord | undefined {
    return statement(
      this.db,
      'SELECT id, user_id, auth_time, created_at, ended_at FROM sessions WHERE cookie_hash = ? AND ended_at IS NULL',
    ).get(hashTokenValue(cookie)) as SessionRecord | undefined;
  }

  private browserSecretHash(id: string): string | null {
    const row = statement(this.db, 'SELECT browser_secret_hash FROM sessions WHERE id = ?').get(id) as
      | { browser_secret_hash: string | null }
      | undefined;
    return row?.browser_secret_hash ?? null;
  }

  /** Whether the session can be reused at all: its sign-in stored a browser secret. */
  hasBrowserSecret(id: string): boolean {
    return this.browserSecretHash(id) !== null;
  }

  /** Whether `secret` is the one the session's sign-in stored; constant time in the secret. */
  matchesBrowserSecret(id: string, secret: string): boolean {
    const stored = this.browserSecretHash(id);
    return stored !== null && secretMatches(secret, stored);
  }

  /** A user's sign-ins that have not ended, newest first (their page lists them). */
  listActiveForUser(userId: string): SessionRecord[] {
    return statement(
      this.db,
      'SELECT id, user_id, auth_time, created_at, ended_at FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY created_at DESC, id',
    ).all(userId) as SessionRecord[];
  }

  /** Ends every open sign-in of a user ("sign out everywhere", deletion); returns how many. */
  endAllForUser(userId: string, now: number): number {
    return statement(this.db, 'UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL').run(
      now,
      userId,
    ).changes;
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
