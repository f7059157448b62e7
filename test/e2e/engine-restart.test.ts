import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/core/engine';
import { UI_TOKEN_FILE } from '../../main/core/lib/paths';
import { BUILT_UI, tempDir } from '../helpers/engine';
import { ARTIFACTS_DIR, launchChromium } from './chromium';

/**
 * Browser mode under an engine that stops and comes back: the header and Activity's badge follow the
 * live stream within seconds, and the tab recovers by itself on the same data folder (the UI token is
 * kept there), or says in words that its sign-in is gone and shows no stale data.
 */

let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: Browser;
const folders: string[] = [];
const engines: Engine[] = [];

beforeAll(async () => {
  chromium = await launchChromium();
  browser = chromium.browser;
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
});
afterAll(async () => {
  await chromium?.close();
  for (const engine of engines) await engine.close().catch(() => undefined);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string, port = 0): Promise<Engine> {
  const engine = await createEngine({ dataDir, port, uiDir: BUILT_UI });
  engines.push(engine);
  return engine;
}

async function stop(engine: Engine): Promise<void> {
  await engine.close();
  engines.splice(engines.indexOf(engine), 1);
}

/** The aria-label of the element whose label starts with `prefix`, or null: never waits for it to appear. */
function labelStartingWith(page: Page, prefix: string): Promise<string | null> {
  return page.evaluate<string | null>(
    `document.querySelector('[aria-label^="${prefix}"]')?.getAttribute('aria-label') ?? null`,
  );
}
const serverState = (page: Page) => labelStartingWith(page, 'Server state: ');
const liveBadge = (page: Page) => labelStartingWith(page, 'Live updates: ');
/** Within 5 s, as the issue asks of the header; polled, never slept. */
const soon = { timeout: 5000, intervals: [100] };

describe('an open UI while the engine stops and starts again', () => {
  it('shows the truth within 5 s and recovers without a new link on the same data folder', async () => {
    const dataDir = tempDir('idp-sandbox-restart-');
    folders.push(dataDir);
    const first = await start(dataDir);
    const page = await (await browser.newContext()).newPage();
    await page.goto(first.uiUrl as string);
    await page.goto(`${first.issuer}/ui/#/activity`);
    await expect.poll(() => serverState(page), soon).toBe('Server state: Running');
    await expect.poll(() => liveBadge(page), soon).toBe('Live updates: Live');

    await stop(first);
    await expect.poll(() => serverState(page), soon).toBe('Server state: Unreachable');
    await expect.poll(() => liveBadge(page), soon).toBe('Live updates: Reconnecting');
    await expect.poll(() => page.getByText('The engine is not answering').count(), soon).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'engine-restart-down.png') });

    // Back on the same port and folder; a change made while the tab was disconnected shows up.
    const second = await start(dataDir, first.port);
    await second.call('users.create', { username: 'made-while-away' });
    await expect.poll(() => serverState(page), soon).toBe('Server state: Running');
    await expect.poll(() => liveBadge(page), soon).toBe('Live updates: Live');
    await expect.poll(() => page.getByText('The engine is not answering').count(), soon).toBe(0);
    await page.goto(`${second.issuer}/ui/#/users`);
    await expect
      .poll(() => page.getByRole('cell', { name: 'made-while-away' }).count(), soon)
      .toBeGreaterThan(0);
    await page.context().close();
  });

  it('when the engine no longer accepts the tab, says so in words and shows nothing stale', async () => {
    const dataDir = tempDir('idp-sandbox-restart-');
    folders.push(dataDir);
    const first = await start(dataDir);
    await first.call('users.create', { username: 'from-before' });
    const page = await (await browser.newContext()).newPage();
    await page.goto(first.uiUrl as string);
    await page.goto(`${first.issuer}/ui/#/users`);
    await expect.poll(() => page.getByRole('cell', { name: 'from-before' }).count(), soon).toBeGreaterThan(0);

    // A new UI token: the file that kept it is gone, as if the folder were reset.
    await stop(first);
    fs.rmSync(path.join(dataDir, UI_TOKEN_FILE));
    await start(dataDir, first.port);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent(), soon)
      .toBe('Sign-in link expired');
    await expect.poll(() => page.textContent('body')).toContain('Admin UI');
    expect(await page.getByRole('cell', { name: 'from-before' }).count()).toBe(0);
    expect(await serverState(page)).toBeNull();
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'engine-restart-signed-out.png') });
    await page.context().close();
  });
});
