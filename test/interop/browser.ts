import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/chromium';

/** A test user signing in with the login page's one-click button, with custom claims an app must see. */
export const ADA = {
  username: 'ada',
  sub: 'ada-0001',
  claims: { name: 'Ada Lovelace', email: 'ada@example.test', roles: ['admin', 'editor'] },
};

/** A test user with a password, so she signs in through the username/password form. */
export const GRACE = {
  username: 'grace',
  password: 'grace-pw',
  sub: 'grace-0002',
  claims: { name: 'Grace Hopper', roles: ['viewer'], department: 'compilers' },
};

/**
 * Collects what a user would see in DevTools as errors while the page moves between the app's origin
 * and the provider's: console errors (CORS refusals, CSP violations, failed loads) and uncaught
 * exceptions, each with the URL it came from.
 */
export function watchConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.location().url || page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: uncaught ${error.stack ?? error.message}`));
  return errors;
}

/** Waits until the browser shows the provider's login page (both of its forms). */
export async function expectLoginPage(page: Page, issuer: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/`));
  await page.locator('form[aria-label="Sign in with username and password"]').waitFor();
}

/** Clicks the login page's one-click button of a test user without a password. */
export async function signInWithButton(page: Page, username: string): Promise<void> {
  await page.locator(`button[name="username"][value="${username}"]`).click();
}

/** Fills and submits the login page's username/password form. */
export async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Chromium with one context and page whose console errors are collected, as each interop file uses it. */
export interface InteropBrowser {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<InteropBrowser> {
  const chromium = await launchChromium();
  const context = await chromium.browser.newContext();
  const page = await context.newPage();
  return { context, page, consoleErrors: watchConsoleErrors(page), close: () => chromium.close() };
}
