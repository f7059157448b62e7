import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('lab/compare');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const check = (id: string) => page.locator(`[data-check="${id}"]`);

interface TokenList {
  tokens: Array<{ format: string; state: string; username: string | null; client_id: string }>;
}

describe('Lab: reference vs JWT', () => {
  it('needs a client first', async () => {
    await page.getByRole('heading', { level: 2, name: 'Reference vs JWT' }).waitFor();
    await page.getByText('No clients yet').waitFor();
  });

  it('mints the same grant in both formats, revokes both: the JWT still verifies, the reference token is dead', async () => {
    await admin(ui.engine, 'users.create', { username: 'alice' });
    await createWebClient(ui.engine, { scope: 'openid orders:read', audience: ['orders-api'] });
    await page.getByRole('combobox', { name: 'User', exact: true }).click();
    await page.getByRole('option', { name: 'alice', exact: true }).click();
    await page.getByRole('button', { name: 'Mint both tokens' }).click();

    const jwt = page.getByRole('region', { name: 'Self-contained JWT', exact: true });
    const reference = page.getByRole('region', { name: 'Reference token', exact: true });
    await jwt.waitFor();
    expect(await check('jwt-local-before').textContent()).toBe('accepted');
    expect(await check('jwt-introspection-before').textContent()).toBe('active');
    expect(await check('ref-local-before').textContent()).toBe('nothing to verify');
    expect(await check('ref-introspection-before').textContent()).toBe('active');
    // The JWT's holder can read its claims; the reference token is only an id and a random secret.
    expect(await jwt.textContent()).toContain('"aud": "orders-api"');
    expect(await reference.textContent()).toContain('Its holder sees only an id and a random secret');
    const sizes = await page.getByRole('region', { name: 'The trade-off' }).textContent();
    expect(sizes).toMatch(/Size on every request\d{3,4} characters69 characters/);

    const minted = await admin<TokenList>(ui.engine, 'tokens.list', {});
    expect(minted.tokens.map((t) => `${t.format}:${t.username}:${t.client_id}:${t.state}`).sort()).toEqual([
      'jwt:alice:web:active',
      'reference:alice:web:active',
    ]);

    await page.getByRole('button', { name: 'Revoke both' }).click();
    await check('jwt-local-after').waitFor();
    // The point of the demo: a revoked JWT still passes local verification…
    expect(await check('jwt-local-after').textContent()).toBe('accepted');
    // …while the provider says inactive for both at once.
    expect(await check('jwt-introspection-after').textContent()).toBe('inactive');
    expect(await check('ref-introspection-after').textContent()).toBe('inactive');
    const summary = page.getByRole('status').filter({ hasText: 'What just happened' });
    expect(await summary.textContent()).toContain('still accepts it');
    expect(await summary.textContent()).toContain('dead at once');
    expect(await page.getByRole('button', { name: 'Revoke both' }).isDisabled()).toBe(true);
    await screenshot(page, 'lab-compare');

    const after = await admin<TokenList>(ui.engine, 'tokens.list', {});
    expect(after.tokens.map((t) => t.state)).toEqual(['revoked', 'revoked']);
  });

  it('starts over with a new pair for a machine (no user)', async () => {
    await page.getByRole('button', { name: 'Clear user' }).click();
    await page.getByRole('button', { name: 'Mint a new pair' }).click();
    await poll(() => page.locator('[data-check="jwt-local-after"]').count()).toBe(0);
    expect(await check('ref-introspection-before').textContent()).toBe('active');
    const list = await admin<TokenList>(ui.engine, 'tokens.list', { state: 'active' });
    expect(list.tokens.map((t) => t.username)).toEqual([null, null]);
  });
});
