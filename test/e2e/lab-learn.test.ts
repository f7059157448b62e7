import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('lab');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

const LAB = [
  ['Timeline', 'Token timeline', 'lab/timeline'],
  ['Inspector', 'Token inspector', 'lab/inspector'],
  ['Mint', 'Mint a token', 'lab/mint'],
  ['Reference vs JWT', 'Reference vs JWT', 'lab/compare'],
  ['Flow playground', 'Flow playground', 'lab/playground'],
  ['Learn', 'Learn: tokens in five minutes', 'lab/learn'],
] as const;

describe('Lab: navigation and explanations', () => {
  it('opens the timeline for #/lab and reaches every lab page from the keyboard', async () => {
    await page.getByRole('heading', { level: 2, name: 'Token timeline' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const group = nav.getByRole('group', { name: 'Lifecycle lab' });
    for (const [link, heading, route] of LAB) {
      const item = group.getByRole('link', { name: link, exact: true });
      await item.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: heading, exact: true }).waitFor();
      expect(await item.getAttribute('aria-current')).toBe('page');
      expect(new URL(page.url()).hash).toBe(`#/${route}`);
    }
  });

  it('explains the three tokens, the two formats and the lifecycle for developers', async () => {
    for (const section of [
      'Access token',
      'Refresh token',
      'ID token',
      'Reference vs structured (JWT) tokens',
      'The token lifecycle',
    ]) {
      await page.getByRole('region', { name: section }).waitFor();
    }
    const lifecycle = await page.getByRole('region', { name: 'The token lifecycle' }).textContent();
    for (const stage of ['Issued', 'Used', 'Refreshed', 'Expired or revoked'])
      expect(lifecycle).toContain(stage);
    expect(await page.getByRole('region', { name: 'Refresh token' }).textContent()).toContain(
      'reuse detection',
    );
    await screenshot(page, 'lab-learn');
  });

  it('links every lab page’s short explanation to Learn, and Learn to the lab pages', async () => {
    await page.getByRole('link', { name: 'Reference vs JWT', exact: true }).last().click();
    await page.getByRole('heading', { level: 2, name: 'Reference vs JWT' }).waitFor();
    await page.getByRole('link', { name: 'Learn more about tokens' }).click();
    await page.getByRole('heading', { level: 2, name: 'Learn: tokens in five minutes' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'run a flow' }).click();
    await page.getByRole('heading', { level: 2, name: 'Flow playground' }).waitFor();
    expect(await page.getByRole('link', { name: 'Learn more about tokens' }).count()).toBe(1);
  });
});
