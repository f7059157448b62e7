import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AdminError } from '../../../shared/errors';
import type { User, UserInputSchema } from '../../../shared/schemas';
import { CommittedCache } from './committed-cache';
import { type Db, statement } from './database';
import { parseJson } from './json';

type ParsedUserInput = z.output<typeof UserInputSchema>;

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
interface UserIndex {
  /** In username order. */
  byId: Map<string, UserRecord>;
  byUsername: Map<string, UserRecord>;
}

export class UserStore {
  /** Every user: read when issuing tokens for a user, at userinfo, and by the discovery document. */
  readonly cache: CommittedCache<UserIndex>;

  constructor(private readonly db: Db) {
    this.cache = new CommittedCache(db, () => {
      const users = (statement(this.db, 'SELECT * FROM users ORDER BY username').all() as UserRow[]).map(
        toRecord,
      );
      return {
        byId: new Map(users.map((user) => [user.id, user])),
        byUsername: new Map(users.map((user) => [user.username, user])),
      };
    });
  }

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
    return [...this.cache.get().byId.values()];
  }

  findByUsername(username: string): UserRecord | undefined {
    return this.cache.get().byUsername.get(username);
  }

  findById(id: string): UserRecord | undefined {
    return this.cache.get().byId.get(id);
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
    this.cache.invalidate();
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
    this.cache.invalidate();
    statement(
      this.db,
      'UPDATE users SET username = ?, password = ?, sub = ?, claims = ?, updated_at = ? WHERE id = ?',
    ).run(record.username, record.password, record.sub, JSON.stringify(record.claims), now, record.id);
    return record;
  }

  delete(id: string): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM users WHERE id = ?').run(id);
  }

  deleteAll(): void {
    this.cache.invalidate();
    statement(this.db, 'DELETE FROM users').run();
  }
}
