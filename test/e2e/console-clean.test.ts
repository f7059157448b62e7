/**
 * No page of the product writes an error to the browser console: every page of the admin UI, the
 * provider's login page. (Its error pages answer 400, which Chromium logs for the document itself.) A 404 for an icon counts (browsers ask for /favicon.ico
 * unless the page names its icon), and so does any other failed request.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, isAnsweredAdminCall, signInTab, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;

beforeAll(async () => {
  ui = await startUi('users');
});
afterAll(async () => {
  await ui?.close();
});

/** Console errors and failed responses of `page` from now on. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !isAnsweredAdminCall(message))
      problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().includes('/admin/api/'))
      problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  return problems;
}

describe('a clean browser console', () => {
  it('on every page of the admin UI, including its favicon', async () => {
    const page = await ui.context.newPage();
    const problems = watch(page);
    const icons: string[] = [];
    page.on('response', (response) => {
      if (/favicon/.test(response.url())) icons.push(`${response.status()} ${response.url()}`);
    });
    // A new tab: it signs in through the printed link, as a user's new tab would.
    await signInTab(page, ui.engine, 'users');
    // Every page the navigation links to, as the UI lists them.
    const routes = await page
      .locator('a[href^="#/"]')
      .evaluateAll((links) =>
        [...new Set(links.map((link) => link.getAttribute('href') as string))].map((href) => href.slice(2)),
      );
    expect(routes).toEqual(
      expect.arrayContaining(['users', 'clients', 'tokens', 'activity', 'settings', 'lab/timeline']),
    );
    for (const route of routes) {
      await page.goto(`${ui.engine.issuer}/ui/#/${route}`);
      await page.getByRole('main').getByRole('heading').first().waitFor();
      // Give the page's first queries time to answer: their failures would be console errors. (Not
      // networkidle: the live event stream keeps a request open.)
      await page.waitForTimeout(300);
    }
    expect(icons.length).toBeGreaterThan(0);
    expect(new Set(icons)).toEqual(new Set([`200 ${ui.engine.issuer}/ui/favicon.svg`]));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on the login page of a client on another origin, with its icon inline', async () => {
    await admin(ui.engine, 'users.create', { username: 'cleo' });
    await admin(ui.engine, 'clients.create', {
      client_id: 'elsewhere',
      redirect_uris: ['http://127.0.0.1:5999/callback'],
      token_endpoint_auth_method: 'none',
      scope: 'openid',
    });
    const page = await ui.context.newPage();
    const problems = watch(page);
    const query = new URLSearchParams({
      client_id: 'elsewhere',
      redirect_uri: 'http://127.0.0.1:5999/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    await page.goto(`${ui.engine.issuer}/authorize?${query}`);
    await page.getByRole('button', { name: /Sign in as cleo/ }).waitFor();
    await page.waitForLoadState('load');
    expect(problems).toEqual([]);
    const favicon = await fetch(`${ui.engine.issuer}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toBe('image/svg+xml');
    await page.close();
  });
});
