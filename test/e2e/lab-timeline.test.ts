import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  clientCredentialsToken,
  createServiceClient,
  createWebClient,
  screenshot,
  startUi,
  type UiSession,
} from './ui-helpers';

let ui: UiSession;
let page: Page;
let canvas: Locator;

beforeAll(async () => {
  ui = await startUi('lab/timeline');
  page = ui.page;
  canvas = page.getByTestId('timeline-canvas');
});
afterAll(async () => {
  await ui?.close();
});

/** Live updates take a refetch or two: allow more than expect.poll's default second. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const data = (name: string) => canvas.getAttribute(`data-${name}`);
const num = async (name: string) => Number(await data(name));

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function form(path: string, auth: string, body: Record<string, string>) {
  const response = await fetch(`${ui.engine.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('Lab: token timeline', () => {
  it('starts empty and says how to get tokens on it', async () => {
    await page.getByRole('heading', { level: 2, name: 'Token timeline' }).waitFor();
    await page.getByText('No tokens to draw yet').waitFor();
    await page.getByText(/Mint one on the Mint page/).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Timeline', exact: true }).getAttribute('aria-current')).toBe(
      'page',
    );
  });

  it('draws a token the moment the token endpoint issues it, then marks its introspection', async () => {
    const client = await createServiceClient(ui.engine, 'billing-svc');
    const issued = await clientCredentialsToken(ui.engine, client);
    // No reload: the bar arrives through the live event stream.
    await poll(() => data('bar-count')).toBe('1');
    await poll(() => data('drawn')).toBe('1');
    expect(await page.getByTestId('timeline-summary').textContent()).toMatch(
      /^1 token in 1 family · 0 introspections/,
    );

    const introspected = await form('/introspect', basic('billing-svc', 'billing-svc-secret'), {
      token: issued.access_token,
    });
    expect(introspected.json.active).toBe(true);
    await poll(() => data('mark-count')).toBe('1');
    await poll(() => page.getByTestId('timeline-summary').textContent()).toContain('1 introspection');
  });

  it('draws a rotation chain as lineage and marks the reuse detection that revokes the family', async () => {
    await admin(ui.engine, 'users.create', { username: 'alice', claims: { email: 'alice@example.test' } });
    await createWebClient(ui.engine, { scope: 'openid email offline_access' });
    const signIn = await admin<{ ok: boolean; tokens: Record<string, string> }>(ui.engine, 'playground.run', {
      flow: 'authorization_code',
      client_id: 'web',
      username: 'alice',
    });
    expect(signIn.ok).toBe(true);
    await poll(() => data('bar-count')).toBe('4');

    const first = signIn.tokens.refresh_token as string;
    const refreshed = await form('/token', basic('web', 'web-secret'), {
      grant_type: 'refresh_token',
      refresh_token: first,
    });
    expect(refreshed.status).toBe(200);
    // Three new tokens, each a child of the used refresh token.
    await poll(() => data('bar-count')).toBe('7');
    expect(await num('link-count')).toBe(3);

    // The spent refresh token again: reuse detection revokes the whole family.
    const replay = await form('/token', basic('web', 'web-secret'), {
      grant_type: 'refresh_token',
      refresh_token: first,
    });
    expect(replay.status).toBe(400);
    // Marks: one introspection, one reuse detection, and a revocation on each other token of the family.
    await poll(() => num('mark-count')).toBe(1 + 1 + 5);
    await screenshot(page, 'lab-timeline');
  });

  it('filters by client and kind', async () => {
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'billing-svc' }).click();
    await poll(() => data('bar-count')).toBe('1');
    await page.getByRole('button', { name: 'Clear client filter' }).click();
    await poll(() => data('bar-count')).toBe('7');

    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Refresh' }).click();
    await poll(() => data('bar-count')).toBe('2');
    await page.getByRole('button', { name: 'Clear kind filter' }).click();
    await poll(() => data('bar-count')).toBe('7');
  });

  it('zooms with the buttons, the presets and the wheel, and pans away from now', async () => {
    // Both ends read in one go: while the view follows the clock it moves between two separate reads.
    const viewSpan = () =>
      canvas.evaluate(
        (element) =>
          Number(element.getAttribute('data-view-end')) - Number(element.getAttribute('data-view-start')),
      );
    expect(await viewSpan()).toBe(3_600_000);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(viewSpan).toBe(1_800_000);
    await page.getByText('6 h', { exact: true }).click();
    await poll(viewSpan).toBe(6 * 3_600_000);

    // Ctrl + wheel over the plot zooms in around the pointer.
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas box');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await poll(viewSpan).toBeLessThan(6 * 3_600_000);

    // Panning stops following the clock.
    const follow = page.getByRole('switch', { name: 'Follow now' });
    expect(await follow.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Earlier' }).click();
    await poll(() => follow.isChecked()).toBe(false);
    await page.getByText('Fit all', { exact: true }).click();
    // Fit all shows every bar from the first issue to the last expiry (the refresh tokens' two weeks).
    await poll(viewSpan).toBeGreaterThan(13 * 24 * 3_600_000);
    await poll(() => data('drawn')).toBe('7');
    await page.getByText('1 h', { exact: true }).click();
    await poll(() => follow.isChecked()).toBe(true);
  });

  it('opens the token drawer for the bar that is clicked, or selected from the keyboard', async () => {
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas box');
    const rowHeight = Number(await data('row-height'));
    const axis = Number(await data('axis-height'));
    // Row 0 is the newest family's first token, an access token (which family is newest depends on
    // timing: the refreshed sign-in or the machine token). Its bar runs from a moment ago to an hour
    // from now, so the right edge of a followed 1 h view is inside it.
    const tokens = await admin<{ tokens: Array<{ id: string; kind: string; parent_id: string | null }> }>(
      ui.engine,
      'tokens.list',
      {},
    );
    await page.mouse.click(box.x + box.width - 12, box.y + axis + rowHeight / 2);
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer.waitFor();
    await poll(() => drawer.getByRole('group', { name: 'Token summary' }).textContent()).toContain(
      'Access token',
    );
    await drawer.getByRole('tab', { name: 'Facts' }).click();
    const facts = await drawer.getByRole('table', { name: 'Token metadata' }).textContent();
    const opened = tokens.tokens.find((t) => facts?.includes(t.id));
    expect(opened?.kind).toBe('access');
    await screenshot(page, 'lab-timeline-drawer');
    await page.keyboard.press('Escape');
    await poll(() => drawer.count()).toBe(0);

    // Keyboard: focus the timeline, move down to the second row, open it.
    await canvas.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await poll(() => page.locator('#timeline-selection').textContent()).toMatch(/^Selected: /);
    await page.keyboard.press('Enter');
    await drawer.waitFor();
    await page.keyboard.press('Escape');
  });
});
