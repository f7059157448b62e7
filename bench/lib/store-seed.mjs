// Fills the engine's database with stored reference tokens before it starts, much faster than issuing
// them over HTTP. One real token issued through the token endpoint is the template: its row, its grant
// (if the engine made one: client_credentials tokens have none) and its `token.issued` event are copied
// under new ids and values, so the rows are exactly what the engine writes (main/core/store/migrations.ts)
// and the values are made and hashed as main/core/lib/token-values.ts does.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { hashTokenValue, seededEngineToken, seededTokenValue } from './shared.mjs';

export const DATABASE_FILE = 'idp-sandbox.db';

/** A grant id, derived from the index (the engine's are random UUIDs; only uniqueness matters here). */
const grantIdFor = (salt, i) => seededTokenValue(`grant:${salt}`, i).slice(0, 22);

/** `claims` with those of `values` that it has replaced. */
function perToken(claims, values) {
  const copy = { ...claims };
  for (const [name, value] of Object.entries(values)) if (name in copy) copy[name] = value;
  return copy;
}

/** A positional INSERT for `template`'s columns; `run(changes)` binds the template with `changes` applied. */
export function inserter(db, table, template) {
  const columns = Object.keys(template);
  const statement = db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const values = columns.map((c) => template[c]);
  const index = Object.fromEntries(columns.map((c, i) => [c, i]));
  return (changes) => {
    const row = values.slice();
    for (const key in changes) row[index[key]] = changes[key];
    statement.run(row);
  };
}

/**
 * Inserts `count` reference access tokens (with their events, and grants if the template has one) in one transaction. Tokens
 * i < count - expired are active for a day; the others expired three days ago (past the engine's one-day
 * retention, so `tokens.purgeExpired` removes them). Returns how long it took.
 */
export function seedTokens(dataDir, { count, expired, salt, now = Math.floor(Date.now() / 1000) }) {
  const started = performance.now();
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  try {
    // The engine is stopped: no journal while seeding (the engine switches back to WAL when it opens it).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // Every row is consistent by construction, so the checks would only cost time.
    db.pragma('foreign_keys = OFF');
    // Random ids and hashes land all over three B-trees: keep them in memory while seeding.
    db.pragma('cache_size = -2000000');
    const token = db
      .prepare("SELECT * FROM tokens WHERE kind = 'access' AND format = 'reference' LIMIT 1")
      .get();
    if (!token) throw new Error('no template token: issue one reference token first');
    const grant = token.grant_id ? db.prepare('SELECT * FROM grants WHERE id = ?').get(token.grant_id) : null;
    const event = db
      .prepare("SELECT * FROM events WHERE type = 'token.issued' AND token_id = ?")
      .get(token.id);
    if (token.grant_id && !grant) throw new Error('the template token refers to a grant that is missing');
    if (!event) throw new Error('the template token has no token.issued event');
    const { id: _eventId, ...eventRow } = event;
    const insertToken = inserter(db, 'tokens', token);
    const insertGrant = grant ? inserter(db, 'grants', grant) : null;
    const insertEvent = inserter(db, 'events', eventRow);
    const claims = JSON.parse(token.claims);
    const eventData = JSON.parse(event.data);
    const ttl = token.expires_at - token.issued_at;
    const active = count - expired;

    // Secondary indexes are dropped while inserting and built again afterwards from the same SQL (a sort
    // is much faster than a million B-tree inserts); the schema ends exactly as the engine made it.
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('tokens', 'grants', 'events')",
      )
      .all();
    db.transaction(() => {
      for (const { name } of indexes) db.exec(`DROP INDEX ${name}`);
      for (let i = 0; i < count; i++) {
        const { id: tokenId, secret } = seededEngineToken(salt, i);
        const grantId = insertGrant ? grantIdFor(salt, i) : null;
        const issuedAt = i < active ? now - (i % 3600) : now - 3 * 86400 - (i % 3600);
        const expiresAt = i < active ? now + 86400 : issuedAt + ttl;
        insertGrant?.({ id: grantId, created_at: issuedAt });
        insertToken({
          id: tokenId,
          grant_id: grantId,
          value_hash: null,
          secret_hash: hashTokenValue(secret),
          // The engine keeps in this column only the claims no other column holds; any it kept that
          // differ per token are set here as well.
          claims: JSON.stringify(perToken(claims, { jti: tokenId, iat: issuedAt, exp: expiresAt })),
          issued_at: issuedAt,
          expires_at: expiresAt,
        });
        insertEvent({
          at: issuedAt * 1000,
          token_id: tokenId,
          data: JSON.stringify({ ...eventData, grant_id: grantId }),
        });
      }
      for (const { sql } of indexes) db.exec(sql);
    })();
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  return (performance.now() - started) / 1000;
}

/** Size in MB of the database file plus its WAL and shared-memory files. */
export function databaseSizeMb(dataDir) {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    bytes += fs.statSync(path.join(dataDir, DATABASE_FILE + suffix), { throwIfNoEntry: false })?.size ?? 0;
  }
  return bytes / 1024 / 1024;
}
