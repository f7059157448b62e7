import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import { createEngine } from '../../main/core/engine';
import { migrations } from '../../main/core/store/migrations';
import type { EngineEvent, SigningKey } from '../../shared/schemas';
import { startTestEngine, tempDir } from '../helpers/engine';
import {
  currentJwks,
  fetchJwks,
  introspect,
  revoke,
  type TokenResponse,
  tokenRequest,
  tokenResponse,
} from '../helpers/script-http';

/** Everything is written through one engine, which is closed; a second one on the same folder reads it back. */

const JWT_CLIENT = { clientId: 'svc-jwt', secret: 'svc-jwt-secret' };
const REF_CLIENT = { clientId: 'svc-ref', secret: 'svc-ref-secret' };

type Started = Awaited<ReturnType<typeof startTestEngine>>;

const dataDirs: string[] = [];
function newDataDir(): string {
  const dir = tempDir('idp-sandbox-persist-');
  dataDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('restart on the same data folder', () => {
  const dataDir = newDataDir();
  let first: Started;
  let second: Started;
  const before: {
    users?: unknown;
    clients?: unknown;
    settings?: unknown;
    keys?: SigningKey[];
    jwks?: unknown;
    events?: EngineEvent[];
    jwt?: TokenResponse;
    ref?: TokenResponse;
    revokedRef?: TokenResponse;
    revokedId?: string;
  } = {};

  beforeAll(async () => {
    first = await startTestEngine({ dataDir });
    await first.call('users.create', {
      username: 'alice',
      password: 'alice-pw',
      sub: 'alice-sub',
      claims: { name: 'Alice Example', email: 'alice@example.test', roles: ['admin'], tenant: 'acme' },
    });
    await first.call('users.create', { username: 'bob', claims: { department: 'qa' } });
    for (const [client, format] of [
      [JWT_CLIENT, 'jwt'],
      [REF_CLIENT, 'reference'],
    ] as const) {
      await first.call('clients.create', {
        client_id: client.clientId,
        client_secret: client.secret,
        grant_types: ['password', 'refresh_token'],
        scope: 'openid profile email offline_access orders:read',
        access_token_format: format,
        audience: ['orders-api'],
      });
    }
    await first.call('settings.update', { access_token_ttl: 900, login_hint_skips_login: true });

    const grant = { grant_type: 'password', username: 'alice', password: 'alice-pw' };
    before.jwt = await tokenRequest(first.issuer, JWT_CLIENT, {
      ...grant,
      scope: 'openid profile orders:read',
    });
    before.ref = await tokenRequest(first.issuer, REF_CLIENT, { ...grant, scope: 'openid orders:read' });
    before.revokedRef = await tokenRequest(first.issuer, REF_CLIENT, { ...grant, scope: 'orders:read' });
    await revoke(first.issuer, REF_CLIENT, before.revokedRef.access_token);
    const { tokens } = (await first.call('tokens.list', { state: 'revoked' })) as {
      tokens: { id: string }[];
    };
    expect(tokens).toHaveLength(1);
    before.revokedId = tokens[0]?.id;

    before.users = await first.call('users.list', {});
    before.clients = await first.call('clients.list', {});
    before.settings = await first.call('settings.get', {});
    before.keys = (await first.call('keys.list', {})) as SigningKey[];
    before.jwks = await fetchJwks(first.issuer);
    before.events = (await first.call('events.list', { limit: 5000 })) as EngineEvent[];
    await first.close();

    // Same port, so the issuer (and with it every token's iss) is the same as before the restart.
    second = await startTestEngine({ dataDir, port: first.port });
    expect(second.issuer).toBe(first.issuer);
  });
  afterAll(async () => {
    await second?.close();
  });

  it('keeps users, clients and settings', async () => {
    expect(await second.call('users.list', {})).toEqual(before.users);
    expect(await second.call('clients.list', {})).toEqual(before.clients);
    expect(await second.call('settings.get', {})).toEqual(before.settings);
    expect(before.settings).toMatchObject({ access_token_ttl: 900, login_hint_skips_login: true });
  });

  it('signs with the same key, so tokens from before the restart still verify against the JWKS', async () => {
    expect(await second.call('keys.list', {})).toEqual(before.keys);
    expect(before.keys).toHaveLength(1);
    expect(await fetchJwks(second.issuer)).toEqual(before.jwks);

    const jwks = await currentJwks(second.issuer);
    const access = await jwtVerify(before.jwt?.access_token as string, jwks, {
      issuer: second.issuer,
      audience: 'orders-api',
      typ: 'at+jwt',
    });
    expect(access.protectedHeader.kid).toBe(before.keys?.[0]?.kid);
    expect(access.payload).toMatchObject({
      sub: 'alice-sub',
      client_id: JWT_CLIENT.clientId,
      roles: ['admin'],
    });
    const id = await jwtVerify(before.jwt?.id_token as string, jwks, {
      issuer: second.issuer,
      audience: JWT_CLIENT.clientId,
    });
    expect(id.payload).toMatchObject({ sub: 'alice-sub', name: 'Alice Example' });
  });

  it('still introspects the JWT and the reference access token as active', async () => {
    for (const [client, tokens] of [
      [JWT_CLIENT, before.jwt],
      [REF_CLIENT, before.ref],
    ] as const) {
      expect(await introspect(second.issuer, client, tokens?.access_token as string)).toMatchObject({
        active: true,
        sub: 'alice-sub',
        username: 'alice',
        client_id: client.clientId,
        aud: 'orders-api',
        tenant: 'acme',
      });
      expect(await introspect(second.issuer, client, tokens?.refresh_token as string)).toMatchObject({
        active: true,
        token_type: 'refresh_token',
      });
    }
  });

  it('keeps a revoked token revoked', async () => {
    expect(await introspect(second.issuer, REF_CLIENT, before.revokedRef?.access_token as string)).toEqual({
      active: false,
    });
    const token = (await second.call('tokens.get', { id: before.revokedId })) as Record<string, unknown>;
    expect(token).toMatchObject({ state: 'revoked', revoked_reason: 'revoked_by_client' });
  });

  it('refreshes with a refresh token issued before the restart, signing with the same key', async () => {
    const refreshed = await tokenRequest(second.issuer, JWT_CLIENT, {
      grant_type: 'refresh_token',
      refresh_token: before.jwt?.refresh_token as string,
    });
    expect(refreshed.refresh_token).not.toBe(before.jwt?.refresh_token);
    expect(decodeProtectedHeader(refreshed.access_token).kid).toBe(before.keys?.[0]?.kid);
    expect(await introspect(second.issuer, JWT_CLIENT, refreshed.access_token)).toMatchObject({
      active: true,
    });
    // The rotation itself is stored: the old refresh token is spent.
    const replay = await tokenResponse(second.issuer, JWT_CLIENT, {
      grant_type: 'refresh_token',
      refresh_token: before.jwt?.refresh_token as string,
    });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('keeps the event log and continues its numbering', async () => {
    const events = (await second.call('events.list', { limit: 5000 })) as EngineEvent[];
    const lastBefore = before.events?.[0]?.id ?? 0;
    expect(events.filter((e) => e.id <= lastBefore)).toEqual(before.events);
    expect(before.events?.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'user.created',
        'client.created',
        'settings.changed',
        'token.issued',
        'token.revoked',
      ]),
    );
    expect(events.some((e) => e.id > lastBefore)).toBe(true);
  });
});

describe('schema version', () => {
  it('records the number of migrations in PRAGMA user_version', async () => {
    const dataDir = newDataDir();
    const engine = await startTestEngine({ dataDir });
    await engine.close();
    expect(userVersion(path.join(dataDir, DATABASE_FILE))).toBe(migrations.length);
  });

  it('refuses a database written by a newer version and leaves the file byte-identical', async () => {
    const dataDir = newDataDir();
    const engine = await startTestEngine({ dataDir });
    await engine.call('users.create', { username: 'kept' });
    await engine.close();
    const file = path.join(dataDir, DATABASE_FILE);
    const newer = new Database(file);
    newer.pragma(`user_version = ${migrations.length + 1}`);
    newer.close();
    const bytes = fs.readFileSync(file);

    await expect(createEngine({ dataDir, port: 0 })).rejects.toThrow(
      new RegExp(
        `newer version of IDP Sandbox \\(schema ${migrations.length + 1}, this version knows ${migrations.length}\\)`,
      ),
    );
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(userVersion(file)).toBe(migrations.length + 1);
  });

  it('does not even switch a newer rollback-journal database to WAL', async () => {
    // A newer version might not use WAL; switching the journal mode rewrites the file header.
    const dataDir = newDataDir();
    const file = path.join(dataDir, DATABASE_FILE);
    const newer = new Database(file);
    newer.exec('CREATE TABLE future (x INTEGER)');
    newer.pragma('user_version = 999');
    newer.close();
    const bytes = fs.readFileSync(file);

    const failure = createEngine({ dataDir, port: 0 });
    await expect(failure).rejects.toThrow(/newer version of IDP Sandbox/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    // The message names the file, so the user knows which folder to move away from.
    await expect(failure).rejects.toThrow(file);
  });
});
