#!/usr/bin/env node
// A storage floor (bench/experiments/storage-floor.mjs): the HTTP ceiling's route (Fastify 5 +
// @fastify/formbody) plus the least a provider must do to keep its opaque tokens in SQLite by hash.
//   issue:          make an id and a 256-bit secret, hash the secret, insert a copy of the engine's own
//                   token row under them, commit once per event-loop turn, answer only after the commit.
//   issue-nostore:  the same without the insert and the commit (what storing costs, by difference).
//   issue-worker:   the same with the inserts and the commit on a writer thread with its own connection
//                   (floor-writer.mjs): one message per turn each way, answers after its commit.
//   issue-required: issue, plus what the product requires besides storing: authenticate the client
//                   (Basic, SHA-256 of the secret compared in constant time) and write the lifecycle
//                   event in the same commit as the token.
//   issue-jwt:      issue for an ES256 JWT access token: sign its claims with jose's CompactSign (the call
//                   the engine makes), then store the row under its jti with the JWT.
//   issue-jwt-required: issue-jwt (in the algorithm `alg`, ES256 by default) plus client authentication and
//                   the lifecycle event, as issue-required adds them to issue.
//   exchange-required: RFC 8693 token exchange's least work: issue-jwt-required, after verifying the
//                   subject token (a JWT this server signed at start, its signature checked with jose's
//                   compactVerify, then its row looked up by jti to see it is still stored and active).
//   dpop-required:  RFC 9449 DPoP-bound issuance's least work: issue-jwt-required, after verifying the DPoP
//                   proof (jose's jwtVerify with the embedded key, typ, htm, htu, iat window, the jti
//                   remembered in a Map for replay) and binding the token to the key's thumbprint (cnf.jkt).
//   introspect:     split the value, look the row up by id, compare the secret's hash, answer.
//   introspect-required: introspect, plus client authentication as above and the lifecycle event,
//                   committed at the end of the turn without holding the answer (as the engine does).
// No validation, no error answers beyond the minimum: a floor, not a provider.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyFormbody from '@fastify/formbody';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import {
  CompactSign,
  calculateJwkThumbprint,
  compactVerify,
  EmbeddedJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import { CLIENTS, hashTokenValue } from '../lib/shared.mjs';

const { mode, database, alg = 'ES256' } = JSON.parse(process.argv[2]);
const db = new Database(database);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

const app = Fastify({ logger: false });
await app.register(fastifyFormbody);
const ID_LENGTH = 26;
const required = mode.endsWith('-required');

// The benchmark's clients, stored as the engine stores client secrets: as their SHA-256.
const clients = new Map(
  Object.values(CLIENTS).map((c) => [
    c.id,
    { id: c.id, secretHash: Buffer.from(hashTokenValue(c.secret), 'base64url') },
  ]),
);
/** The Basic-authenticated client, or null. */
function authenticate(request) {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const id = decodeURIComponent(decoded.slice(0, colon));
  const secret = decodeURIComponent(decoded.slice(colon + 1));
  const given = Buffer.from(hashTokenValue(secret), 'base64url');
  const client = clients.get(id);
  return client && timingSafeEqual(given, client.secretHash) ? client : null;
}
const recordEvent = db.prepare(
  'INSERT INTO events (at, type, client_id, username, token_id, data) VALUES (?, ?, ?, NULL, ?, ?)',
);

/**
 * Collects `(input, done)` pairs queued during one event-loop turn and hands them to `handle(batch)` at
 * its end, as the engine's group commit does.
 */
function perTurn(handle) {
  let pending = [];
  return (input, done) => {
    if (pending.length === 0)
      setImmediate(() => {
        const batch = pending;
        pending = [];
        handle(batch);
      });
    pending.push({ input, done });
  };
}

/** Writes queued in one turn, committed together at its end; `done` (if any) runs after the commit. */
function groupCommit(write) {
  const commit = db.transaction((batch) => {
    for (const item of batch) write(item.input);
  });
  return perTurn((batch) => {
    commit(batch);
    for (const item of batch) item.done?.();
  });
}

if (['issue', 'exchange', 'dpop'].includes(mode.split('-')[0])) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const signsJwt = mode.includes('jwt') || mode.startsWith('exchange') || mode.startsWith('dpop');
  const encoder = new TextEncoder();
  const template = db.prepare("SELECT * FROM tokens WHERE format = 'reference' LIMIT 1").get();
  if (!template) throw new Error(`no reference token in ${database} to copy`);
  const columns = Object.keys(template);
  const insert = db.prepare(
    `INSERT INTO tokens (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const at = (name) => columns.indexOf(name);
  const ttl = template.expires_at - template.issued_at;
  const eventData = JSON.stringify({ kind: 'access', format: 'reference', grant_type: 'client_credentials' });
  const byJti = db.prepare('SELECT expires_at FROM tokens WHERE id = ?').pluck(true);
  /** The proofs' jti seen within the window, by key thumbprint and jti (RFC 9449 §11.1). */
  const seenProofs = new Map();
  const issuer = () => `http://127.0.0.1:${app.server.address().port}`;
  let store = groupCommit((row) => {
    insert.run(row);
    if (required) recordEvent.run(Date.now(), 'token.issued', template.client_id, row[at('id')], eventData);
  });
  if (mode === 'issue-nostore') {
    store = perTurn((batch) => {
      for (const item of batch) item.done();
    });
  }
  if (mode === 'issue-worker') {
    const { Worker } = await import('node:worker_threads');
    const writer = new Worker(new URL('./floor-writer.mjs', import.meta.url), {
      workerData: { database, columns },
    });
    writer.unref();
    const waiting = new Map();
    let batchId = 0;
    writer.on('message', (id) => {
      for (const item of waiting.get(id)) item.done();
      waiting.delete(id);
    });
    store = perTurn((batch) => {
      waiting.set(batchId, batch);
      writer.postMessage({ id: batchId++, rows: batch.map((item) => item.input) });
    });
  }
  let sequence = 0;
  /** What exchange-required and dpop-required check before issuing; an error answer's text, or null. */
  const checks = {
    exchange: async (request) => {
      const { payload } = await compactVerify(String(request.body?.subject_token ?? ''), publicKey);
      const claims = JSON.parse(Buffer.from(payload).toString());
      const expiresAt = byJti.get(String(claims.jti));
      return expiresAt > Date.now() / 1000 ? { sub: claims.sub } : null;
    },
    dpop: async (request) => {
      const { payload, protectedHeader } = await jwtVerify(String(request.headers.dpop ?? ''), EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256'],
      });
      const now = Date.now() / 1000;
      if (payload.htm !== 'POST' || payload.htu !== `${issuer()}/token`) return null;
      if (Math.abs(now - payload.iat) > 60) return null;
      const jkt = await calculateJwkThumbprint(protectedHeader.jwk, 'sha256');
      const key = `${jkt} ${payload.jti}`;
      if (seenProofs.has(key)) return null;
      seenProofs.set(key, now + 60);
      if (seenProofs.size > 100_000) {
        for (const [k, until] of seenProofs) if (until < now) seenProofs.delete(k);
      }
      return { cnf: { jkt } };
    },
  };
  const check = checks[mode.split('-')[0]];
  app.post('/token', async (request, reply) => {
    if (required && !authenticate(request)) return reply.code(401).send({ error: 'invalid_client' });
    // The subject token of exchange-required is minted at start by client_credentials, unchecked.
    const minting = mode.startsWith('exchange') && request.body?.grant_type === 'client_credentials';
    const extra = check && !minting ? await check(request).catch(() => null) : {};
    if (!extra) return reply.code(400).send({ error: 'invalid_request' });
    const now = Date.now();
    // Time-ordered like the engine's ids, so rows go to the end of every index.
    const id = (now * 1000 + (sequence++ % 1000)).toString(32).padStart(ID_LENGTH, '0');
    const iat = Math.floor(now / 1000);
    const row = Object.values(template);
    row[at('id')] = id;
    row[at('issued_at')] = iat;
    row[at('expires_at')] = iat + ttl;
    let value;
    if (!signsJwt) {
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
        ...extra,
      });
      value = await new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg, kid: 'floor', typ: 'at+jwt' })
        .sign(privateKey);
      row[at('format')] = 'jwt';
      row[at('secret_hash')] = null;
      row[at('jwt')] = value;
    }
    await new Promise((done) => store(row, done));
    return { access_token: value, token_type: extra.cnf ? 'DPoP' : 'Bearer', expires_in: ttl };
  });
  if (mode.startsWith('exchange')) {
    // The subject token every exchange presents: a JWT of this server's key, stored like any other.
    const response = await app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENTS.jwt.id}:${CLIENTS.jwt.secret}`).toString('base64')}`,
      },
      payload: { grant_type: 'client_credentials' },
    });
    app.subjectToken = response.json().access_token;
  }
} else if (mode.startsWith('introspect')) {
  const byId = db
    .prepare('SELECT secret_hash, client_id, scope, expires_at, issued_at, subject FROM tokens WHERE id = ?')
    .raw(true);
  const observe = groupCommit(({ clientId, tokenId, active }) =>
    recordEvent.run(
      Date.now(),
      'token.introspected',
      clientId,
      tokenId,
      active ? '{"active":true}' : '{"active":false}',
    ),
  );
  app.post('/introspect', async (request, reply) => {
    const caller = required ? authenticate(request) : null;
    if (required && !caller) return reply.code(401).send({ error: 'invalid_client' });
    const value = String(request.body?.token ?? '');
    const id = value.slice(0, ID_LENGTH);
    const row = byId.get(id);
    const expected = row && Buffer.from(row[0], 'base64url');
    const given = Buffer.from(hashTokenValue(value.slice(ID_LENGTH)), 'base64url');
    const active = Boolean(expected && timingSafeEqual(expected, given) && row[3] > Date.now() / 1000);
    if (required) observe({ clientId: caller.id, tokenId: id, active });
    if (!active) return { active: false };
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
process.stdout.write(
  `READY ${JSON.stringify({ port, issuer: `http://127.0.0.1:${port}`, subjectToken: app.subjectToken })}\n`,
);
