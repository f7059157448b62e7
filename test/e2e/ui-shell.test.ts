import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('users');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

describe('app shell', () => {
  it('always shows the issuer with a copy button and the server state', async () => {
    expect(await page.getByTestId('issuer').textContent()).toBe(ui.engine.issuer);
    await page.getByLabel('Server state: Running').waitFor();
    await page.getByRole('button', { name: 'Copy issuer URL' }).click();
    await expect.poll(() => readClipboard(page)).toBe(ui.engine.issuer);
  });

  it('navigates between every page from the keyboard', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Clients', 'Tokens', 'Devices', 'Activity', 'Settings', 'Users']) {
      const link = nav.getByRole('link', { name, exact: true });
      await link.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
      expect(await link.getAttribute('aria-current')).toBe('page');
      expect(new URL(page.url()).hash).toBe(`#/${name.toLowerCase()}`);
    }
    await screenshot(page, 'ui-shell');
  });

  it('turns the server state red with the reason when the engine cannot be reached', async () => {
    await page.route('**/admin/api/engine.info', (route) => route.abort('connectionrefused'));
    // The state is re-checked when the window becomes visible again (no polling).
    await page.evaluate("window.dispatchEvent(new Event('visibilitychange'))");
    await page.getByLabel('Server state: Unreachable').waitFor();
    await page.unroute('**/admin/api/engine.info');
    await page.evaluate("window.dispatchEvent(new Event('visibilitychange'))");
    await page.getByLabel('Server state: Running').waitFor();
  });
});
