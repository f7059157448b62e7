import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_UI, startTestEngine } from '../helpers/engine';
import { ARTIFACTS_DIR, launchChromium } from './chromium';

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;

beforeAll(async () => {
  engine = await startTestEngine({ uiDir: BUILT_UI });
  chromium = await launchChromium();
  browser = chromium.browser;
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
});
afterAll(async () => {
  await chromium?.close();
  await engine?.cleanup();
});

/** Every admin API request `page` makes from now on. */
function adminRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/admin/api/')) seen.push(request.url());
  });
  return seen;
}

describe('browser mode', () => {
  it('signs in through the printed URL, keeps the token out of the address bar and of every cookie, and survives a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(engine.uiUrl as string);
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByTestId('issuer').textContent()).toBe(engine.issuer);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'browser-mode-home.png'), fullPage: true });
    // The tab holds the token; no cookie does (a cookie would reach every port of 127.0.0.1).
    const token = new URL(engine.uiUrl as string).searchParams.get('token');
    expect(await page.evaluate<string[]>('Object.values(window.sessionStorage)')).toContain(token);
    expect(await context.cookies()).toEqual([]);

    await page.goto(`${engine.issuer}/ui/#/users`);
    await page.reload();
    await expect.poll(() => page.getByTestId('issuer').textContent()).toBe(engine.issuer);
    expect(page.url()).toBe(`${engine.issuer}/ui/#/users`);
    await context.close();
  });

  it('in a tab that has not opened the link, says to open it and makes no admin call', async () => {
    const context = await browser.newContext();
    const signedIn = await context.newPage();
    await signedIn.goto(engine.uiUrl as string);
    await signedIn.getByTestId('issuer').waitFor();
    // A second tab of the same browser: sessionStorage belongs to one tab.
    const page = await context.newPage();
    const calls = adminRequests(page);
    const response = await page.goto(`${engine.issuer}/ui/#/users`);
    expect(response?.status()).toBe(200);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Sign-in link needed');
    await expect.poll(() => page.textContent('body')).toContain('printed at start');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'browser-mode-sign-in-needed.png') });
    expect(calls).toEqual([]);
    await context.close();
  });

  it('in a tab whose token the engine refuses (a link from an earlier start), says the link expired', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(engine.uiUrl as string);
    await page.getByTestId('issuer').waitFor();
    await page.evaluate<void>(
      'for (const key of Object.keys(sessionStorage)) sessionStorage.setItem(key, "from-an-earlier-start")',
    );
    await page.reload();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Sign-in link expired');
    expect(await page.evaluate<string[]>('Object.values(window.sessionStorage)')).toEqual([]);
    await context.close();
  });

  it('answers an old printed link with a page that says it expired', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${engine.issuer}/ui/?token=from-an-earlier-start`);
    expect(response?.status()).toBe(401);
    await expect.poll(() => page.textContent('h1')).toBe('Link expired');
    await context.close();
  });
});
