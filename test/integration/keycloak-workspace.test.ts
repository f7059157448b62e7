import fs from 'node:fs';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import type { Client, User, Workspace } from '../../shared/schemas';
import { SANDBOX_WORKSPACE } from '../fixtures/keycloak/sandbox-workspace';
import { startTestEngine } from '../helpers/engine';
import { adminHttp, type Credentials, fetchJwks, tokenRequest } from '../helpers/script-http';

// Over the admin HTTP API of real engines: a workspace goes out as a Keycloak realm and comes back into
// an empty engine unchanged, and a Keycloak export comes in and its users get tokens with their claims.

type Started = Awaited<ReturnType<typeof startTestEngine>>;
const started: Started[] = [];
async function start(seed?: Workspace): Promise<Started> {
  const engine = await startTestEngine({ inMemory: true, ...(seed ? { seed } : {}) });
  started.push(engine);
  return engine;
}
afterAll(async () => {
  await Promise.all(started.map((engine) => engine.cleanup()));
});

const ACME = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/keycloak/acme-realm-export.json'), 'utf8'),
);

/** Users, clients and settings as the engine keeps them, grant types in one order. */
async function contents(engine: Started) {
  const { keys: _keys, ...workspace } = await adminHttp<Workspace>(engine, 'workspace.export', {});
  return {
    ...workspace,
    clients: workspace.clients?.map((c) => ({ ...c, grant_types: [...(c.grant_types ?? [])].sort() })),
  };
}

/** A password grant's access token, verified with the engine's JWKS: its lifetime and claims. */
async function passwordGrant(engine: Started, client: Credentials, username: string, password: string) {
  const tokens = await tokenRequest(engine.issuer, client, {
    grant_type: 'password',
    username,
    password,
    scope: 'openid profile email',
  });
  const { payload } = await jwtVerify(
    tokens.access_token,
    createLocalJWKSet(await fetchJwks(engine.issuer)),
    {
      issuer: engine.issuer,
    },
  );
  return { expiresIn: tokens.expires_in, claims: payload };
}

describe('a workspace to Keycloak and back', () => {
  let source: Started;
  let copy: Started;
  let exported: AdminOutput<'keycloak.export'>;
  let imported: AdminOutput<'keycloak.import'>;

  beforeAll(async () => {
    source = await start(SANDBOX_WORKSPACE);
    exported = await adminHttp(source, 'keycloak.export', { realm: 'sandbox' });
    copy = await start();
    // As a file on disk would bring it: JSON text.
    imported = await adminHttp(copy, 'keycloak.import', {
      realm: JSON.parse(JSON.stringify(exported.realm)),
    });
  });

  it('imports every user and client with nothing skipped', () => {
    expect(imported).toEqual({
      summary: { users: 3, clients: 8, keys: 0, settings: true },
      skipped: [],
      dry_run: false,
    });
    expect(exported.realm.realm).toBe('sandbox');
  });

  it('gives an engine the same users, clients and settings as the one it came from', async () => {
    expect(await contents(copy)).toEqual(await contents(source));
  });

  it('issues the copy’s tokens with the original custom claims and audiences', async () => {
    const { claims, expiresIn } = await passwordGrant(
      copy,
      { clientId: 'web', secret: 'web-secret' },
      'alice',
      'alice-pw',
    );
    expect(claims).toMatchObject({
      sub: '3f2b8c1e-8d43-4b7a-9a51-0c2f1e6d7a10',
      org: { id: 7, units: ['north', { name: 'south', size: 2.5 }] },
      roles: ['admin', 'qa'],
      level: 3,
      beta: true,
      'https://example.test/claims.plan': 'gold',
      // The client's claim mapping (a renamed user claim), which travelled in idp-sandbox.client.
      'https://example.test/tenant': 'acme',
    });
    expect(claims.aud).toEqual(expect.arrayContaining(['orders-api', 'billing-api']));
    expect(expiresIn).toBe(300);
  });
});

describe('a Keycloak realm export into a workspace', () => {
  let engine: Started;

  beforeAll(async () => {
    engine = await start();
  });

  it('reports on a dry run without writing anything', async () => {
    const report = await adminHttp<AdminOutput<'keycloak.import'>>(engine, 'keycloak.import', {
      realm: ACME,
      dry_run: true,
    });
    expect(report.summary).toEqual({ users: 3, clients: 3, keys: 0, settings: true });
    expect(report.dry_run).toBe(true);
    expect(report.skipped.map((s) => s.path)).toContain('identityProviders');
    expect(await adminHttp<User[]>(engine, 'users.list', {})).toEqual([]);
    expect(await adminHttp<Client[]>(engine, 'clients.list', {})).toEqual([]);
  });

  it('imports it, and an imported user gets tokens with the claims Keycloak would have put there', async () => {
    const report = await adminHttp<AdminOutput<'keycloak.import'>>(engine, 'keycloak.import', {
      realm: ACME,
    });
    expect(report.summary).toEqual({ users: 3, clients: 3, keys: 0, settings: true });
    const { claims, expiresIn } = await passwordGrant(
      engine,
      { clientId: 'orders-web', secret: 'orders-web-secret' },
      'alice',
      'alice-password',
    );
    expect(claims).toMatchObject({
      sub: '5b8ad3e4-95bb-4cc4-9f2f-2b7e27f2b7a1',
      tenant: 'acme',
      level: 3,
      perms: { orders: ['orders:read', 'orders:write'] },
    });
    // One audience: RFC 7519 §4.1.3 lets it be a string.
    expect([claims.aud].flat()).toContain('orders-api');
    expect(expiresIn).toBe(600);
  });

  it('refuses a file without a realm name, naming the field', async () => {
    await expect(adminHttp(engine, 'keycloak.import', { realm: { users: [] } })).rejects.toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('realm.realm') },
    });
  });
});
