#!/usr/bin/env node
// A storage floor (bench/experiments/storage-floor.mjs): the HTTP ceiling's route (Fastify 5 +
// @fastify/formbody) plus the least any provider must do to keep its opaque tokens in SQLite by hash.
//   issue:      make an id and a 256-bit secret, hash the secret, insert a copy of the engine's own token
//               row under them, commit once per event-loop turn, answer only after the commit.
//   issue-jwt:  the same for an ES256 JWT access token: sign its claims with jose's CompactSign (the call
//               the engine makes), then store the row under its jti with the JWT.
//   introspect: split the value, look the row up by id, compare the secret's hash, answer.
// No client authentication, no event log, no validation: a floor, not a provider.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyFormbody from '@fastify/formbody';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { CompactSign, generateKeyPair } from 'jose';
import { hashTokenValue } from '../lib/shared.mjs';

const { mode, database } = JSON.parse(process.argv[2]);
const db = new Database(database);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

const app = Fastify({ logger: false });
await app.register(fastifyFormbody);
const ID_LENGTH = 26;

if (mode === 'issue' || mode === 'issue-jwt') {
  const { privateKey } = await generateKeyPair('ES256');
  const encoder = new TextEncoder();
  const template = db.prepare("SELECT * FROM tokens WHERE format = 'reference' LIMIT 1").get();
  if (!template) throw new Error(`no reference token in ${database} to copy`);
  const columns = Object.keys(template);
  const insert = db.prepare(
    `INSERT INTO tokens (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const at = (name) => columns.indexOf(name);
  const ttl = template.expires_at - template.issued_at;
  let pending = [];
  const commit = db.transaction((rows) => {
    for (const row of rows) insert.run(row);
  });
  const flush = () => {
    const batch = pending;
    pending = [];
    commit(batch.map((write) => write.row));
    for (const write of batch) write.done();
  };
  let sequence = 0;
  app.post('/token', async () => {
    const now = Date.now();
    // Time-ordered like the engine's ids, so rows go to the end of every index.
    const id = (now * 1000 + (sequence++ % 1000)).toString(32).padStart(ID_LENGTH, '0');
    const iat = Math.floor(now / 1000);
    const row = Object.values(template);
    row[at('id')] = id;
    row[at('issued_at')] = iat;
    row[at('expires_at')] = iat + ttl;
    let value;
    if (mode === 'issue') {
      const secret = randomBytes(32).toString('base64url');
      row[at('secret_hash')] = hashTokenValue(secret);
      value = id + secret;
    } else {
      const claims = { iss: 'http://127.0.0.1', sub: template.subject, aud: JSON.parse(template.audience) };
      Object.assign(claims, {
        exp: iat + ttl,
        iat,
        jti: id,
        client_id: template.client_id,
        scope: template.scope,
      });
      value = await new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'ES256', kid: 'floor', typ: 'at+jwt' })
        .sign(privateKey);
      row[at('format')] = 'jwt';
      row[at('secret_hash')] = null;
      row[at('jwt')] = value;
    }
    await new Promise((done) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ row, done });
    });
    return { access_token: value, token_type: 'Bearer', expires_in: ttl };
  });
} else if (mode === 'introspect') {
  const byId = db
    .prepare('SELECT secret_hash, client_id, scope, expires_at, issued_at, subject FROM tokens WHERE id = ?')
    .raw(true);
  app.post('/introspect', async (request) => {
    const value = String(request.body?.token ?? '');
    const row = byId.get(value.slice(0, ID_LENGTH));
    const expected = row && Buffer.from(row[0], 'base64url');
    const given = Buffer.from(hashTokenValue(value.slice(ID_LENGTH)), 'base64url');
    if (!expected || !timingSafeEqual(expected, given) || row[3] <= Date.now() / 1000)
      return { active: false };
    return { active: true, client_id: row[1], scope: row[2], exp: row[3], iat: row[4], sub: row[5] };
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}

await app.listen({ host: '127.0.0.1', port: 0 });
process.on('SIGTERM', () => {
  app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
const { port } = app.server.address();
process.stdout.write(`READY ${JSON.stringify({ port, issuer: `http://127.0.0.1:${port}` })}\n`);
