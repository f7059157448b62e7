/**
 * The Keycloak profile against Keycloak's own Node adapter, keycloak-connect, unmodified: configured
 * with what a keycloak.json holds (server URL, realm, client, secret), so the adapter builds every URL
 * itself from /realms/<realm>/protocol/openid-connect. Its grant manager signs in (password grant) and
 * gets client tokens, and checks each token the Keycloak way: signed by a key of the realm's certs,
 * `iss` the realm URL, `typ` Bearer or ID, and an ID token's `azp` the client. A bearer-only Express API
 * guards its routes with `keycloak.protect('realm:<role>')` and client roles.
 */
import express from 'express';
import Keycloak from 'keycloak-connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { listenOnLoopback, startProfileIssuers } from '../helpers/profile-issuers';

/** The realm's users: `roles` are realm roles, `client_roles` the roles of one client (orders-api). */
const SEED: Workspace = {
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      claims: { roles: ['admin', 'editor'], client_roles: { 'orders-api': ['orders-viewer'] } },
    },
    { username: 'bob', password: 'bob-pw', claims: { roles: ['editor'] } },
  ],
  clients: [
    {
      client_id: 'orders-app',
      client_secret: 'orders-app-secret',
      grant_types: ['password', 'client_credentials', 'refresh_token'],
      scope: 'openid profile email orders.read',
    },
  ],
};

let engine: Awaited<ReturnType<typeof startProfileIssuers>>['engine'];
let realm: IssuerSummary;
let api: Awaited<ReturnType<typeof listenOnLoopback>>;

/** What a client's keycloak.json (Keycloak's admin console → Client → Action → Download adapter config) holds. */
function adapterConfig(realmName: string, resource: string, extra: Record<string, unknown> = {}) {
  return {
    realm: realmName,
    'auth-server-url': engine.issuer,
    'ssl-required': 'none',
    resource,
    'confidential-port': 0,
    ...extra,
  } as unknown as Keycloak.KeycloakConfig;
}

/** The app's adapter: a confidential client of the realm. */
function appAdapter(realmName = 'shop'): Keycloak.Keycloak {
  return new Keycloak(
    {},
    adapterConfig(realmName, 'orders-app', { credentials: { secret: 'orders-app-secret' } }),
  );
}

beforeAll(async () => {
  let issuers: IssuerSummary[];
  ({ engine, issuers } = await startProfileIssuers('keycloak', ['shop', 'partners'], SEED));
  realm = issuers[0] as IssuerSummary;

  // The API of keycloak-connect's guide: bearer-only, its routes guarded by roles.
  const keycloak = new Keycloak({}, adapterConfig('shop', 'orders-api', { 'bearer-only': true }));
  const app = express();
  app.use(keycloak.middleware());
  const subject = (request: express.Request) =>
    (request as unknown as { kauth: { grant: Keycloak.Grant } }).kauth.grant.access_token;
  app.get('/orders', keycloak.protect(), (request, response) => {
    response.json({
      user: (subject(request) as unknown as { content: { preferred_username: string } }).content,
    });
  });
  app.get('/admin', keycloak.protect('realm:admin'), (_request, response) => {
    response.json({ ok: 'admin' });
  });
  // A role of the API's own client (resource_access['orders-api'].roles).
  app.get('/reports', keycloak.protect('orders-viewer'), (_request, response) => {
    response.json({ ok: 'orders-viewer' });
  });
  api = await listenOnLoopback(app);
});
afterAll(async () => {
  await api?.close();
  await engine?.cleanup();
});

async function callApi(path: string, token: string): Promise<number> {
  const response = await fetch(`${api.origin}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

describe('keycloak-connect against a Keycloak-profile realm', () => {
  it('signs in with the grant manager and accepts both tokens (Bearer and ID types, realm iss, azp)', async () => {
    const grant = await appAdapter().grantManager.obtainDirectly('alice', 'alice-pw');
    const access = grant.access_token as unknown as Keycloak.Token & { content: Record<string, unknown> };
    const id = grant.id_token as unknown as { content: Record<string, unknown> };
    expect(access.content).toMatchObject({ iss: realm.issuer, typ: 'Bearer', azp: 'orders-app' });
    expect(id.content).toMatchObject({ iss: realm.issuer, typ: 'ID', aud: 'orders-app', azp: 'orders-app' });
    // The adapter's role checks read realm_access and resource_access.
    expect(access.hasRealmRole('admin')).toBe(true);
    expect(access.hasRealmRole('owner')).toBe(false);
    expect(access.hasApplicationRole('orders-api', 'orders-viewer')).toBe(true);
    expect(access.hasRole('realm:editor')).toBe(true);
  });

  it('gets and accepts a client token (client_credentials)', async () => {
    // The adapter asks for scope=openid unless told otherwise; a machine token here has no OpenID scopes.
    const grant = await appAdapter().grantManager.obtainFromClientCredentials(undefined, 'orders.read');
    const access = grant.access_token as unknown as { content: Record<string, unknown> };
    expect(access.content).toMatchObject({
      iss: realm.issuer,
      typ: 'Bearer',
      azp: 'orders-app',
      scope: 'orders.read',
    });
  });

  it('refuses a token of another realm, in the grant manager and at the API', async () => {
    const foreign = await appAdapter('partners').grantManager.obtainDirectly('alice', 'alice-pw');
    const token = (foreign.access_token as unknown as { token: string }).token;
    await expect(
      appAdapter().grantManager.createGrant(JSON.stringify({ access_token: token })),
    ).rejects.toThrow('Grant validation failed. Reason: invalid token (wrong ISS)');
    expect(await callApi('/orders', token)).toBe(403);
  });

  it('guards a bearer-only API by realm and client roles', async () => {
    const token = async (username: string) => {
      const grant = await appAdapter().grantManager.obtainDirectly(username, `${username}-pw`);
      return (grant.access_token as unknown as { token: string }).token;
    };
    const [alice, bob] = await Promise.all([token('alice'), token('bob')]);
    expect(await callApi('/orders', alice)).toBe(200);
    expect(await callApi('/admin', alice)).toBe(200);
    expect(await callApi('/reports', alice)).toBe(200);
    expect(await callApi('/orders', bob)).toBe(200);
    expect(await callApi('/admin', bob)).toBe(403);
    expect(await callApi('/reports', bob)).toBe(403);
  });
});
