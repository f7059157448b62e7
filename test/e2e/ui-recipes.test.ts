import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('clients');
  page = ui.page;
  await admin(ui.engine, 'clients.create', {
    client_id: 'web',
    client_secret: 'web-secret-value',
    redirect_uris: ['http://127.0.0.1:3000/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  await admin(ui.engine, 'clients.create', {
    client_id: 'spa',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1:5173/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  await page.reload();
  await page.getByTestId('issuer').filter({ hasText: ui.engine.issuer }).waitFor();
});
afterAll(async () => {
  await ui?.close();
});

async function openRecipes(clientId: string): Promise<Locator> {
  await page.getByRole('button', { name: `Open ${clientId}` }).click();
  const drawer = page.getByRole('dialog', { name: `Client ${clientId}` });
  await drawer.getByRole('tab', { name: 'Recipes' }).click();
  return drawer;
}

async function pickStack(drawer: Locator, label: string): Promise<void> {
  await drawer.getByRole('combobox', { name: 'Stack' }).click();
  await page.getByRole('option', { name: label }).click();
}

describe('Client recipes', () => {
  it("renders a picked stack's files with the client's issuer, id and secret, each with a copy button", async () => {
    const drawer = await openRecipes('web');
    // A confidential client signing users in opens on a web-app recipe the interop suite runs.
    await drawer.getByText('Verified by the interop suite').waitFor();

    await pickStack(drawer, 'Passport (openid-client strategy) · Server-side web app');
    await drawer.getByText('Not exercised here').waitFor();
    const file = drawer.getByLabel('Recipe file app.ts');
    // On screen the secret is masked, as the secret field masks it; Copy copies the real file.
    expect(await file.textContent()).not.toContain('web-secret-value');
    await drawer.getByRole('button', { name: 'Show secret' }).click();
    const text = (await file.textContent()) ?? '';
    expect(text).toContain(`new URL("${ui.engine.issuer}")`);
    expect(text).toContain('"web"');
    expect(text).toContain('client.ClientSecretBasic("web-secret-value")');

    await drawer.getByRole('button', { name: 'Copy app.ts' }).click();
    await drawer.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await readClipboard(page)).toBe(text);
    await screenshot(page, 'ui-recipes');
    await page.keyboard.press('Escape');
  });

  it('opens a public client on the browser recipe, filled in with its values', async () => {
    const drawer = await openRecipes('spa');
    expect(await drawer.getByRole('combobox', { name: 'Stack' }).inputValue()).toBe(
      'oidc-client-ts / react-oidc-context · Browser app (SPA)',
    );
    const config = JSON.parse(
      (await drawer.getByLabel('Recipe file oidc-config.json').textContent()) ?? '{}',
    );
    expect(config).toMatchObject({ authority: ui.engine.issuer, client_id: 'spa' });
    await drawer.getByRole('button', { name: 'Copy oidc-config.json' }).waitFor();
  });
});
