/**
 * Shared set-up for the UI e2e tests (test/e2e/ui-*.test.ts): a real engine serving the built UI, a
 * headless Chromium signed in through the printed URL, and the admin HTTP API for arranging data
 * the way a script would.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { BUILT_UI, startTestEngine } from '../helpers/engine';
import { ARTIFACTS_DIR, launchChromium } from './chromium';

export type TestEngine = Awaited<ReturnType<typeof startTestEngine>>;

export interface UiSession {
  engine: TestEngine;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Every console error fails the test (a CSP violation, a 404 for an icon, an exception), except
 * Chromium's own line for an admin call the engine answered with an error status: the UI shows those
 * (a refused form, a missing token), and Chromium logs each fetch that gets a 4xx as well.
 */
export function isAnsweredAdminCall(message: ConsoleMessage): boolean {
  return /^Failed to load resource/.test(message.text()) && message.location().url.includes('/admin/api/');
}

/**
 * Signs `page` in through the printed URL and shows `route`. Each tab signs in on its own: the UI
 * keeps its token in the tab's sessionStorage, which a new tab does not share.
 */
export async function signInTab(page: Page, engine: TestEngine, route: string): Promise<void> {
  await page.goto(engine.uiUrl as string);
  await page.goto(`${engine.issuer}/ui/#/${route}`);
  await page.getByTestId('issuer').filter({ hasText: engine.issuer }).waitFor();
}

/** Starts an engine with the UI and a signed-in page showing `route` ("users", "tokens", …). */
export async function startUi(route: string): Promise<UiSession> {
  if (!fs.existsSync(path.join(BUILT_UI, 'index.html'))) {
    throw new Error(`No UI build in ${BUILT_UI}: run "npm run build" (npm run test:e2e does it for you).`);
  }
  const engine = await startTestEngine({ uiDir: BUILT_UI });
  const chromium = await launchChromium();
  try {
    const context = await chromium.browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: engine.issuer });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !isAnsweredAdminCall(message)) {
        errors.push(`${message.text()} (${message.location().url})`);
      }
    });
    await signInTab(page, engine, route);
    return {
      engine,
      context,
      page,
      async close() {
        await chromium.close();
        await engine.cleanup();
        // An uncaught exception in the page is a failure even when the assertions passed.
        if (errors.length) throw new Error(`The page failed: ${errors.join('; ')}`);
      },
    };
  } catch (error) {
    await chromium.close();
    await engine.cleanup();
    throw error;
  }
}

/**
 * One signed-in UI for a whole test file: starts it before the file's tests and closes it after them.
 * Call the returned function inside a test (the session exists once beforeAll ran).
 */
export function uiForFile(route: string): () => UiSession {
  let session: UiSession | undefined;
  beforeAll(async () => {
    session = await startUi(route);
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error('The UI session starts in beforeAll: call it inside a test.');
    return session;
  };
}

/** Calls the admin HTTP API the way a script does, with the bearer admin token. */
export async function admin<T = unknown>(engine: TestEngine, method: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${engine.issuer}/admin/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** A confidential client allowed client_credentials, created through the admin API. */
export async function createServiceClient(
  engine: TestEngine,
  clientId: string,
  extra: Record<string, unknown> = {},
): Promise<{ client_id: string; client_secret: string }> {
  return admin(engine, 'clients.create', {
    client_id: clientId,
    client_secret: `${clientId}-secret`,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'api:read',
    ...extra,
  });
}

/** The confidential browser-app client "web" (authorization code + refresh), created through the admin API. */
export async function createWebClient(
  engine: TestEngine,
  extra: Record<string, unknown> = {},
): Promise<{ client_id: string; client_secret: string }> {
  return admin(engine, 'clients.create', {
    client_id: 'web',
    client_secret: 'web-secret',
    redirect_uris: ['http://127.0.0.1:5173/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    ...extra,
  });
}

/** Asks the engine's token endpoint for a client_credentials token, as a service would. */
export async function clientCredentialsToken(
  engine: TestEngine,
  client: { client_id: string; client_secret: string },
): Promise<{ access_token: string; token_type: string; expires_in: number }> {
  const basic = Buffer.from(
    `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
  ).toString('base64');
  const response = await fetch(`${engine.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }).toString(),
  });
  const json = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Answers the app's confirmation dialog with its confirm button. */
export async function confirmDialog(page: Page, confirmLabel: string): Promise<void> {
  const dialog = page
    .getByRole('dialog')
    .filter({ has: page.getByRole('button', { name: 'Cancel', exact: true }) })
    .filter({ has: page.getByRole('button', { name: confirmLabel, exact: true }) });
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
  await expect.poll(() => dialog.count()).toBe(0);
}

/** What the page's clipboard holds (the context is granted clipboard access). */
export function readClipboard(page: Page): Promise<string> {
  // A string expression: this side is type-checked without the DOM library.
  return page.evaluate<string>('navigator.clipboard.readText()');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({
    path: path.join(ARTIFACTS_DIR, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}
