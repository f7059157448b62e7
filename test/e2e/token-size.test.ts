/**
 * A user with ~20 kB of claims gets tokens that the provider accepts but nginx, Apache, Tomcat and
 * Node.js refuse by default: the UI says so wherever a token or its claims are shown.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('users');
  page = ui.page;
  const groups = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`group_${i}`, 'g'.repeat(1000)]));
  await admin(ui.engine, 'users.create', { username: 'many', claims: groups });
  await admin(ui.engine, 'users.create', { username: 'few', claims: { roles: ['qa'] } });
  await admin(ui.engine, 'clients.create', {
    client_id: 'web',
    client_secret: 'web-secret',
    redirect_uris: ['http://127.0.0.1:5173/callback'],
    scope: 'openid profile',
  });
});
afterAll(async () => {
  await ui?.close();
});

const sizeNote = () => page.getByRole('status', { name: 'Larger than common servers accept' });

describe('token size warnings', () => {
  it('in the claims preview of a user with many claims, and not for a small one', async () => {
    await page.getByRole('button', { name: 'Preview claims for many' }).click();
    await sizeNote().waitFor();
    const text = (await sizeNote().textContent()) ?? '';
    expect(text).toMatch(/about \d+\.\d kB of request header/);
    expect(text).toContain('nginx: large_client_header_buffers');
    expect(text).toContain('Node.js');
    await screenshot(page, 'token-size-preview');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Preview claims for few' }).click();
    await page.getByRole('region', { name: 'Access token claims' }).waitFor();
    expect(await sizeNote().count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('in the token drawer, the Inspector and Mint', async () => {
    const minted = await admin<{ value: string; token: { id: string } }>(ui.engine, 'tokens.mint', {
      client_id: 'web',
      username: 'many',
    });
    await page.goto(`${ui.engine.issuer}/ui/#/tokens`);
    await page
      .getByRole('row', { name: /many/ })
      .getByRole('button', { name: /^Details of Access token/ })
      .click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer.getByRole('status', { name: 'Larger than common servers accept' }).waitFor();
    const bytes = `Authorization: Bearer ${minted.value}\r\n`.length;
    expect(
      await drawer.getByRole('status', { name: 'Larger than common servers accept' }).textContent(),
    ).toContain(`${(bytes / 1024).toFixed(1)} kB`);
    await page.keyboard.press('Escape');

    await page.goto(`${ui.engine.issuer}/ui/#/lab/inspector`);
    await page.getByRole('textbox', { name: 'Token', exact: true }).fill(minted.value);
    await sizeNote().waitFor();

    await page.goto(`${ui.engine.issuer}/ui/#/lab/mint`);
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'web', exact: true }).click();
    await page.getByRole('combobox', { name: 'User', exact: true }).click();
    await page.getByRole('option', { name: 'many', exact: true }).click();
    await page.getByRole('button', { name: 'Mint token' }).click();
    await page.getByTestId('minted-value').waitFor();
    await sizeNote().waitFor();
    await screenshot(page, 'token-size-mint');
  });
});
