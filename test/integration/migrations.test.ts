import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import { createEngine, type Engine } from '../../main/core/engine';
import { splitOpaqueValue } from '../../main/core/lib/token-values';
import { migrations } from '../../main/core/store/migrations';
import type { Client, EngineEvent, SigningKey, Token, User } from '../../shared/schemas';
import { runningClock } from '../helpers/clock';
import { tempDir } from '../helpers/engine';
import { adminHttp, fetchJwks, introspect, tokenRequest } from '../helpers/script-http';

/**
 * Upgrading a database written by the first released schema (test/fixtures/schema-v1.db, made by
 * test/fixtures/make-schema-v1.mjs with that release): the engine opens a copy, brings it to the
 * latest schema, and everything in it is intact and usable. Every migration added since (2: indexes,
 * 3: opaque tokens found by id) runs against these bytes here. The fixture's opaque tokens are in the
 * format before migration 3 (found by the hash of the whole value), and must keep working.
 */

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'schema-v1.json'), 'utf8')) as {
  schema_version: number;
  made_at_ms: number;
  values: Record<
    | 'refresh_token'
    | 'rotated_refresh_token'
    | 'reference_access_token'
    | 'revoked_reference_access_token'
    | 'jwt_access_token'
    | 'id_token',
    string
  >;
  keys: SigningKey[];
  users: User[];
  clients: Client[];
  settings: Record<string, unknown>;
  tokens: Token[];
  events: EngineEvent[];
};

const WEB = { clientId: 'web', secret: 'web-secret' };

/**
 * Introspection as svc-ref, the client the fixture's reference tokens were issued to (a client may
 * introspect only its own tokens and those addressed to it). It uses client_secret_post.
 */
async function introspectAsSvcRef(token: string): Promise<Record<string, unknown>> {
  const svcRef = fixture.clients.find((client) => client.client_id === 'svc-ref') as Client;
  const response = await fetch(`${engine.issuer}/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: 'svc-ref', client_secret: svcRef.client_secret as string }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

const dataDir = tempDir('idp-sandbox-migrate-');
const file = path.join(dataDir, DATABASE_FILE);
let engine: Engine;

beforeAll(async () => {
  fs.copyFileSync(path.join(FIXTURES, 'schema-v1.db'), file);
  // The engine runs a minute after the fixture was made, so nothing in it has expired yet.
  const clock = runningClock();
  clock.set(fixture.made_at_ms + 60_000);
  engine = await createEngine({ dataDir, port: 0, clock });
});
afterAll(async () => {
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const call = <T>(method: string, input: unknown = {}) => adminHttp<T>(engine, method, input);

describe('a database from the first released schema', () => {
  it('is what it claims: schema 1, small', () => {
    expect(fixture.schema_version).toBe(1);
    // Read from the header (user_version is the big-endian integer at offset 60): opening the fixture
    // itself with SQLite, even read-only, would leave -wal and -shm files beside it.
    const header = fs.readFileSync(path.join(FIXTURES, 'schema-v1.db')).subarray(0, 100);
    expect(header.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\u0000');
    expect(header.readUInt32BE(60)).toBe(1);
    expect(fs.statSync(path.join(FIXTURES, 'schema-v1.db')).size).toBeLessThan(200 * 1024);
  });

  it('is brought to the latest schema version', () => {
    expect(userVersion(file)).toBe(migrations.length);
  });

  it('opens with its issuer at the root: one issuer, the engine origin, no other', async () => {
    // Schema 9 added the workspace's other issuers; a data folder from before has none of them.
    expect(await call('issuers.list')).toEqual([
      {
        id: 'root',
        name: '',
        display_name: 'Root issuer',
        profile: 'generic',
        issuer: engine.issuer,
        discovery_url: `${engine.issuer}/.well-known/openid-configuration`,
        created_at: null,
      },
    ]);
    expect(fs.existsSync(path.join(dataDir, 'issuers'))).toBe(false);
  });

  it('keeps users, clients, settings, keys, tokens and events as they were', async () => {
    expect(await call('users.list')).toEqual(fixture.users);
    // Clients from before the per-client policies get their defaults: the public spa registers a
    // loopback IP redirect, so it keeps any-port matching; nobody may introspect every token.
    expect(await call('clients.list')).toEqual(
      fixture.clients.map((client) => ({
        ...client,
        allow_loopback_port_variance: client.client_id === 'spa',
        introspect_any_token: false,
        // JWT client authentication came later: no keys, no pinned algorithm.
        jwks: null,
        jwks_uri: null,
        token_endpoint_auth_signing_alg: null,
      })),
    );
    // Settings added later (provider time, issuing skew) take their defaults.
    expect(await call('settings.get')).toEqual({
      ...fixture.settings,
      clock_offset_seconds: 0,
      clock_skew_seconds: 0,
      dynamic_registration: false,
      registration_initial_access_token: null,
      protected_resources: [],
    });
    // Schema 4 added the staged-rotation fields: keys from before signed from their creation.
    expect(await call('keys.list')).toEqual(
      fixture.keys.map((key) => ({ ...key, activates_at: null, activated_at: key.created_at })),
    );
    const { tokens } = await call<{ tokens: Token[] }>('tokens.list', { limit: 100 });
    // Schema 6 added the QA lab's flaws: tokens from before have none. Schema 7 records the issuing
    // grant type: unknown (null) for them; none of them was exchanged, so none has an actor.
    // Lists give each token its seq (its rowid): the fixture, written before, has none.
    expect(tokens.map(({ seq: _seq, ...token }) => token)).toEqual(
      fixture.tokens.map((token) => ({ ...token, flaws: [], grant_type: null, act: null })),
    );
    const seqs = tokens.map((t) => t.seq ?? 0);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(tokens.map((t) => t.state))).toEqual(new Set(['active', 'rotated', 'revoked']));
    // Newest first; what this engine recorded since comes on top.
    const last = Math.max(...fixture.events.map((e) => e.id));
    const events = await call<EngineEvent[]>('events.list', { limit: 1000 });
    expect(events.filter((e) => e.id <= last)).toEqual(fixture.events);
  });

  it('still answers for its tokens: the reference token is active, the revoked one is not', async () => {
    expect(await introspectAsSvcRef(fixture.values.reference_access_token)).toMatchObject({
      active: true,
      client_id: 'svc-ref',
    });
    expect(await introspectAsSvcRef(fixture.values.revoked_reference_access_token)).toEqual({
      active: false,
    });
    // JWTs are found by value (their issuer, the fixture's port, is not this engine's).
    for (const value of [fixture.values.jwt_access_token, fixture.values.id_token]) {
      const { token } = await call<{ token: Token | null }>('tokens.lookup', { value });
      expect(token?.state).toBe('active');
    }
  });

  it('refreshes with a stored refresh token, signing with the stored current key', async () => {
    const current = fixture.keys.find((k) => k.status === 'current') as SigningKey;
    const refreshed = await tokenRequest(engine.issuer, WEB, {
      grant_type: 'refresh_token',
      refresh_token: fixture.values.refresh_token,
    });
    expect(decodeProtectedHeader(refreshed.access_token).kid).toBe(current.kid);
    expect(decodeProtectedHeader(refreshed.id_token as string).kid).toBe(current.kid);
    const jwks = createLocalJWKSet(await fetchJwks(engine.issuer));
    const now = new Date(fixture.made_at_ms + 60_000);
    const { payload } = await jwtVerify(refreshed.access_token, jwks, { currentDate: now, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'alice-sub', aud: 'orders-api', roles: ['admin', 'qa'] });
    // The JWKS still publishes the rotated key, so the fixture's own JWTs verify too.
    await jwtVerify(fixture.values.jwt_access_token, jwks, { currentDate: now });
    expect((await introspect(engine.issuer, WEB, refreshed.access_token)).active).toBe(true);
    // What the upgraded engine issues is in the current format (its id, then its secret), and works.
    const parts = splitOpaqueValue(refreshed.refresh_token as string);
    expect(parts).not.toBeNull();
    const again = await tokenRequest(engine.issuer, WEB, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.refresh_token as string,
    });
    expect(again.access_token).toEqual(expect.any(String));
    const { token } = await call<{ token: Token | null }>('tokens.lookup', {
      value: refreshed.refresh_token,
    });
    expect(token).toMatchObject({ id: parts?.id, state: 'rotated' });
    // The one it replaced, and the one rotated before the fixture was saved, are now reuse.
    const reuse = await fetch(`${engine.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('web:web-secret').toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: fixture.values.rotated_refresh_token,
      }),
    });
    expect(reuse.status).toBe(400);
  });

  it('passes PRAGMA integrity_check after the engine has written to it and closed', async () => {
    await engine.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
    // Opening it again is a no-op for the schema.
    engine = await createEngine({ dataDir, port: 0 });
    expect(userVersion(file)).toBe(migrations.length);
  });
});
