/**
 * Single-page apps on their own origins sign users in with oidc-client-ts in Chromium: public clients,
 * code flow with PKCE through the provider's real login page. A plain app drives UserManager and shows
 * what the library concluded (profile, userinfo, refresh from the browser, which proves CORS from a
 * real origin, sign-out through end_session); its settings are the recipe's JSON file as rendered. The
 * recipe's own react-oidc-context app (main.tsx) is bundled and run as it is, on another origin. A
 * third origin's client has no refresh token, so oidc-client-ts renews in a hidden iframe (prompt=none).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OIDC_CLIENT_TS_SETTINGS_FILE,
  type OidcClientTsSettings,
  oidcClientTsRecipe,
} from '../../shared/recipes/oidc-client-ts';
import type { RecipeClient } from '../../shared/recipes/types';
import { bundleRecipe } from './apps/spa/bundle';
import { type SpaServer, startPlainSpa, startReactSpa } from './apps/spa/server';
import {
  ADA,
  expectLoginPage,
  GRACE,
  type InteropBrowser,
  openBrowser,
  signInWithButton,
  signInWithPassword,
  watchConsoleErrors,
} from './browser';
import { type InteropProvider, startProvider } from './provider';

interface ShownUser {
  profile: Record<string, unknown>;
  access_token: string;
  refresh_token?: string;
}

interface ProviderExchange {
  method: string;
  path: string;
  status: number;
  allowOrigin: string | undefined;
  body: string | null;
}

let spa: SpaServer;
let reactSpa: SpaServer;
let silentSpa: SpaServer;
let provider: InteropProvider;
let browser: InteropBrowser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];
const exchanges: ProviderExchange[] = [];

/** A public client of an SPA, as its developer would register it. */
function spaClient(clientId: string, origin: string, postLogoutPath: string) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'none',
    redirect_uris: [`${origin}/callback`],
    post_logout_redirect_uris: [`${origin}${postLogoutPath}`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access',
  };
}

async function renderRecipe(clientId: string) {
  const client = await provider.admin<RecipeClient>('clients.get', { client_id: clientId });
  return oidcClientTsRecipe.render({ issuer: provider.issuer, client });
}

const SILENT_CALLBACK_PATH = '/silent-callback';

/**
 * A public client without the refresh_token grant (so no offline_access and no refresh token): it
 * renews through /authorize?prompt=none in a hidden iframe that ends at its silent redirect URI.
 */
function silentRenewClient(clientId: string, origin: string) {
  return {
    ...spaClient(clientId, origin, '/signed-out'),
    redirect_uris: [`${origin}/callback`, `${origin}${SILENT_CALLBACK_PATH}`],
    grant_types: ['authorization_code'],
    scope: 'openid profile email',
  };
}

async function renderSettingsFile(clientId: string): Promise<string> {
  const settings = (await renderRecipe(clientId)).find((file) => file.name === OIDC_CLIENT_TS_SETTINGS_FILE);
  if (!settings) throw new Error(`the oidc-client-ts recipe renders no ${OIDC_CLIENT_TS_SETTINGS_FILE}`);
  return settings.content;
}

beforeAll(async () => {
  [spa, reactSpa, silentSpa] = await Promise.all([startPlainSpa(), startReactSpa(), startPlainSpa()]);
  provider = await startProvider({
    seed: {
      users: [ADA, GRACE],
      clients: [
        spaClient('spa', spa.origin, '/signed-out'),
        spaClient('spa-react', reactSpa.origin, '/'),
        silentRenewClient('spa-silent', silentSpa.origin),
      ],
    },
  });
  spa.serveFile(OIDC_CLIENT_TS_SETTINGS_FILE, await renderSettingsFile('spa'));
  // What the recipe's note asks for when the client gets no refresh token.
  silentSpa.serveFile(
    OIDC_CLIENT_TS_SETTINGS_FILE,
    JSON.stringify({
      ...(JSON.parse(await renderSettingsFile('spa-silent')) as OidcClientTsSettings),
      silent_redirect_uri: `${silentSpa.origin}${SILENT_CALLBACK_PATH}`,
    }),
  );
  reactSpa.serveFile('main.js', await bundleRecipe(await renderRecipe('spa-react'), 'main.tsx'));

  browser = await openBrowser();
  ({ context, page, consoleErrors } = browser);
  page.on('response', (response) => recordExchange(response));
});

afterAll(async () => {
  await browser?.close();
  await provider?.close();
  await spa?.close();
  await reactSpa?.close();
  await silentSpa?.close();
});

function recordExchange(response: Response): void {
  const url = new URL(response.url());
  if (url.origin !== provider.issuer) return;
  exchanges.push({
    method: response.request().method(),
    path: url.pathname,
    status: response.status(),
    allowOrigin: response.headers()['access-control-allow-origin'],
    body: response.request().postData(),
  });
}

/** Waits for the SPA to reach `state` (or fail) without DOM code here: the test side has no DOM types. */
function reached(state: string, on = page): Promise<void> {
  return on.locator(`body[data-state="${state}"], body[data-state="error"]`).waitFor();
}

async function shownUser(state: string, on = page): Promise<ShownUser> {
  await reached(state, on);
  const error = await on.locator('#error').textContent();
  expect(error, 'the SPA reported an error').toBe('');
  return JSON.parse((await on.locator('#user').textContent()) ?? '') as ShownUser;
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === spa.origin && url.pathname === '/signed-out');
  await reached('signed-out');
}

describe('an SPA on its own origin with oidc-client-ts, in Chromium', () => {
  it('signs in with the one-click button, and oidc-client-ts sees the profile with custom claims', async () => {
    await page.goto(spa.origin);
    await reached('anonymous');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectLoginPage(page, provider.issuer);
    await signInWithButton(page, ADA.username);

    const user = await shownUser('signed-in');
    expect(new URL(page.url()).origin).toBe(spa.origin);
    expect(user.profile).toMatchObject({ sub: ADA.sub, name: ADA.claims.name, roles: ADA.claims.roles });
    expect(user.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(user.refresh_token).toBeTruthy();
    // loadUserInfo: the library called userinfo from the SPA's origin, and CORS let it read the answer.
    expect(exchanges).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/userinfo', status: 200, allowOrigin: spa.origin }),
    );
    expect(consoleErrors).toEqual([]);
  });

  it('refreshes from the browser with the refresh token and gets a new access token', async () => {
    const before = JSON.parse((await page.locator('#user').textContent()) ?? '') as ShownUser;
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    const after = await shownUser('refreshed-1');

    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.profile).toMatchObject({ sub: ADA.sub, roles: ADA.claims.roles });
    const refresh = exchanges.find(
      (exchange) => exchange.path === '/token' && exchange.body?.includes('grant_type=refresh_token'),
    );
    expect(refresh).toMatchObject({ method: 'POST', status: 200, allowOrigin: spa.origin });
    expect(consoleErrors).toEqual([]);
  });

  it('signs out through end_session back to the SPA, and the next sign-in asks again', async () => {
    await signOut();
    expect(exchanges).toContainEqual(expect.objectContaining({ path: '/logout', status: 303 }));
    expect(await page.locator('#user').textContent()).toBe('');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectLoginPage(page, provider.issuer);
    expect(consoleErrors).toEqual([]);
  });

  it('signs in with the username/password form', async () => {
    // Still on the login page the previous test reached after sign-out.
    await expectLoginPage(page, provider.issuer);
    await signInWithPassword(page, GRACE.username, GRACE.password);

    const user = await shownUser('signed-in');
    expect(new URL(page.url()).origin).toBe(spa.origin);
    expect(user.profile).toMatchObject({
      sub: GRACE.sub,
      roles: GRACE.claims.roles,
      department: GRACE.claims.department,
    });
    await signOut();
    expect(consoleErrors).toEqual([]);
  });

  it("runs the recipe's react-oidc-context app as it is: sign-in and sign-out", async () => {
    const reactPage = await context.newPage();
    const reactPageErrors = watchConsoleErrors(reactPage);
    try {
      await reactPage.goto(reactSpa.origin);
      await reactPage.getByRole('button', { name: 'Sign in' }).click();
      await expectLoginPage(reactPage, provider.issuer);
      await signInWithButton(reactPage, ADA.username);

      await reactPage.getByText(`Signed in as ${ADA.sub}`).waitFor();
      expect(reactPage.url()).toBe(`${reactSpa.origin}/`);
      await reactPage.getByRole('button', { name: 'Sign out' }).click();
      await reactPage.waitForURL((url) => url.origin === reactSpa.origin && url.pathname === '/');
      await reactPage.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(reactPageErrors).toEqual([]);
    } finally {
      await reactPage.close();
    }
  });

  it("keeps the login page's CSP refusing a form that posts to any other origin", async () => {
    const elsewhere = await startRequestRecorder();
    const loginPage = await context.newPage();
    const loginPageErrors = watchConsoleErrors(loginPage);
    try {
      await loginPage.goto(spa.origin);
      await loginPage.getByRole('button', { name: 'Sign in' }).click();
      await expectLoginPage(loginPage, provider.issuer);

      // Chromium reports the refusal on the console. It dispatched no securitypolicyviolation event to
      // this page (reached through the SPA's redirect; it does to a login page opened directly), so the
      // console is where the browser's verdict is read.
      const refusal = loginPage.waitForEvent('console', {
        predicate: (message) => message.text().includes('Content Security Policy'),
      });
      await loginPage.evaluate(`{
        const form = document.createElement('form');
        form.method = 'post';
        form.action = ${JSON.stringify(`${elsewhere.origin}/steal`)};
        document.body.append(form);
        form.submit();
      }`);

      expect((await refusal).text().trim()).toBe(
        `Sending form data to '${elsewhere.origin}/steal' violates the following Content Security Policy ` +
          `directive: "form-action 'self' ${spa.origin}". The request has been blocked.`,
      );
      expect(loginPage.url().startsWith(`${provider.issuer}/authorize?`)).toBe(true);
      // The one console error on this page is that refusal, which is what this test wants to see.
      expect(loginPageErrors).toHaveLength(1);
      // A refused form makes no request at all; the wait gives a wrongly allowed one time to arrive.
      await loginPage.waitForTimeout(250);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await loginPage.close();
      await elsewhere.close();
    }
  });

  it('renews silently in a hidden iframe (prompt=none) when the client has no refresh token', async () => {
    const silentPage = await context.newPage();
    // Every frame's console: the SPA's page, the provider's resume page and the silent callback.
    const silentPageErrors = watchConsoleErrors(silentPage);
    const tokenRequests: string[] = [];
    silentPage.on('request', (request) => {
      if (request.url() === `${provider.issuer}/token`) tokenRequests.push(request.postData() ?? '');
    });
    try {
      await silentPage.goto(silentSpa.origin);
      await reached('anonymous', silentPage);
      await silentPage.getByRole('button', { name: 'Sign in' }).click();
      await expectLoginPage(silentPage, provider.issuer);
      await signInWithButton(silentPage, ADA.username);
      const signedIn = await shownUser('signed-in', silentPage);
      expect(signedIn.refresh_token).toBeUndefined();

      // No refresh token, so signinSilent frames /authorize?prompt=none on this page.
      const framedAuthorize = silentPage.waitForResponse(
        (response) =>
          response.url().startsWith(`${provider.issuer}/authorize?`) &&
          response.frame() !== silentPage.mainFrame(),
      );
      await silentPage.getByRole('button', { name: 'Refresh tokens' }).click();
      const renewed = await shownUser('refreshed-1', silentPage);

      const resume = await framedAuthorize;
      expect(new URL(resume.url()).searchParams.get('prompt')).toBe('none');
      expect(resume.status()).toBe(200);
      expect(resume.headers()['content-security-policy']).toContain(`frame-ancestors ${silentSpa.origin};`);
      expect(resume.headers()['x-frame-options']).toBeUndefined();
      expect(renewed.access_token).not.toBe(signedIn.access_token);
      expect(renewed.profile).toMatchObject({ sub: ADA.sub, roles: ADA.claims.roles });
      // The session was reused with a new code: two code exchanges, two grants, no refresh token.
      expect(tokenRequests.filter((body) => body.includes('grant_type=authorization_code'))).toHaveLength(2);
      const issued = await provider.admin<{ tokens: Array<{ kind: string; grant_id: string | null }> }>(
        'tokens.list',
        { client_id: 'spa-silent' },
      );
      const accessTokens = issued.tokens.filter((token) => token.kind === 'access');
      expect(accessTokens).toHaveLength(2);
      expect(new Set(accessTokens.map((token) => token.grant_id)).size).toBe(2);
      expect(issued.tokens.filter((token) => token.kind === 'refresh')).toEqual([]);
      expect(silentPageErrors).toEqual([]);
    } finally {
      await silentPage.close();
    }
  });

  it('keeps the login page unframeable, also for the origin of its redirect_uri', async () => {
    const framingPage = await context.newPage();
    const framingPageErrors = watchConsoleErrors(framingPage);
    try {
      await framingPage.goto(spa.origin);
      await reached('anonymous', framingPage);
      // prompt=login: the login page even though this browser has a session from the previous test.
      const authorize = new URL(`${provider.issuer}/authorize`);
      authorize.search = new URLSearchParams({
        client_id: 'spa',
        redirect_uri: `${spa.origin}/callback`,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        prompt: 'login',
      }).toString();
      const refusal = framingPage.waitForEvent('console', {
        predicate: (message) => message.text().includes('frame-ancestors'),
      });
      const loginPageAnswer = framingPage.waitForResponse((response) => response.url() === authorize.href);
      await framingPage.evaluate(`{
        const frame = document.createElement('iframe');
        frame.src = ${JSON.stringify(authorize.href)};
        document.body.append(frame);
      }`);

      expect((await loginPageAnswer).headers()['content-security-policy']).toContain(
        "frame-ancestors 'none'",
      );
      expect((await refusal).text().trim()).toBe(
        `Framing '${provider.issuer}/' violates the following Content Security Policy directive: ` +
          `"frame-ancestors 'none'". The request has been blocked.`,
      );
      // The refusal is the one console error on this page, and nothing of the login page rendered.
      expect(framingPageErrors).toHaveLength(1);
      const frame = framingPage.frames().find((candidate) => candidate !== framingPage.mainFrame());
      expect(await frame?.locator('form[data-sign-in]').count()).toBe(0);
    } finally {
      await framingPage.close();
    }
  });
});

/** A third origin that only counts what reaches it. */
async function startRequestRecorder(): Promise<{
  origin: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.end('received');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close() {
      // Chromium may have opened a connection ahead of the (refused) request; don't wait on it.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
