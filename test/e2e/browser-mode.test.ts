import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
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

describe('browser mode', () => {
  it('signs in through the printed URL and shows the issuer from the admin API', async () => {
    const page = await browser.newPage();
    await page.goto(engine.uiUrl as string);
    // The token is swapped for a cookie and removed from the address bar.
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByTestId('issuer').textContent()).toBe(engine.issuer);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'browser-mode-home.png'), fullPage: true });
    await page.close();
  });

  it('refuses a browser that has not used the sign-in link', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${engine.issuer}/ui/`);
    expect(response?.status()).toBe(401);
    await expect.poll(() => page.textContent('h1')).toBe('Sign-in link needed');
    await context.close();
  });
});
