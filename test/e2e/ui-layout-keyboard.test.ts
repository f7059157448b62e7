/**
 * At 1024×700 nothing important is cut: each page's row actions are inside the window without
 * scrolling sideways, grant badges show whole, and an expanded JWK does not stretch the keys table.
 * And a keyboard user's first Tab reaches "Skip to content", which moves focus past the navigation.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { admin, screenshot, uiForFile } from './ui-helpers';

const session = uiForFile('users');
const WIDTH = 1024;
const HEIGHT = 700;

/** The element's box lies inside the window, as the page opens (nothing scrolled to reach it). */
async function expectInsideWindow(locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  expect(box, 'element is visible').not.toBeNull();
  const { x, y, width, height } = box as NonNullable<typeof box>;
  expect(x).toBeGreaterThanOrEqual(0);
  expect(x + width).toBeLessThanOrEqual(WIDTH);
  expect(y).toBeGreaterThanOrEqual(0);
  expect(y + height).toBeLessThanOrEqual(HEIGHT);
}

/** No table needs scrolling sideways: each fits its scroll container, which fits the window. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const tables = page.locator('table');
  expect(await tables.count()).toBeGreaterThan(0);
  const overflows = await tables.evaluateAll(
    (all: Array<{ getBoundingClientRect(): { left: number; right: number } }>, width: number) =>
      all.filter((table) => {
        const { left, right } = table.getBoundingClientRect();
        return left < 0 || right > width;
      }).length,
    WIDTH,
  );
  expect(overflows).toBe(0);
}

describe('layout at 1024×700', () => {
  it('Users shows Preview, Edit and Delete of a long-named user inside the window', async () => {
    const { engine, page } = session();
    await page.setViewportSize({ width: WIDTH, height: HEIGHT });
    await admin(engine, 'users.create', {
      username: 'alexandra.konstantinopoulou',
      password: 'pw',
      claims: {
        name: 'Alexandra Konstantinopoulou',
        email: 'alexandra.konstantinopoulou@example.com',
        roles: ['a'],
        tier: 'gold',
      },
    });
    await page.goto(`${engine.issuer}/ui/#/users`);
    const row = page.getByRole('row', { name: /alexandra/ });
    await row.waitFor();
    for (const name of ['Preview claims for', 'Edit', 'Delete']) {
      await expectInsideWindow(row.getByRole('button', { name: new RegExp(`^${name} alexandra`) }));
    }
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'layout-1024-users');
  });

  it('Clients shows Open and Edit inside the window, and every grant badge whole', async () => {
    const { engine, page } = session();
    await admin(engine, 'clients.create', {
      client_id: 'orders-backend-service',
      client_name: 'Orders backend (every grant)',
      client_secret: 'orders-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
    });
    await page.goto(`${engine.issuer}/ui/#/clients`);
    const row = page.getByRole('row', { name: /orders-backend-service/ });
    await row.waitFor();
    await expectInsideWindow(row.getByRole('button', { name: 'Open orders-backend-service' }));
    await expectInsideWindow(row.getByRole('button', { name: 'Edit orders-backend-service' }));
    const labels = row.locator('.mantine-Badge-label');
    expect(await labels.count()).toBe(5);
    const cut = await labels.evaluateAll(
      (all: Array<{ scrollWidth: number; clientWidth: number }>) =>
        all.filter((label) => label.scrollWidth > label.clientWidth).length,
    );
    expect(cut).toBe(0);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'layout-1024-clients');
  });

  it('Settings keeps the keys table in the window with an RSA public JWK open', async () => {
    const { engine, page } = session();
    await admin(engine, 'keys.rotate', { alg: 'RS256' });
    await page.goto(`${engine.issuer}/ui/#/settings`);
    const table = page.getByRole('table', { name: 'Signing keys' });
    const current = table.getByRole('row').filter({ hasText: 'RS256' }).first();
    const jwk = current.getByRole('button', { name: /^Public key / });
    await jwk.click();
    await page
      .getByLabel(/^Public JWK /)
      .first()
      .waitFor();
    await expectInsideWindow(jwk);
    for (const retire of await table.getByRole('button', { name: /^Retire key / }).all()) {
      await expectInsideWindow(retire);
    }
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'layout-1024-settings-jwk');
  });

  it('folds the navigation behind a burger at this width, and shows it on a wide window', async () => {
    const { engine, page } = session();
    await page.goto(`${engine.issuer}/ui/#/users`);
    const burger = page.getByRole('button', { name: 'Toggle navigation' });
    await burger.waitFor();
    // The navigation is folded away: the page starts at the window's left edge.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(async () => (await nav.boundingBox())?.x ?? -1000).toBeLessThan(0);
    // Polled: the shell animates its padding when the navigation folds or unfolds.
    await expect
      .poll(async () => (await page.getByRole('heading', { name: 'Users' }).boundingBox())?.x ?? 1000)
      .toBeLessThan(50);
    await burger.click();
    await expect.poll(async () => (await nav.boundingBox())?.x).toBe(0);
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('table', { name: 'Clients' }).waitFor();
    // A wide window shows the navigation beside the page.
    await page.setViewportSize({ width: 1400, height: HEIGHT });
    await expect.poll(async () => (await nav.boundingBox())?.x).toBe(0);
    const title = page.getByRole('heading', { name: 'Clients' });
    await expect.poll(async () => (await title.boundingBox())?.x ?? 0).toBeGreaterThan(220);
    await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  });
});

describe('keyboard', () => {
  it('"Skip to content" is the first Tab stop and moves focus into the page', async () => {
    const { engine, page } = session();
    await page.goto(`${engine.issuer}/ui/#/clients`);
    await page.reload();
    await page.getByRole('table', { name: 'Clients' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main-content');
    // Still on the same page: the link does not navigate by the URL's hash.
    expect(page.url()).toMatch(/#\/clients$/);
    // The next Tab goes into the page, not back to the navigation.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate<boolean>(
      'document.getElementById("main-content").contains(document.activeElement)',
    );
    expect(inMain).toBe(true);
  });
});
