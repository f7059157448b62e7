import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AdminError } from '../../../shared/errors';
import type { User, UserInputSchema } from '../../../shared/schemas';
import { type Db, statement } from './database';
import { parseJson } from './json';

export type ParsedUserInput = z.output<typeof UserInputSchema>;

export interface UserRecord {
  id: string;
  username: string;
  password: string | null;
  sub: string;
  claims: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

interface UserRow extends Omit<UserRecord, 'claims'> {
  claims: string;
}

const toRecord = (row: UserRow): UserRecord => ({ ...row, claims: parseJson(row.claims) });

export function userDto(user: UserRecord): User {
  return {
    username: user.username,
    password: user.password,
    sub: user.sub,
    claims: user.claims as User['claims'],
    created_at: new Date(user.created_at * 1000).toISOString(),
    updated_at: new Date(user.updated_at * 1000).toISOString(),
  };
}

/** Test users. Passwords are kept as entered: they are test fixtures that the UI shows and exports. */
export class UserStore {
  constructor(private readonly db: Db) {}

  list(search?: string): UserRecord[] {
    if (search?.trim()) {
      const like = `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return (
        statement(
          this.db,
          "SELECT * FROM users WHERE username LIKE ? ESCAPE '\\' OR sub LIKE ? ESCAPE '\\' OR claims LIKE ? ESCAPE '\\' ORDER BY username",
        ).all(like, like, like) as UserRow[]
      ).map(toRecord);
    }
    return (statement(this.db, 'SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toRecord);
  }

  findByUsername(username: string): UserRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM users WHERE username = ?').get(username) as
      | UserRow
      | undefined;
    return row && toRecord(row);
  }

  findById(id: string): UserRecord | undefined {
    const row = statement(this.db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toRecord(row);
  }

  require(username: string): UserRecord {
    const user = this.findByUsername(username);
    if (!user) throw new AdminError('not_found', `No user named "${username}".`);
    return user;
  }

  private assertSubFree(sub: string, exceptId?: string): void {
    const owner = statement(this.db, 'SELECT id, username FROM users WHERE sub = ?').get(sub) as
      | { id: string; username: string }
      | undefined;
    if (owner && owner.id !== exceptId) {
      throw new AdminError('conflict', `The subject "${sub}" already belongs to user "${owner.username}".`);
    }
  }

  create(input: ParsedUserInput, now: number): UserRecord {
    if (this.findByUsername(input.username)) {
      throw new AdminError('conflict', `A user named "${input.username}" already exists.`);
    }
    const sub = input.sub ?? randomUUID();
    this.assertSubFree(sub);
    const record: UserRecord = {
      id: randomUUID(),
      username: input.username,
      password: input.password ?? null,
      sub,
      claims: input.claims,
      created_at: now,
      updated_at: now,
    };
    statement(
      this.db,
      'INSERT INTO users (id, username, password, sub, claims, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(record.id, record.username, record.password, record.sub, JSON.stringify(record.claims), now, now);
    return record;
  }

  /** Replaces a user's fields; keeps its subject unless a new one is given. */
  replace(existing: UserRecord, input: ParsedUserInput, now: number): UserRecord {
    if (input.username !== existing.username && this.findByUsername(input.username)) {
      throw new AdminError('conflict', `A user named "${input.username}" already exists.`);
    }
    const sub = input.sub ?? existing.sub;
    this.assertSubFree(sub, existing.id);
    const record: UserRecord = {
      ...existing,
      username: input.username,
      password: input.password ?? null,
      sub,
      claims: input.claims,
      updated_at: now,
    };
    statement(
      this.db,
      'UPDATE users SET username = ?, password = ?, sub = ?, claims = ?, updated_at = ? WHERE id = ?',
    ).run(record.username, record.password, record.sub, JSON.stringify(record.claims), now, record.id);
    return record;
  }

  delete(id: string): void {
    statement(this.db, 'DELETE FROM users WHERE id = ?').run(id);
  }

  deleteAll(): void {
    statement(this.db, 'DELETE FROM users').run();
  }
}
