import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Folder holding `idp-sandbox.db`; omitted for an in-memory database. */
  dataDir?: string | undefined;
  /**
   * Path of the better-sqlite3 native module to load. The desktop app passes its Electron-ABI build
   * here, while Node (CLI, tests) uses the default Node-ABI build from node_modules.
   */
  nativeBinding?: string | undefined;
}

export const DATABASE_FILE = 'idp-sandbox.db';

export function openDatabase(options: OpenDatabaseOptions): Db {
  let file = ':memory:';
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, DATABASE_FILE);
  }
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // Checked before anything is written: switching to WAL alone rewrites the header of a newer
    // version's file, which must stay exactly as that version left it.
    assertKnownSchema(db);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL is durable in WAL mode against process crashes; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    // A refused or broken database must not stay open (and locked) behind the caller's back.
    db.close();
    throw error;
  }
  return db;
}

/** Refuses a database whose schema is newer than the migrations this version knows. Reads only. */
export function assertKnownSchema(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    const where = db.memory ? 'The database' : `The database ${db.name}`;
    throw new Error(
      `${where} was written by a newer version of IDP Sandbox (schema ${current}, this version knows ${latest}). ` +
        'Upgrade IDP Sandbox or point it at another data folder. The file was left unchanged.',
    );
  }
}

/** Applies pending numbered migrations, each in its own transaction, and refuses a newer schema. */
export function migrate(db: Db): void {
  assertKnownSchema(db);
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  for (let version = current + 1; version <= latest; version++) {
    const sql = migrations[version - 1];
    if (sql === undefined) throw new Error(`Migration ${version} is missing`);
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
