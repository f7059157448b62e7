import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../lib/paths';
import { DatabaseOpenError } from '../lib/start-errors';
import { migrations } from './migrations';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement for `sql`, compiled once per database and reused: preparing costs more than
 * running most of the engine's queries, and the token endpoint runs a dozen per request.
 */
export function statement<Params extends unknown[] | object = unknown[], Row = unknown>(
  db: Db,
  sql: string,
): Database.Statement<Params, Row> {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared as unknown as Database.Statement<Params, Row>;
}

interface OpenDatabaseOptions {
  /** Folder holding `idp-sandbox.db`; omitted for an in-memory database. */
  dataDir?: string | undefined;
  /**
   * Path of the better-sqlite3 native module to load. The desktop app passes its Electron-ABI build
   * here, while Node (CLI, tests) uses the default Node-ABI build from node_modules.
   */
  nativeBinding?: string | undefined;
}

function explainOpenFailure(error: unknown, file: string, dataDir: string): DatabaseOpenError {
  if (error instanceof DatabaseOpenError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new DatabaseOpenError(
      'damaged',
      file,
      `The database ${file} is damaged or is not an IDP Sandbox database (${code}). It was left untouched. ` +
        'Move it aside to start fresh, or choose another data folder.',
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new DatabaseOpenError(
      'busy',
      file,
      `The database ${file} is locked by another process (is IDP Sandbox already running?).`,
    );
  }
  if (
    ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code) ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new DatabaseOpenError(
      'unwritable',
      file,
      `Cannot write to the data folder ${dataDir} (${code}). Check its permissions or choose another data folder.`,
    );
  }
  return new DatabaseOpenError(
    'damaged',
    file,
    `Cannot open the database ${file}: ${(error as Error).message}`,
  );
}

/**
 * The database (and its -wal and -shm files) are readable by their owner only, whatever the folder's
 * permissions or the umask: they hold client secrets, test passwords and private signing keys. SQLite
 * creates -wal and -shm with the database file's permissions (and chmods them to those when the
 * umask narrowed them), so the file is created 0600 before SQLite opens it; files an earlier version
 * left readable by others are narrowed too.
 */
function makePrivate(file: string): void {
  // Windows has no such mode bits: a file there is private by its folder's ACL.
  if (process.platform === 'win32') return;
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(each).mode & 0o077) !== 0) fs.chmodSync(each, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * An in-memory database is opened from an empty database image (SQLite's memdb VFS, as
 * `sqlite3_deserialize` makes it), not as ':memory:'. A ':memory:' database lives in its own page
 * cache, and a transaction that grows it ends with a walk over that whole cache (pcache1TruncateUnsafe),
 * so each commit costs more as the store grows: 110 µs for a transaction of 9 token-sized rows at
 * 5,000 pages, 540 µs at 60,000; the engine's code redemption fell from ~2,000/s to ~1,300/s by
 * 230,000 tokens, with a third of its CPU in that walk. A memdb database is a file held in memory
 * behind an ordinary page cache, and the same transaction costs ~130 µs at either size. Its limit is
 * SQLite's for such a database, 1 GiB, which storeFullExplanation names when a write reaches it.
 */
const EMPTY_DATABASE_IMAGE = Buffer.alloc(0);

export function openDatabase(options: OpenDatabaseOptions): Db {
  let file = ':memory:';
  if (options.dataDir) {
    file = path.join(options.dataDir, DATABASE_FILE);
    try {
      // A folder made here is the user's alone (as ~/.ssh is): the database holds test passwords,
      // client secrets and signing keys in the clear, and other local users have no business there.
      // An existing folder keeps the permissions its owner gave it.
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      fs.accessSync(options.dataDir, fs.constants.W_OK);
      makePrivate(file);
    } catch (error) {
      throw explainOpenFailure(error, file, options.dataDir);
    }
  }
  let db: Db;
  try {
    db = new Database(
      options.dataDir ? file : EMPTY_DATABASE_IMAGE,
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
    );
  } catch (error) {
    throw explainOpenFailure(error, file, options.dataDir ?? '(memory)');
  }
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
    throw explainOpenFailure(error, file, options.dataDir ?? '(memory)');
  }
  return db;
}

/**
 * What a write refused for want of room (SQLITE_FULL, rolled back whole) means for the user, or null for
 * any other error: the in-memory store's 1 GiB, or the disk under the data folder.
 */
export function storeFullExplanation(db: Db, error: unknown): string | null {
  if ((error as { code?: unknown } | null)?.code !== 'SQLITE_FULL') return null;
  return db.memory
    ? 'The in-memory store is full: SQLite holds an in-memory database in at most 1 GiB. Nothing of this ' +
        'request was stored. Remove expired tokens now with the admin call tokens.purgeExpired (the engine ' +
        'purges them itself a day after they expire), or run with --data-dir to keep the store on disk.'
    : `The disk holding ${db.name} is full. Nothing of this request was stored. Free some space there, ` +
        'or remove expired tokens with the admin call tokens.purgeExpired.';
}

/** Refuses a database whose schema is newer than the migrations this version knows. Reads only. */
function assertKnownSchema(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    const where = db.memory ? 'The database' : `The database ${db.name}`;
    throw new DatabaseOpenError(
      'newer',
      db.name,
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
