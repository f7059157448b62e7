/**
 * Keycloak's own JavaScript adapter, keycloak-js, unmodified in Chromium, against a Keycloak-profile
 * issuer of the built CLI (a realm, from the seed's `issuers` section): an SPA on its own origin
 * configured as Keycloak's guide says (`new Keycloak({ url, realm, clientId })`, so the adapter builds
 * every URL itself from /realms/<realm>/protocol/openid-connect and reads no discovery), signing in
 * through the sandbox's login page with init({ onLoad: 'login-required', pkceMethod: 'S256' }), then
 * reading realm and client roles the Keycloak way, refreshing, loading userinfo and signing out.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleRecipe } from './apps/spa/bundle';
import { type SpaServer, startSpaServer } from './apps/spa/server';
import { expectLoginPage, type InteropBrowser, openBrowser, signInWithPassword } from './browser';
import { type InteropProvider, startProvider } from './provider';

const APP_DIR = path.join(import.meta.dirname, 'apps', 'keycloak-js');
const REALM = 'shop';
const CLIENT_ID = 'orders-spa';
/** The same app registered with the refresh_token grant: keycloak-js then gets a refresh token too. */
const REFRESH_CLIENT_ID = 'orders-spa-refresh';

/** A realm user: `roles` become realm roles, `client_roles` the client's roles (the profile's mapping). */
const ALICE = {
  username: 'alice',
  password: 'alice-pw',
  claims: {
    email: 'alice@example.test',
    roles: ['admin', 'editor'],
    client_roles: { [CLIENT_ID]: ['orders-viewer'], [REFRESH_CLIENT_ID]: ['orders-viewer'] },
  },
};

/** What the SPA shows after each step: what keycloak-js concluded. */
interface Shown {
  authenticated: boolean;
  subject: string;
  token: string;
  refreshToken: string;
  tokenParsed: Record<string, unknown>;
  idTokenParsed: Record<string, unknown>;
  realmRoles: string[] | null;
  hasRealmRole: { admin: boolean; owner: boolean };
  hasResourceRole: { ordersViewer: boolean; ordersAdmin: boolean };
  refreshed?: boolean;
  userInfo?: Record<string, unknown>;
}

interface Exchange {
  method: string;
  path: string;
  status: number;
  allowOrigin: string | undefined;
}

let spa: SpaServer;
let refreshSpa: SpaServer;
let provider: InteropProvider;
let realmIssuer: string;
let browser: InteropBrowser;
let page: Page;
let consoleErrors: string[];
const exchanges: Exchange[] = [];

/** The SPA as Vite builds it for production, with this checkout's keycloak-js. */
async function startKeycloakSpa(): Promise<SpaServer> {
  const app = fs.readFileSync(path.join(APP_DIR, 'app.js'), 'utf8');
  return startSpaServer(fs.readFileSync(path.join(APP_DIR, 'index.html'), 'utf8'), {
    'app.js': await bundleRecipe([{ name: 'app.js', language: 'javascript', content: app }], 'app.js'),
  });
}

/** A public client, as Keycloak's guide registers one for an SPA (Client authentication off). */
function spaClient(clientId: string, origin: string, grantTypes: string[]) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'none',
    redirect_uris: [`${origin}/`],
    post_logout_redirect_uris: [`${origin}/signed-out`],
    grant_types: grantTypes,
    scope: 'openid profile email',
  };
}

beforeAll(async () => {
  [spa, refreshSpa] = await Promise.all([startKeycloakSpa(), startKeycloakSpa()]);
  provider = await startProvider({
    seed: {
      issuers: [
        {
          name: REALM,
          profile: 'keycloak',
          users: [ALICE],
          clients: [
            spaClient(CLIENT_ID, spa.origin, ['authorization_code']),
            spaClient(REFRESH_CLIENT_ID, refreshSpa.origin, ['authorization_code', 'refresh_token']),
          ],
        },
      ],
    },
  });
  realmIssuer = `${provider.issuer}/realms/${REALM}`;
  // What Keycloak's guide has the app read: the server URL, the realm and the client.
  const config = (clientId: string) => JSON.stringify({ url: provider.issuer, realm: REALM, clientId });
  spa.serveFile('config.json', config(CLIENT_ID));
  refreshSpa.serveFile('config.json', config(REFRESH_CLIENT_ID));

  browser = await openBrowser();
  ({ page, consoleErrors } = browser);
  page.on('response', (response) => recordExchange(response));
});

afterAll(async () => {
  await browser?.close();
  await provider?.close();
  await spa?.close();
  await refreshSpa?.close();
});

function recordExchange(response: Response): void {
  const url = new URL(response.url());
  if (url.origin !== provider.issuer) return;
  exchanges.push({
    method: response.request().method(),
    path: url.pathname,
    status: response.status(),
    allowOrigin: response.headers()['access-control-allow-origin'],
  });
}

/** Waits for the SPA to reach `state` (or fail) and returns what it shows. */
async function shown(state: string): Promise<Shown> {
  await page.locator(`body[data-state="${state}"], body[data-state="error"]`).waitFor();
  const error = await page.locator('#error').textContent();
  expect(error, `the SPA reported an error; the console said:\n${consoleErrors.join('\n')}`).toBe('');
  return JSON.parse((await page.locator('#session').textContent()) ?? '') as Shown;
}

const OIDC = `/realms/${REALM}/protocol/openid-connect`;

/** Opens an SPA and signs in on the realm's login page; returns what keycloak-js concluded. */
async function signIn(origin: string): Promise<Shown> {
  await page.goto(`${origin}/`);
  await expectLoginPage(page, realmIssuer);
  await signInWithPassword(page, ALICE.username, ALICE.password);
  const session = await shown('signed-in');
  expect(new URL(page.url()).origin).toBe(origin);
  return session;
}

describe('keycloak-js in Chromium against a Keycloak-profile realm', () => {
  it('sends an anonymous visit to the realm’s login page, signs in with code + S256 PKCE, reads the roles', async () => {
    const loginPage = page.waitForURL((url) => url.pathname === `${OIDC}/auth`);
    const signingIn = signIn(spa.origin);
    await loginPage;
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    const session = await signingIn;

    expect(session.authenticated).toBe(true);
    expect(session.tokenParsed).toMatchObject({
      iss: realmIssuer,
      azp: CLIENT_ID,
      typ: 'Bearer',
      preferred_username: 'alice',
      realm_access: { roles: ['admin', 'editor'] },
      resource_access: { [CLIENT_ID]: { roles: ['orders-viewer'] } },
    });
    expect(session.idTokenParsed).toMatchObject({ iss: realmIssuer, aud: CLIENT_ID, typ: 'ID' });
    expect(session.subject).toBe(session.idTokenParsed.sub);
    // The adapter's own role checks, as an app guards its views with them.
    expect(session.realmRoles).toEqual(['admin', 'editor']);
    expect(session.hasRealmRole).toEqual({ admin: true, owner: false });
    expect(session.hasResourceRole).toEqual({ ordersViewer: true, ordersAdmin: false });
    // The code went to the realm's token endpoint from the SPA's origin, and CORS let it read the answer.
    expect(exchanges).toContainEqual({
      method: 'POST',
      path: `${OIDC}/token`,
      status: 200,
      allowOrigin: spa.origin,
    });
    expect(consoleErrors).toEqual([]);
  });

  it('loads userinfo from the realm’s userinfo endpoint', async () => {
    await page.getByRole('button', { name: 'Load user info' }).click();
    const session = await shown('userinfo');
    // keycloak-js asks for scope=openid alone; preferred_username is the Keycloak profile's own claim.
    expect(session.userInfo).toMatchObject({ sub: session.subject, preferred_username: 'alice' });
    expect(exchanges).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: `${OIDC}/userinfo`,
        status: 200,
        allowOrigin: spa.origin,
      }),
    );
    expect(consoleErrors).toEqual([]);
  });

  it('signs out through the realm’s logout endpoint, and the next visit asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${spa.origin}/signed-out`);
    expect(exchanges).toContainEqual(expect.objectContaining({ path: `${OIDC}/logout` }));
    await page.goto(`${spa.origin}/`);
    await expectLoginPage(page, realmIssuer);
    expect(consoleErrors).toEqual([]);
  });

  it('refreshes with updateToken when the client has the refresh_token grant', async () => {
    const before = await signIn(refreshSpa.origin);
    // keycloak-js decodes the refresh token as a JWT (refreshTokenParsed), as Keycloak issues it.
    expect(before.refreshToken.split('.')).toHaveLength(3);
    await page.getByRole('button', { name: 'Refresh token' }).click();
    const after = await shown('refreshed-1');
    expect(after.refreshed).toBe(true);
    expect(after.token).not.toBe(before.token);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.tokenParsed).toMatchObject({
      azp: REFRESH_CLIENT_ID,
      realm_access: { roles: ['admin', 'editor'] },
      resource_access: { [REFRESH_CLIENT_ID]: { roles: ['orders-viewer'] } },
    });
    expect(exchanges).toContainEqual({
      method: 'POST',
      path: `${OIDC}/token`,
      status: 200,
      allowOrigin: refreshSpa.origin,
    });
    expect(consoleErrors).toEqual([]);
  });
});
