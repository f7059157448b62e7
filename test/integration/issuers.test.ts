import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import type { IssuerSummary } from '../../shared/issuers';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine, tempDir } from '../helpers/engine';
import { openidClientCodeFlow } from '../helpers/openid-client-flow';

const REDIRECT = 'http://127.0.0.1:5173/callback';
/** The same names at both issuers: only the issuer tells their tokens apart. */
const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { email: 'alice@example.test' } }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
      access_token_format: 'jwt',
    },
    {
      client_id: 'exchanger',
      client_secret: 'exchanger-secret',
      grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      scope: 'openid email',
      token_exchange: { allowed_audiences: [], may_impersonate: true, allow_refresh_token_subject: false },
    },
    {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      introspect_any_token: true,
      access_token_format: 'reference',
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let dataDir: string;
let orders: IssuerSummary;

async function rp(issuer: string, clientId = 'web', secret = 'web-secret') {
  return oidc.discovery(new URL(issuer), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** openid-client's code + PKCE flow through the issuer's real login form, as alice. */
async function codeFlow(config: oidc.Configuration) {
  const options = {
    redirectUri: REDIRECT,
    scope: 'openid email offline_access',
    username: 'alice',
    password: 'alice-pw',
  };
  return (await openidClientCodeFlow(config, options)).tokens;
}

beforeAll(async () => {
  dataDir = tempDir();
  engine = await startTestEngine({ dataDir, seed: SEED });
  orders = (await engine.call('issuers.create', { name: 'orders' })) as IssuerSummary;
  await engine.call('workspace.import', SEED, { issuer: 'orders' });
});
afterAll(async () => {
  await engine.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('two issuers in one engine', () => {
  it('serves each at its own path with its own discovery and keys', async () => {
    expect(orders.issuer).toBe(`${engine.issuer}/orders`);
    expect(orders.discovery_url).toBe(`${engine.issuer}/orders/.well-known/openid-configuration`);
    const root = (await rp(engine.issuer)).serverMetadata();
    const other = (await rp(orders.issuer)).serverMetadata();
    expect(other.issuer).toBe(orders.issuer);
    expect(other.token_endpoint).toBe(`${orders.issuer}/token`);
    expect(other.jwks_uri).toBe(`${orders.issuer}/jwks`);
    const rootKids = ((await (await fetch(root.jwks_uri as string)).json()) as { keys: { kid: string }[] })
      .keys;
    const otherKids = ((await (await fetch(other.jwks_uri as string)).json()) as { keys: { kid: string }[] })
      .keys;
    expect(otherKids.map((k) => k.kid)).not.toEqual(expect.arrayContaining(rootKids.map((k) => k.kid)));
    // RFC 8414 §3.1: the inserted form of the metadata path names the same issuer.
    const inserted = await fetch(`${engine.issuer}/.well-known/oauth-authorization-server/orders`);
    expect(((await inserted.json()) as { issuer: string }).issuer).toBe(orders.issuer);
  });

  it('lists both, the root issuer first', async () => {
    const issuers = (await engine.call('issuers.list', {})) as IssuerSummary[];
    expect(issuers.map((i) => [i.id, i.name, i.profile])).toEqual([
      ['root', '', 'generic'],
      [orders.id, 'orders', 'generic'],
    ]);
  });

  it('completes code + PKCE at each, with tokens that only their own issuer accepts', async () => {
    const rootConfig = await rp(engine.issuer);
    const ordersConfig = await rp(orders.issuer);
    const rootTokens = await codeFlow(rootConfig);
    const ordersTokens = await codeFlow(ordersConfig);

    for (const [issuer, tokens] of [
      [engine.issuer, rootTokens],
      [orders.issuer, ordersTokens],
    ] as const) {
      const jwks = createRemoteJWKSet(
        new URL(issuer === engine.issuer ? `${issuer}/jwks` : `${issuer}/jwks`),
      );
      const { payload } = await jwtVerify(tokens.id_token as string, jwks, { issuer, audience: 'web' });
      expect(payload.iss).toBe(issuer);
    }
    // The other issuer's keys do not verify it, whatever the issuer check says.
    await expect(
      jwtVerify(rootTokens.id_token as string, createRemoteJWKSet(new URL(`${orders.issuer}/jwks`))),
    ).rejects.toThrow();

    // Introspection at the other issuer: inactive, for the access token and the refresh token.
    const gateway = await rp(orders.issuer, 'gateway', 'gateway-secret');
    expect((await oidc.tokenIntrospection(gateway, rootTokens.access_token)).active).toBe(false);
    expect((await oidc.tokenIntrospection(gateway, rootTokens.refresh_token as string)).active).toBe(false);
    expect((await oidc.tokenIntrospection(gateway, ordersTokens.access_token)).active).toBe(true);

    // Userinfo at the other issuer refuses the token; at its own it answers.
    const refused = await oidc
      .fetchUserInfo(ordersConfig, rootTokens.access_token, oidc.skipSubjectCheck)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect((refused as oidc.WWWAuthenticateChallengeError).cause[0]?.parameters.error).toBe('invalid_token');
    const own = await oidc.fetchUserInfo(rootConfig, rootTokens.access_token, oidc.skipSubjectCheck);
    expect(own.email).toBe('alice@example.test');

    // Refresh at the other issuer: invalid_grant; at its own: a new token.
    await expect(
      oidc.refreshTokenGrant(ordersConfig, rootTokens.refresh_token as string),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const refreshed = await oidc.refreshTokenGrant(rootConfig, rootTokens.refresh_token as string);
    expect(refreshed.access_token).toBeTruthy();

    // Token exchange with the other issuer's token as the subject: refused as RFC 8693 §2.2.2 says
    // (invalid_request for an invalid subject_token); at its own issuer: a token.
    const exchange = async (issuer: string) =>
      oidc.genericGrantRequest(
        await rp(issuer, 'exchanger', 'exchanger-secret'),
        'urn:ietf:params:oauth:grant-type:token-exchange',
        {
          subject_token: rootTokens.access_token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        },
      );
    await expect(exchange(orders.issuer)).rejects.toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('of another issuer'),
    });
    expect((await exchange(engine.issuer)).access_token).toBeTruthy();
  });

  it('keeps each issuer’s sign-in session to itself', async () => {
    const browser = new FormBrowser();
    const rootConfig = await rp(engine.issuer);
    const ordersConfig = await rp(orders.issuer);
    const authorize = (config: oidc.Configuration) =>
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).href;
    await browser.signIn(authorize(rootConfig), 'alice', 'alice-pw');
    // Signed in at the root issuer, the other one still shows its login page.
    const page = await browser.get(authorize(ordersConfig));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="interaction"');
  });

  it('scopes admin calls and tags live events with their issuer', async () => {
    const seen: EngineEvent[] = [];
    const unsubscribe = engine.subscribe((event) => seen.push(event));
    await engine.call('users.create', { username: 'only-at-orders' }, { issuer: orders.id });
    unsubscribe();
    const atOrders = (await engine.call('users.list', {}, { issuer: 'orders' })) as AdminOutput<'users.list'>;
    const atRoot = (await engine.call('users.list', {})) as AdminOutput<'users.list'>;
    expect(atOrders.map((u) => u.username)).toContain('only-at-orders');
    expect(atRoot.map((u) => u.username)).not.toContain('only-at-orders');
    expect(seen.find((e) => e.type === 'user.created')).toMatchObject({ issuer: orders.id });
    await expect(engine.call('users.list', {}, { issuer: 'nowhere' })).rejects.toThrow(
      'No issuer "nowhere". The workspace has: root, orders.',
    );
  });

  it('lists tokens and events of every issuer at once, newest first, each naming its issuer', async () => {
    const all = (await engine.call(
      'tokens.list',
      { limit: 1000 },
      { issuer: '*' },
    )) as AdminOutput<'tokens.list'>;
    const root = (await engine.call('tokens.list', { limit: 1000 })) as AdminOutput<'tokens.list'>;
    const other = (await engine.call(
      'tokens.list',
      { limit: 1000 },
      { issuer: 'orders' },
    )) as AdminOutput<'tokens.list'>;
    expect(all.total).toBe((root.total ?? 0) + (other.total ?? 0));
    expect(new Set(all.tokens.map((t) => t.issuer))).toEqual(new Set(['root', orders.id]));
    const times = all.tokens.map((t) => t.issued_at);
    expect(times).toEqual([...times].sort().reverse());
    const paged = (await engine.call(
      'tokens.list',
      { limit: 2, offset: 1 },
      { issuer: '*' },
    )) as AdminOutput<'tokens.list'>;
    expect(paged.tokens.map((t) => t.id)).toEqual(all.tokens.slice(1, 3).map((t) => t.id));

    const events = (await engine.call('events.list', { limit: 50 }, { issuer: '*' })) as EngineEvent[];
    expect(new Set(events.map((e) => e.issuer))).toEqual(new Set(['root', orders.id]));
    await expect(engine.call('events.list', { before_id: 5 }, { issuer: '*' })).rejects.toThrow(
      'events.list for every issuer takes no after_id or before_id',
    );
    await expect(engine.call('users.list', {}, { issuer: '*' })).rejects.toThrow(
      'users.list answers for one issuer; only tokens.list, tokens.count, events.list and events.count take the scope "*"',
    );
  });

  it('serves the protected resource metadata (RFC 9728) another issuer declares, on the origin', async () => {
    await engine.call(
      'settings.update',
      { protected_resources: [{ resource: 'http://127.0.0.1:7000/orders-api' }] },
      { issuer: 'orders' },
    );
    const response = await fetch(`${engine.issuer}/.well-known/oauth-protected-resource/orders-api`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      resource: 'http://127.0.0.1:7000/orders-api',
      authorization_servers: [orders.issuer],
    });
  });

  it('answers the admin HTTP API for the issuer ?issuer= names', async () => {
    const response = await fetch(`${engine.issuer}/admin/api/users.list?issuer=orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { username: string }[]).map((u) => u.username)).toContain(
      'only-at-orders',
    );
  });
});

describe('managing issuers', () => {
  it('refuses bad and taken names, and changes to the root issuer, clearly', async () => {
    await expect(engine.call('issuers.create', { name: 'Orders!' })).rejects.toThrow(/lowercase letters/);
    await expect(engine.call('issuers.create', { name: 'admin' })).rejects.toThrow(/reserved/);
    await expect(engine.call('issuers.create', { name: 'orders' })).rejects.toThrow(
      'An issuer named "orders" exists already.',
    );
    await expect(engine.call('issuers.delete', { id: 'root' })).rejects.toThrow(/root issuer cannot/);
  });

  it('renames an issuer: its URLs move, its users stay', async () => {
    const temp = (await engine.call('issuers.create', { name: 'temp' })) as IssuerSummary;
    await engine.call('users.create', { username: 'kept' }, { issuer: temp.id });
    const renamed = (await engine.call('issuers.update', { id: temp.id, name: 'billing' })) as IssuerSummary;
    expect(renamed.issuer).toBe(`${engine.issuer}/billing`);
    expect((await fetch(`${engine.issuer}/temp/.well-known/openid-configuration`)).status).toBe(404);
    const doc = (await (await fetch(renamed.discovery_url)).json()) as { issuer: string };
    expect(doc.issuer).toBe(renamed.issuer);
    const users = (await engine.call('users.list', {}, { issuer: 'billing' })) as AdminOutput<'users.list'>;
    expect(users.map((u) => u.username)).toEqual(['kept']);
    await engine.call('issuers.delete', { id: 'billing' });
  });

  it('clones users, clients and settings with new keys and no tokens', async () => {
    await engine.call('settings.update', { access_token_ttl: 777 }, { issuer: 'orders' });
    const copy = (await engine.call('issuers.clone', { id: 'orders', name: 'orders-copy' })) as IssuerSummary;
    const scope = { issuer: copy.id };
    const users = (await engine.call('users.list', {}, scope)) as AdminOutput<'users.list'>;
    expect(users.map((u) => u.username).sort()).toEqual(['alice', 'only-at-orders']);
    expect(
      ((await engine.call('settings.get', {}, scope)) as { access_token_ttl: number }).access_token_ttl,
    ).toBe(777);
    expect(((await engine.call('tokens.list', {}, scope)) as AdminOutput<'tokens.list'>).total).toBe(0);
    const keys = async (s?: { issuer: string }) =>
      ((await engine.call('keys.list', {}, s)) as AdminOutput<'keys.list'>).map((k) => k.kid);
    expect(await keys(scope)).not.toEqual(expect.arrayContaining(await keys({ issuer: 'orders' })));
    await engine.call('issuers.delete', { id: copy.id });
  });

  it('deletes an issuer with its data folder, and keeps the others across a restart', async () => {
    const gone = (await engine.call('issuers.create', { name: 'gone' })) as IssuerSummary;
    const folder = path.join(dataDir, 'issuers', gone.id);
    expect(fs.existsSync(folder)).toBe(true);
    await engine.call('issuers.delete', { id: 'gone' });
    expect(fs.existsSync(folder)).toBe(false);
    // A UI still showing the deleted issuer can list the others (issuers.* ignore the selection).
    expect(((await engine.call('issuers.list', {}, { issuer: 'gone' })) as IssuerSummary[]).length).toBe(2);
    await expect(engine.call('users.list', {}, { issuer: 'gone' })).rejects.toThrow('No issuer "gone"');
    expect((await fetch(`${engine.issuer}/gone/.well-known/openid-configuration`)).status).toBe(404);

    await engine.close();
    engine = await startTestEngine({ dataDir });
    const issuers = (await engine.call('issuers.list', {})) as IssuerSummary[];
    expect(issuers.map((i) => i.name)).toEqual(['', 'orders']);
    const users = (await engine.call('users.list', {}, { issuer: 'orders' })) as AdminOutput<'users.list'>;
    expect(users.map((u) => u.username)).toContain('only-at-orders');
    const doc = (await (await fetch(`${engine.issuer}/orders/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(doc.issuer).toBe(`${engine.issuer}/orders`);
  });
});

describe('workspace documents with several issuers', () => {
  const document: Workspace = {
    users: [{ username: 'root-user' }],
    issuers: [
      {
        name: 'acme',
        profile: 'keycloak',
        display_name: 'ACME realm',
        settings: { access_token_ttl: 600 },
        users: [{ username: 'alice', password: 'alice-pw', claims: { roles: ['admin'] } }],
        clients: [{ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] }],
      },
    ],
  };

  it('seeds the other issuers at start, exports them and imports them again unchanged', async () => {
    const seeded = await startTestEngine({ inMemory: true, seed: document });
    try {
      const issuers = (await seeded.call('issuers.list', {})) as IssuerSummary[];
      expect(issuers.map((i) => [i.name, i.profile, i.display_name, i.issuer])).toEqual([
        ['', 'generic', 'Root issuer', seeded.issuer],
        ['acme', 'keycloak', 'ACME realm', `${seeded.issuer}/realms/acme`],
      ]);
      const acmeUsers = (await seeded.call(
        'users.list',
        {},
        { issuer: 'acme' },
      )) as AdminOutput<'users.list'>;
      expect(acmeUsers.map((u) => u.username)).toEqual(['alice']);
      expect(
        ((await seeded.call('users.list', {})) as AdminOutput<'users.list'>).map((u) => u.username),
      ).toEqual(['root-user']);

      const exported = (await seeded.call('workspace.export', {})) as Workspace;
      expect(exported.issuers?.map((s) => [s.name, s.profile, s.display_name])).toEqual([
        ['acme', 'keycloak', 'ACME realm'],
      ]);
      expect(exported.issuers?.[0]?.settings?.access_token_ttl).toBe(600);

      const copy = await startTestEngine({ inMemory: true });
      try {
        await copy.call('workspace.import', exported);
        const again = (await copy.call('workspace.export', {})) as Workspace;
        expect(again.issuers).toEqual(exported.issuers);
        expect(again.users).toEqual(exported.users);
      } finally {
        await copy.cleanup();
      }
    } finally {
      await seeded.cleanup();
    }
  });

  it('refuses a document with issuers at an issuer other than the root one', async () => {
    await expect(engine.call('workspace.import', document, { issuer: 'orders' })).rejects.toThrow(
      'a document with other issuers is imported at the root issuer',
    );
  });

  it('checks every issuer section before writing anything, the root issuer’s part included', async () => {
    const bad: Workspace = {
      users: [{ username: 'should-not-land' }],
      issuers: [
        {
          name: 'orders',
          keys: [
            {
              kid: 'broken',
              alg: 'RS256',
              status: 'current',
              created_at: '2026-01-01T00:00:00Z',
              private_jwk: { kty: 'RSA' },
            },
          ],
        },
      ],
    };
    await expect(engine.call('workspace.import', bad)).rejects.toThrow(/^issuers\[0\]: keys\[0\]/);
    await expect(engine.call('workspace.applySeed', bad)).rejects.toThrow(/^issuers\[0\]: keys\[0\]/);
    const users = (await engine.call('users.list', {})) as AdminOutput<'users.list'>;
    expect(users.map((u) => u.username)).not.toContain('should-not-land');
  });

  it('refuses the same issuer twice in one document, naming where', async () => {
    await expect(
      engine.call('workspace.import', { issuers: [{ name: 'twice' }, { name: 'twice' }] }),
    ).rejects.toThrow('issuers[1].name: issuer "twice" is listed twice');
  });
});
