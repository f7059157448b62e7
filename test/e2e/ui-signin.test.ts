/**
 * The whole story from the issue, through the UI: a user signs in through a client in the browser,
 * their tokens appear live on the Tokens page, QA revokes the family there, and introspection turns
 * inactive for the service.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, confirmDialog, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('tokens');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

const client = { client_id: 'shop-web', client_secret: 'shop-web-secret' };
const basic = () => `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

async function post(path: string, form: Record<string, string>) {
  const response = await fetch(`${ui.engine.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A new tab at /authorize for the Shop client (PKCE), its callback answered locally. */
async function authorizeTab(redirectUri: string, params: Record<string, string>) {
  const browserTab = await ui.context.newPage();
  await browserTab.route('**/e2e-callback**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<p>callback</p>' }),
  );
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${ui.engine.issuer}/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }).toString();
  await browserTab.goto(authorize.toString());
  return { browserTab, verifier };
}

describe('sign-in to revocation, watched in the UI', () => {
  it('shows the tokens of a browser sign-in live and revokes their family', async () => {
    const redirectUri = `${ui.engine.issuer}/e2e-callback`;
    await admin(ui.engine, 'users.create', {
      username: 'erin',
      claims: { name: 'Erin Example', email: 'erin@example.com', roles: ['buyer'] },
    });
    await admin(ui.engine, 'clients.create', {
      ...client,
      client_name: 'Shop',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
    });

    // A second tab plays the relying party's browser; the Tokens page stays open in the first.
    const { browserTab, verifier } = await authorizeTab(redirectUri, {
      scope: 'openid profile email offline_access',
      state: 'st-1',
      nonce: 'n-1',
    });
    await browserTab.getByRole('button', { name: /Sign in as erin/ }).click();
    await browserTab.waitForURL(/e2e-callback/);
    const callback = new URL(browserTab.url());
    expect(callback.searchParams.get('state')).toBe('st-1');
    const code = callback.searchParams.get('code') as string;
    await browserTab.close();

    const tokens = await post('/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const accessToken = tokens.body.access_token as string;
    const refreshToken = tokens.body.refresh_token as string;

    // Access, refresh and ID token of erin arrive on the Tokens page without a reload.
    const erinRows = page.getByRole('row', { name: /erin/ });
    await expect.poll(() => erinRows.count()).toBe(3);
    for (const kind of ['Access', 'Refresh', 'ID']) {
      await erinRows
        .filter({ hasText: kind })
        .filter({ has: page.locator('[data-state="active"]') })
        .first()
        .waitFor();
    }
    await screenshot(page, 'ui-signin-tokens');

    // The ID token's payload carries the custom claims.
    await erinRows.getByRole('button', { name: /^Details of ID token/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Payload' }).textContent())
      .toContain('erin@example.com');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);

    expect((await post('/introspect', { token: accessToken })).body.active).toBe(true);

    // Revoke the family from the access token's row.
    await erinRows
      .filter({ hasText: 'Access' })
      .getByRole('button', { name: /^More revoke options for Access token/ })
      .click();
    await page.getByRole('menuitem', { name: 'Revoke its family (grant)' }).click();
    await confirmDialog(page, 'Revoke family');
    await expect.poll(() => erinRows.filter({ has: page.locator('[data-state="active"]') }).count()).toBe(0);

    expect((await post('/introspect', { token: accessToken })).body.active).toBe(false);
    const refreshed = await post('/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });
});

describe('a user with a password, signed out everywhere from their page', () => {
  it('keeps the username after a wrong password, then lists and ends the sessions and tokens', async () => {
    const redirectUri = `${ui.engine.issuer}/e2e-callback`;
    await admin(ui.engine, 'users.create', {
      username: 'frank',
      password: 'right-pw',
      claims: { name: 'Frank' },
    });
    // The Shop client of the test above.

    const { browserTab, verifier } = await authorizeTab(redirectUri, {
      scope: 'openid profile offline_access',
      state: 'st-2',
      // This browser is still signed in as erin (above): ask for the login page.
      prompt: 'login',
    });
    await browserTab.getByLabel('Username', { exact: true }).fill('frank');
    await browserTab.getByLabel('Password', { exact: true }).fill('wrong-pw');
    await browserTab.getByRole('button', { name: 'Sign in', exact: true }).click();
    await browserTab.getByRole('alert').filter({ hasText: 'Wrong password.' }).waitFor();
    // The username is still there; the cursor waits in the password field.
    expect(await browserTab.getByLabel('Username', { exact: true }).inputValue()).toBe('frank');
    expect(await browserTab.evaluate<string>('document.activeElement.id')).toBe('password');
    await browserTab.keyboard.type('right-pw');
    await browserTab.keyboard.press('Enter');
    await browserTab.waitForURL(/e2e-callback/);
    const code = new URL(browserTab.url()).searchParams.get('code') as string;
    await browserTab.close();
    const tokens = await post('/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);

    // frank's page: one sign-in session and three tokens, then "Sign out everywhere".
    await page.goto(`${ui.engine.issuer}/ui/#/users`);
    await page.getByRole('button', { name: 'Open frank' }).click();
    const drawer = page.getByRole('dialog', { name: 'User frank' });
    const sessions = drawer.getByRole('table', { name: 'Sign-in sessions' });
    await expect.poll(() => sessions.getByRole('row').count()).toBe(2);
    const tokenRows = drawer.getByRole('table', { name: 'Tokens' }).locator('tbody tr');
    await expect.poll(() => tokenRows.filter({ has: page.locator('[data-state="active"]') }).count()).toBe(3);
    await screenshot(page, 'ui-user-drawer-signed-in');

    await drawer.getByRole('button', { name: 'Sign out everywhere' }).click();
    await confirmDialog(page, 'Sign out everywhere');
    await drawer.getByText('Not signed in anywhere.').waitFor();
    await expect
      .poll(() => tokenRows.filter({ has: page.locator('[data-state="revoked"]') }).count())
      .toBe(3);
    await screenshot(page, 'ui-user-drawer-signed-out');
    expect((await post('/introspect', { token: tokens.body.access_token as string })).body.active).toBe(
      false,
    );
    const refreshed = await post('/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token as string,
    });
    expect(refreshed.body.error).toBe('invalid_grant');
  });
});
