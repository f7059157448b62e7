/**
 * Single sign-on in a real browser, now that the session cookie alone is not enough: the login page's
 * script keeps a browser secret in the provider origin's localStorage, and the page that reuses a
 * session posts it back. A second authorization (and prompt=none) completes without the login page;
 * a browser without the secret, or without script, is asked to sign in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine } from '../helpers/engine';
import { launchChromium } from './chromium';
import { admin, type TestEngine } from './ui-helpers';

let engine: TestEngine;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
// The client's callback: a real listener on another origin, so the redirects that end the provider's
// form posts are checked against the pages' form-action.
let callbackServer: http.Server;
let REDIRECT_URI: string;

beforeAll(async () => {
  callbackServer = http.createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>callback</title><p>callback</p>');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  REDIRECT_URI = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
  engine = await startTestEngine({ inMemory: true });
  await admin(engine, 'users.create', { username: 'paula', password: 'paula-password' });
  await admin(engine, 'clients.create', {
    client_id: 'spa',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
    scope: 'openid profile',
  });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await engine?.cleanup();
  callbackServer?.close();
});

function authorizeUrl(extra: Record<string, string> = {}): string {
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  return `${engine.issuer}/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: 'spa',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  })}`;
}

/** A new tab, and every console error and failed response in it. */
async function openTab(context: BrowserContext): Promise<{ tab: Page; problems: string[] }> {
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  tab.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return { tab, problems };
}

/** Navigates to an authorization URL and returns the callback's parameters and whether a login page showed. */
async function authorize(tab: Page, url: string): Promise<{ params: URLSearchParams; sawLogin: boolean }> {
  let sawLogin = false;
  const onResponse = async (response: { url(): string; text(): Promise<string> }) => {
    if (!response.url().startsWith(engine.issuer)) return;
    const body = await response.text().catch(() => '');
    if (body.includes('name="password"')) sawLogin = true;
  };
  tab.on('response', onResponse);
  await tab.goto(url);
  await tab.waitForURL(`${REDIRECT_URI}**`);
  tab.off('response', onResponse);
  return { params: new URL(tab.url()).searchParams, sawLogin };
}

async function signIn(tab: Page): Promise<void> {
  await tab.goto(authorizeUrl());
  await tab.getByRole('textbox', { name: 'Username' }).fill('paula');
  await tab.locator('input#password').fill('paula-password');
  await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
  await tab.waitForURL(`${REDIRECT_URI}**`);
  expect(new URL(tab.url()).searchParams.get('code')).toBeTruthy();
}

describe('single sign-on in Chromium', () => {
  it('completes a second authorization and prompt=none without the login page, with a clean console', async () => {
    const context = await chromium.browser.newContext();
    context.setDefaultTimeout(10_000);
    const { tab, problems } = await openTab(context);
    await signIn(tab);
    for (const extra of [{}, { prompt: 'none' }] as Record<string, string>[]) {
      const { params, sawLogin } = await authorize(tab, authorizeUrl(extra));
      expect({ extra, sawLogin, code: Boolean(params.get('code')), error: params.get('error') }).toEqual({
        extra,
        sawLogin: false,
        code: true,
        error: null,
      });
      expect(params.get('state')).toBe('st');
    }
    // The secret sits in the provider origin's storage, not in any cookie.
    await tab.goto(`${engine.issuer}/.well-known/openid-configuration`);
    const secret = await tab.evaluate<string | null>("localStorage.getItem('idp_sandbox_browser_secret')");
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await context.cookies()).map((cookie) => cookie.value)).not.toContain(secret);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('asks to sign in again once the provider origin’s storage is cleared (the cookie alone is not enough)', async () => {
    const context = await chromium.browser.newContext();
    context.setDefaultTimeout(10_000);
    const { tab } = await openTab(context);
    await signIn(tab);
    await tab.goto(`${engine.issuer}/.well-known/openid-configuration`);
    await tab.evaluate('localStorage.clear()');
    expect((await context.cookies()).some((cookie) => cookie.name === 'idp_sandbox_session')).toBe(true);

    const silent = await authorize(tab, authorizeUrl({ prompt: 'none' }));
    expect(silent.params.get('error')).toBe('login_required');
    expect(silent.params.get('code')).toBeNull();
    await tab.goto(authorizeUrl());
    await tab.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await context.close();
  });

  it('signs in without script, and then asks again instead of reusing the session', async () => {
    const context = await chromium.browser.newContext({ javaScriptEnabled: false });
    context.setDefaultTimeout(10_000);
    const { tab } = await openTab(context);
    await signIn(tab);
    await tab.goto(authorizeUrl());
    // A session signed in without script has no secret: the login page comes straight back.
    await tab.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await tab.locator('#resume').count()).toBe(0);
    await context.close();
  });
});
