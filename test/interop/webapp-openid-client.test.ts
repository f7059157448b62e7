/**
 * A server-side web app on its own origin signs users in with openid-client v6, driven by Chromium
 * through the provider's real login page. The app is the openid-client recipe's server.mjs, rendered
 * for this client and run with node as a user would run it: a confidential client
 * (client_secret_basic), PKCE, state and nonce in the app's session, userinfo, RP-initiated logout.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENID_CLIENT_APP_FILE, openidClientRecipe } from '../../shared/recipes/openid-client';
import type { RecipeClient } from '../../shared/recipes/types';
import { freePort, type RunningApp, runNodeRecipe } from './apps/webapp/run';
import {
  ADA,
  expectLoginPage,
  GRACE,
  type InteropBrowser,
  openBrowser,
  signInWithButton,
  signInWithPassword,
} from './browser';
import { type InteropProvider, startProvider } from './provider';

interface SignedInUser {
  claims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
}

let appOrigin: string;
let provider: InteropProvider;
let app: RunningApp;
let browser: InteropBrowser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  // The recipe's app listens on its redirect URI's port, so that port is chosen before registering it.
  appOrigin = `http://127.0.0.1:${await freePort()}`;
  provider = await startProvider({
    seed: {
      users: [ADA, GRACE],
      clients: [
        {
          client_id: 'webapp',
          client_name: 'Web app',
          client_secret: 'webapp-secret',
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [`${appOrigin}/callback`],
          post_logout_redirect_uris: [`${appOrigin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email offline_access',
        },
      ],
    },
  });
  const client = await provider.admin<RecipeClient>('clients.get', { client_id: 'webapp' });
  const program = openidClientRecipe
    .render({ issuer: provider.issuer, client })
    .find((file) => file.name === OPENID_CLIENT_APP_FILE);
  if (!program) throw new Error(`the openid-client recipe renders no ${OPENID_CLIENT_APP_FILE}`);
  app = await runNodeRecipe(program, /Web app listening on /);

  browser = await openBrowser();
  ({ context, page, consoleErrors } = browser);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await provider?.close();
});

/** What the app's /me answers in this browser's session (its cookie), without a page of its own. */
async function me(): Promise<{ status: number; user: SignedInUser | null }> {
  const response = await context.request.get(`${appOrigin}/me`);
  return {
    status: response.status(),
    user: response.ok() ? ((await response.json()) as SignedInUser) : null,
  };
}

/**
 * Console errors on either origin, but for the app's own favicon.ico: Chromium asks every origin for
 * one, and the recipe's app, which is the user's app, has no icon to serve (the provider has one).
 */
function unexpectedConsoleErrors(): string[] {
  return consoleErrors.filter((error) => !error.startsWith(`${appOrigin}/favicon.ico: `));
}

async function shownUser(): Promise<SignedInUser> {
  await page.waitForURL(`${appOrigin}/me`);
  return JSON.parse((await page.locator('body').textContent()) ?? '') as SignedInUser;
}

describe('a web app on its own origin with openid-client, in Chromium', () => {
  it('signs in with the one-click button and shows the user and custom claims from the ID token and userinfo', async () => {
    await page.goto(`${appOrigin}/login`);
    await expectLoginPage(page, provider.issuer);
    await signInWithButton(page, ADA.username);

    const user = await shownUser();
    expect(user.claims).toMatchObject({
      iss: provider.issuer,
      aud: 'webapp',
      sub: ADA.sub,
      roles: ADA.claims.roles,
    });
    expect(user.userinfo).toMatchObject({ sub: ADA.sub, email: ADA.claims.email, roles: ADA.claims.roles });
    expect(unexpectedConsoleErrors()).toEqual([]);
  });

  it('logs out through end_session back to the app, and the next sign-in shows the login page', async () => {
    await page.goto(`${appOrigin}/logout`);
    await page.waitForURL(`${appOrigin}/`);
    expect(await me()).toEqual({ status: 401, user: null });

    await page.goto(`${appOrigin}/login`);
    await expectLoginPage(page, provider.issuer);
    expect(unexpectedConsoleErrors()).toEqual([]);
  });

  it('signs in with the username/password form', async () => {
    // Still on the login page the previous test reached after logging out.
    await expectLoginPage(page, provider.issuer);
    await signInWithPassword(page, GRACE.username, GRACE.password);

    const user = await shownUser();
    expect(user.claims).toMatchObject({
      sub: GRACE.sub,
      amr: ['pwd'],
      roles: GRACE.claims.roles,
      department: GRACE.claims.department,
    });
    expect(user.userinfo).toMatchObject({ sub: GRACE.sub, department: GRACE.claims.department });
    expect((await me()).user?.claims.sub).toBe(GRACE.sub);
    expect(unexpectedConsoleErrors()).toEqual([]);
  });
});
