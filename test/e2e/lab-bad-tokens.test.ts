import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_TOKEN_VARIANTS, type BadTokensOutput } from '../../shared/lab';
import { HOSTILE } from '../helpers/hostile';
import { startCarelessApi, type TestApi } from '../helpers/test-apis';
import { chooseOption, runShell } from './lab-helpers';
import { admin, readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

/**
 * Lab → Bad tokens in a real browser: the empty state, making every variant from a baseline, each one
 * opened up (decoded, copyable, a curl line that really reaches an API), hostile strings shown as text,
 * and the hand-over to Check my API.
 */

let ui: UiSession;
let page: Page;
let api: TestApi;
const dialogs: string[] = [];

beforeAll(async () => {
  ui = await startUi('lab/bad-tokens');
  page = ui.page;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  api = await startCarelessApi({ issuer: ui.engine.issuer, requiredScope: 'orders:read' });
});
afterAll(async () => {
  await api?.close();
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/** The rows of the "Bad tokens" table, by variant id (each row shows its id in code). */
function row(variant: string) {
  return page
    .getByRole('table', { name: 'Bad tokens' })
    .getByRole('row')
    .filter({ has: page.locator('code', { hasText: new RegExp(`^${variant}$`) }) });
}

describe('Lab: bad tokens', () => {
  it('asks for a client first, and links to Clients', async () => {
    await page.getByRole('heading', { level: 2, name: 'Bad tokens' }).waitFor();
    await page.getByText('No clients yet').waitFor();
    expect(await page.getByRole('link', { name: 'Create a client' }).getAttribute('href')).toBe('#/clients');
    await admin(ui.engine, 'users.create', { username: 'alice' });
    await admin(ui.engine, 'clients.create', {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid orders:read',
      audience: ['orders-api'],
    });
    // The form appears as soon as the client exists (live).
    await page.getByRole('button', { name: 'Make bad tokens' }).waitFor();
  });

  it('makes every variant from the baseline, each with what an API must do and the spec', async () => {
    await chooseOption(page, 'User', 'alice');
    const audience = page.getByRole('combobox', { name: 'Audience' });
    await audience.fill('orders-api');
    await audience.press('Enter');
    // A hostile audience: it ends up in every token's payload, and must be shown as text.
    await audience.fill(HOSTILE.img);
    await audience.press('Enter');
    await page.getByRole('textbox', { name: 'Required scope' }).fill('orders:read');
    await page.getByRole('button', { name: 'Make bad tokens' }).click();

    const table = page.getByRole('table', { name: 'Bad tokens' });
    await table.waitFor();
    const made = page.getByRole('region', { name: 'Made tokens' });
    const rows = await table.locator('tbody tr:has(code)').count();
    expect(rows).toBe(BAD_TOKEN_VARIANTS.length);
    // The labels are the engine's own: the same recipe through the admin API names each variant alike.
    const labels = await admin<BadTokensOutput>(ui.engine, 'lab.badTokens', {
      client_id: 'web',
      username: 'alice',
      audience: ['orders-api', HOSTILE.img],
      required_scope: 'orders:read',
    });
    for (const token of labels.variants) {
      const text = (await row(token.variant).textContent()) ?? '';
      for (const label of [token.title, token.expected, token.reference]) expect(text).toContain(label);
      const origin = token.token_id ? 'stored' : 'forged';
      expect(await row(token.variant).locator(`[data-origin="${origin}"]`).count()).toBe(1);
    }
    expect(await made.textContent()).toContain(`${BAD_TOKEN_VARIANTS.length} bad tokens`);
    await screenshot(page, 'lab-bad-tokens');
  });

  it('opens a token: decoded header and payload, its value to copy, and a curl line that reaches the API', async () => {
    const apiUrl = page.getByRole('textbox', { name: "Your API's URL, for the curl lines" });
    await apiUrl.fill(api.url);

    await page.getByRole('button', { name: 'Show alg_none' }).click();
    const header = page.getByRole('region', { name: 'Header of alg_none' });
    expect(JSON.parse((await header.textContent()) ?? '')).toMatchObject({ alg: 'none' });
    const payload = JSON.parse(
      (await page.getByRole('region', { name: 'Payload of alg_none' }).textContent()) ?? '',
    ) as Record<string, unknown>;
    expect(payload).toMatchObject({ aud: ['orders-api', HOSTILE.img], client_id: 'web' });

    const value = (await page.getByLabel('Value of alg_none', { exact: true }).textContent()) ?? '';
    await page.getByRole('button', { name: 'Copy alg_none token' }).click();
    await poll(() => readClipboard(page)).toBe(value);

    // The careless API takes "alg: none" at its word: the curl line proves it, as pasted in a shell.
    const curl = (await page.locator('[data-curl="alg_none"]').textContent()) ?? '';
    expect(curl).toContain(`Authorization: Bearer ${value}`);
    expect(curl).toContain(api.url);
    expect(await runShell(curl)).toMatch(/^HTTP\/1\.1 200/);

    await screenshot(page, 'lab-bad-tokens-open');

    // An unknown kid is refused by the same API.
    await page.getByRole('button', { name: 'Show unknown_kid' }).click();
    expect(await runShell((await page.locator('[data-curl="unknown_kid"]').textContent()) ?? '')).toMatch(
      /^HTTP\/1\.1 401/,
    );

    // The hostile audience is text, not markup: no image element, no dialog.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('hands the baseline and the URL to Check my API', async () => {
    await page.getByRole('button', { name: 'Check my API with these' }).click();
    await page.getByRole('heading', { level: 2, name: 'Check my API' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/lab/check-api');
    expect(await page.getByRole('textbox', { name: 'URL', exact: true }).inputValue()).toBe(api.url);
    expect(await page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('web');
    expect(await page.getByRole('combobox', { name: 'User', exact: true }).inputValue()).toBe('alice');
    expect(await page.getByRole('textbox', { name: 'Required scope' }).inputValue()).toBe('orders:read');
    const audience = page.getByRole('group', { name: 'The good token (baseline)' });
    await audience.getByText('orders-api', { exact: true }).waitFor();
  });

  it('lists the bad tokens on the Tokens page, each marked with its flaw', async () => {
    await page.goto(page.url().replace(/#.*$/, '#/tokens'));
    for (const flaw of ['alg_none', 'expired', 'revoked_reference']) {
      await page
        .getByRole('row')
        .filter({ hasText: `bad: ${flaw}` })
        .first()
        .waitFor();
    }
  });
});
