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
    const browserTab = await ui.context.newPage();
    await browserTab.route('**/e2e-callback**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>callback</p>' }),
    );
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${ui.engine.issuer}/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: 'openid profile email offline_access',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    await browserTab.goto(authorize.toString());
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
