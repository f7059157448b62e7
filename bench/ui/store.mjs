// The UI benchmark's data folder: 1,000,000 tokens and 5,000,000 events written straight into the
// engine's own SQLite file (its schema, rows cloned from ones it wrote), cached under test-results/ and
// keyed by the schema, so a rerun only copies the cached folder. Issuing that many over HTTP would take
// hours; inserting them takes about a minute.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { hashTokenValue, seededEngineToken } from '../lib/shared.mjs';
import { DATABASE_FILE, inserter } from '../lib/store-seed.mjs';
import { UI_CLIENTS, UI_USERS } from './seed.mjs';

const DAY_MS = 86_400_000;
/** The cached tokens and events are spread over this much time before the seeding (inside the engine's week of event retention). */
const SPREAD_MS = 5 * DAY_MS;

/**
 * A fingerprint of the schema the engine writes (every table's and index's SQL plus user_version):
 * a cached store made by another schema is made again.
 */
export function schemaKey(databaseFile) {
  const db = new Database(databaseFile, { readonly: true });
  try {
    const version = db.pragma('user_version', { simple: true });
    const sql = db
      .prepare('SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name')
      .all()
      .map((r) => `${r.type} ${r.name} ${r.sql}`)
      .join('\n');
    return `v${version}-${createHash('sha256').update(sql).digest('hex').slice(0, 10)}`;
  } finally {
    db.close();
  }
}

/** The rows a template store holds, by what they are. */
function templates(db) {
  const one = (sql, what) => {
    const row = db.prepare(sql).get();
    if (!row)
      throw new Error(
        `the template store has no ${what}: the engine no longer writes it as the UI benchmark expects`,
      );
    return row;
  };
  const token = one(
    "SELECT * FROM tokens WHERE kind = 'access' AND format = 'reference' LIMIT 1",
    'reference token',
  );
  const issued = one(
    `SELECT * FROM events WHERE type = 'token.issued' AND token_id = '${token.id}'`,
    'token.issued event',
  );
  const request = one(
    "SELECT * FROM events WHERE type = 'request' AND endpoint = 'token' LIMIT 1",
    "token request's event",
  );
  const introspected = one(
    "SELECT * FROM events WHERE type = 'token.introspected' LIMIT 1",
    'token.introspected event',
  );
  const introspect = one(
    "SELECT * FROM events WHERE type = 'request' AND endpoint = 'introspection' LIMIT 1",
    "introspection request's event",
  );
  const users = Object.fromEntries(
    db
      .prepare('SELECT id, username, sub FROM users')
      .all()
      .map((u) => [u.username, u]),
  );
  const strip = ({ id: _id, ...row }) => row;
  return {
    token,
    events: {
      issued: strip(issued),
      request: strip(request),
      introspected: strip(introspected),
      introspect: strip(introspect),
    },
    users,
  };
}

/**
 * The i-th seeded token's varying columns: mostly client_credentials reference access tokens of
 * several services, every fifth a user's refresh token of the web client; some revoked, some expired.
 */
function tokenShape(i, users, issuedAt) {
  const userNames = UI_USERS.map((u) => u.username);
  const refresh = i % 5 === 4;
  const user = refresh ? users[userNames[i % userNames.length]] : null;
  const client = refresh ? 'web' : UI_CLIENTS[i % UI_CLIENTS.length].client_id;
  // 1 in 20 revoked, 1 in 10 expired (within the day the engine keeps expired tokens), the rest
  // active for a year, so a cached store still has active tokens when it is reused.
  const revoked = i % 20 === 7;
  const expired = !revoked && i % 10 === 3;
  const issuedS = Math.floor(issuedAt / 1000);
  return {
    kind: refresh ? 'refresh' : 'access',
    format: refresh ? 'opaque' : 'reference',
    client_id: client,
    user_id: user?.id ?? null,
    username: user?.username ?? null,
    subject: user?.sub ?? client,
    audience: JSON.stringify([client]),
    grant_type: refresh ? 'authorization_code' : 'client_credentials',
    issued_at: issuedS,
    expires_at: expired ? issuedS + 300 : issuedS + 365 * 86400,
    revoked_at: revoked ? issuedS + 60 : null,
    revoked_reason: revoked ? 'revoked_by_admin' : null,
  };
}

/**
 * Inserts `tokens` tokens and `events` events (five per token: issued, its token request, an
 * introspection and its request, and another token request's) into the template store at `databaseFile`,
 * issued one after another over the `SPREAD_MS` before `now`. Prints progress through `log`.
 */
export async function seedUiStore(databaseFile, { tokens, events, now = Date.now(), log }) {
  const started = performance.now();
  const db = new Database(databaseFile);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -1000000');
    const t = templates(db);
    const insertToken = inserter(db, 'tokens', t.token);
    const insertEvent = {};
    for (const [name, row] of Object.entries(t.events)) insertEvent[name] = inserter(db, 'events', row);
    const issuedData = JSON.parse(t.events.issued.data);
    const requestData = JSON.parse(t.events.request.data);
    const introspectedData = JSON.parse(t.events.introspected.data);
    const introspectData = JSON.parse(t.events.introspect.data);
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('tokens', 'events')",
      )
      .all();
    /** Events for token i: the total spread evenly (5.4 a token for 4.9 million over 900,000). */
    const eventsFor = (i) => Math.floor(((i + 1) * events) / tokens) - Math.floor((i * events) / tokens);
    const step = SPREAD_MS / tokens;
    const from = now - SPREAD_MS;
    const salt = `ui-bench-${now}`;
    let written = 0;
    // Indexes are built again after the inserts (a sort beats millions of B-tree inserts).
    for (const { name } of indexes) db.exec(`DROP INDEX ${name}`);
    const slice = db.transaction((first, end) => {
      for (let i = first; i < end; i++) {
        const at = Math.floor(from + i * step);
        const { id, secret } = seededEngineToken(salt, i);
        const shape = tokenShape(i, t.users, at);
        insertToken({
          id,
          ...shape,
          secret_hash: hashTokenValue(secret),
          claims: '{}',
        });
        const common = { client_id: shape.client_id, username: shape.username, token_id: id };
        const emit = (name, offset, data, extra = {}) => {
          if (written >= events) return;
          insertEvent[name]({ ...common, at: at + offset, data: JSON.stringify(data), ...extra });
          written++;
        };
        emit('issued', 0, {
          ...issuedData,
          kind: shape.kind,
          format: shape.format,
          grant_type: shape.grant_type,
          grant_id: null,
        });
        emit('request', 3, { ...requestData, grant_type: shape.grant_type, duration_ms: 2 + (i % 7) });
        const perToken = eventsFor(i);
        if (perToken >= 3)
          emit('introspected', 40, {
            ...introspectedData,
            active: !shape.revoked_at,
            caller: shape.client_id,
          });
        if (perToken >= 4) emit('introspect', 41, { ...introspectData, duration_ms: 1 + (i % 5) });
        for (let k = 4; k < perToken; k++) {
          emit(
            'request',
            60 + k,
            { ...requestData, grant_type: 'client_credentials', duration_ms: 3 },
            { token_id: null },
          );
        }
      }
    });
    // In slices, yielding between them: a signal (Ctrl+C) is handled within a second, not minutes later.
    const SLICE = 20_000;
    let reported = 0;
    for (let first = 0; first < tokens; first += SLICE) {
      const end = Math.min(tokens, first + SLICE);
      slice(first, end);
      if (end - reported >= tokens / 10 || end === tokens) {
        reported = end;
        log(
          `    ${((end / tokens) * 100).toFixed(0)}% (${end.toLocaleString('en-US')} tokens, ${written.toLocaleString('en-US')} events, ${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    log('    building the indexes again');
    for (const { sql } of indexes) db.exec(sql);
    db.pragma('journal_mode = WAL');
    return { tokens, events: written, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

/**
 * Adds `count` tokens of `clientId` (each with its token.issued event) issued over the `spreadMs` before
 * now and living `ttlS` seconds: the timeline's window then holds them. Made on every run (they must be
 * recent), into the run's copy of the store.
 */
export function addRecentTokens(dataDir, { count, clientId, spreadMs, ttlS }) {
  const started = performance.now();
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  try {
    db.pragma('synchronous = OFF');
    const token = db
      .prepare(
        "SELECT * FROM tokens WHERE kind = 'access' AND format = 'reference' ORDER BY rowid DESC LIMIT 1",
      )
      .get();
    const { id: _e, ...event } = db
      .prepare("SELECT * FROM events WHERE type = 'token.issued' AND token_id = ?")
      .get(token.id);
    const insertToken = inserter(db, 'tokens', token);
    const insertEvent = inserter(db, 'events', event);
    const now = Date.now();
    const salt = `ui-bench-recent-${now}`;
    const data = JSON.parse(event.data);
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const at = Math.floor(now - spreadMs + (i * spreadMs) / count);
        const { id, secret } = seededEngineToken(salt, i);
        const issuedS = Math.floor(at / 1000);
        insertToken({
          id,
          client_id: clientId,
          subject: clientId,
          audience: JSON.stringify([clientId]),
          user_id: null,
          username: null,
          kind: 'access',
          format: 'reference',
          grant_type: 'client_credentials',
          secret_hash: hashTokenValue(secret),
          claims: '{}',
          issued_at: issuedS,
          expires_at: issuedS + ttlS,
          revoked_at: null,
          revoked_reason: null,
        });
        insertEvent({
          at,
          client_id: clientId,
          username: null,
          token_id: id,
          data: JSON.stringify({
            ...data,
            kind: 'access',
            format: 'reference',
            grant_type: 'client_credentials',
            grant_id: null,
          }),
        });
      }
    })();
  } finally {
    db.close();
  }
  return (performance.now() - started) / 1000;
}

/** Counts of the store's tokens and events. */
export function storeCounts(dataDir) {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return {
      tokens: db.prepare('SELECT count(*) AS n FROM tokens').get().n,
      events: db.prepare('SELECT count(*) AS n FROM events').get().n,
    };
  } finally {
    db.close();
  }
}

/** Copies a data folder's files (the cached store into the run's folder), WAL folded in beforehand. */
export function copyStore(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) {
    const source = path.join(from, name);
    if (fs.statSync(source).isFile()) fs.copyFileSync(source, path.join(to, name));
  }
}
