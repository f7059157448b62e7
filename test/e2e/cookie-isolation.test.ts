/**
 * Browsers send a host's cookies to every port of it, so any process listening on another loopback
 * port that the browser visits receives them. Here the browser holds everything the product sets (the
 * admin UI signed in through the printed link, a user signed in through the login page), visits such a
 * listener, and the listener replays what it received.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_UI, startTestEngine } from '../helpers/engine';
import { launchChromium } from './chromium';
import { type CookieThief, startCookieThief } from './cookie-thief';
import { admin, type TestEngine } from './ui-helpers';

const CLIENT_ID = 'spa';
const USERNAME = 'paula';
const PASSWORD = 'paula-password';

let engine: TestEngine;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let uiPage: Page;
let thief: CookieThief;

function redirectUri(): string {
  return `${engine.issuer}/e2e-callback`;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(challenge: string, extra: Record<string, string> = {}): string {
  const url = new URL(`${engine.issuer}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: 'openid profile',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return url.toString();
}

/** Signs USERNAME in through the provider's login page with the password, as a user would. */
async function signInThroughLoginPage(): Promise<void> {
  const tab = await context.newPage();
  await tab.route('**/e2e-callback**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<p>callback</p>' }),
  );
  await tab.goto(authorizeUrl(pkce().challenge));
  await tab.getByRole('textbox', { name: 'Username' }).fill(USERNAME);
  await tab.locator('input#password').fill(PASSWORD);
  await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
  await tab.waitForURL(/e2e-callback/);
  expect(new URL(tab.url()).searchParams.get('code')).toBeTruthy();
  await tab.close();
}

beforeAll(async () => {
  engine = await startTestEngine({ uiDir: BUILT_UI, inMemory: true });
  await admin(engine, 'users.create', { username: USERNAME, password: PASSWORD });
  await admin(engine, 'clients.create', {
    client_id: CLIENT_ID,
    redirect_uris: [`${engine.issuer}/e2e-callback`],
    token_endpoint_auth_method: 'none',
    scope: 'openid profile',
  });
  chromium = await launchChromium();
  context = await chromium.browser.newContext();
  context.setDefaultTimeout(10_000);

  uiPage = await context.newPage();
  await uiPage.goto(engine.uiUrl as string);
  await uiPage.getByTestId('issuer').filter({ hasText: engine.issuer }).waitFor();
  await signInThroughLoginPage();

  thief = await startCookieThief('127.0.0.1');
  const visit = await context.newPage();
  await visit.goto(thief.url);
  await visit.close();
});
afterAll(async () => {
  await thief?.close();
  await chromium?.close();
  await engine?.cleanup();
});

/** Status of one admin call; the event stream is cut as soon as its status is known. */
async function adminStatus(method: string, headers: Record<string, string>): Promise<number> {
  if (method === 'events.stream') {
    const abort = new AbortController();
    const response = await fetch(`${engine.issuer}/admin/api/events.stream`, {
      headers,
      signal: abort.signal,
    });
    abort.abort();
    return response.status;
  }
  const body = method === 'workspace.export' ? { include_keys: true } : {};
  const response = await fetch(`${engine.issuer}/admin/api/${method}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

describe('cookies received on another loopback port', () => {
  it('the browser sends that port every cookie it holds for the host, the sign-in session among them', () => {
    // Shows the listener is positioned as the attack needs: without this the replays prove nothing.
    expect(thief.cookies().map((cookie) => cookie.name)).toContain('idp_sandbox_session');
  });

  it('replayed with the UI header or as a bearer token, open no admin call (export with keys, users, events)', async () => {
    const cookies = thief.cookies();
    const attempts: Record<string, Record<string, string>> = {
      'all cookies': { cookie: thief.cookieHeader() },
      'all cookies + x-idp-sandbox-ui': { cookie: thief.cookieHeader(), 'x-idp-sandbox-ui': '1' },
    };
    for (const { name, value } of cookies) {
      attempts[`${name} + x-idp-sandbox-ui`] = { cookie: `${name}=${value}`, 'x-idp-sandbox-ui': '1' };
      attempts[`${name} as bearer`] = { authorization: `Bearer ${value}` };
      attempts[`${name} as bearer + cookie`] = {
        authorization: `Bearer ${value}`,
        cookie: thief.cookieHeader(),
        'x-idp-sandbox-ui': '1',
      };
    }
    const outcomes: string[] = [];
    for (const [label, headers] of Object.entries(attempts)) {
      for (const method of ['workspace.export', 'users.list', 'events.stream']) {
        outcomes.push(`${label} → ${method}: ${await adminStatus(method, headers)}`);
      }
    }
    expect(outcomes).toEqual(outcomes.map((outcome) => outcome.replace(/\d+$/, '401')));
  });

  it('while the signed-in UI tab keeps its admin access, and no cookie carries its credential', async () => {
    // The tab that used the printed link still reaches the admin API: it lists the user.
    await uiPage.goto(`${engine.issuer}/ui/#/users`);
    await uiPage.getByRole('main').getByText(USERNAME, { exact: true }).first().waitFor();
    const tabStorage = await uiPage.evaluate<string[]>('Object.values(window.sessionStorage)');
    const everyCookie = await context.cookies();
    expect(everyCookie.length).toBeGreaterThan(0);
    for (const cookie of everyCookie) expect(tabStorage).not.toContain(cookie.value);
  });

  it("a replayed sign-in session cookie at /authorize, with the replayer's own PKCE, gets no code for a password user", async () => {
    const session = thief.cookies().find((cookie) => cookie.name === 'idp_sandbox_session');
    expect(session).toBeDefined();
    const cookie = `idp_sandbox_session=${session?.value}`;
    for (const extra of [{}, { prompt: 'none' }] as Record<string, string>[]) {
      const { challenge } = pkce();
      const response = await fetch(authorizeUrl(challenge, extra), {
        headers: { cookie },
        redirect: 'manual',
      });
      await response.body?.cancel();
      const location = response.headers.get('location');
      const code = location ? new URL(location, engine.issuer).searchParams.get('code') : null;
      expect({ extra, code }).toEqual({ extra, code: null });
    }
  });
});
