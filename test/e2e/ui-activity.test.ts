import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  clientCredentialsToken,
  createServiceClient,
  screenshot,
  startUi,
  type UiSession,
} from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('activity');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

const events = () => page.getByRole('table', { name: 'Events' });
const scroller = () => page.getByTestId('events-scroll');
/** The key (event id) of the first row rendered, the one at the top of the view. */
const firstRowKey = () => events().locator('[data-row-key]').first().getAttribute('data-row-key');
/** The first rendered row once the table has caught up with a scroll (it re-renders a frame or more later). */
async function settledFirstRowKey(): Promise<string | null> {
  let previous = await firstRowKey();
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(150);
    const now = await firstRowKey();
    if (now === previous) return now;
    previous = now;
  }
  throw new Error('the first rendered row kept changing for 6 s after a scroll');
}
const eventRows = (type: string) => events().getByRole('row').filter({ hasText: type });

describe('Activity page', () => {
  it('shows events live as the engine records them', async () => {
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await admin(ui.engine, 'users.create', { username: 'carol', claims: { email: 'carol@example.com' } });
    await eventRows('user.created').filter({ hasText: 'carol' }).waitFor();

    const client = await createServiceClient(ui.engine, 'orders-svc');
    await eventRows('client.created').filter({ hasText: 'orders-svc' }).waitFor();

    await clientCredentialsToken(ui.engine, client);
    const issued = eventRows('token.issued').filter({ hasText: 'orders-svc' });
    await issued.waitFor();
    // Newest first, with local time and how long ago: the token request's outcome (written once it
    // was answered), then the token it issued.
    await eventRows('token 200').filter({ hasText: 'orders-svc' }).waitFor();
    const first = events().getByRole('row').nth(1);
    expect(await first.textContent()).toContain('token 200');
    expect(await first.textContent()).toMatch(/\((now|\d+ s ago)\)/);
    expect(await events().getByRole('row').nth(2).textContent()).toContain('token.issued');
    await screenshot(page, 'ui-activity');
  });

  it('opens the token an event is about', async () => {
    await eventRows('token.issued')
      .getByRole('button', { name: /^Open token of event/ })
      .first()
      .click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Payload' }).textContent())
      .toContain('orders-svc');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('filters by event type, client and user', async () => {
    await page.getByRole('combobox', { name: 'Event type', exact: true }).fill('user.created');
    await page.getByRole('option', { name: 'user.created' }).click();
    // The filtered list replaces the rows once its first page answers: both are waited for (the
    // table may hold no rows at all in between).
    await expect.poll(() => eventRows('client.created').count()).toBe(0);
    await expect.poll(() => eventRows('user.created').count()).toBe(1);

    // Live updates respect the filter.
    await admin(ui.engine, 'users.create', { username: 'dave' });
    await eventRows('user.created').filter({ hasText: 'dave' }).waitFor();
    await admin(ui.engine, 'clients.create', {
      client_id: 'ignored-svc',
      grant_types: ['client_credentials'],
    });
    await page.getByRole('button', { name: 'Clear event type filter' }).click();
    await eventRows('client.created').filter({ hasText: 'ignored-svc' }).waitFor();

    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'orders-svc' }).click();
    await expect.poll(() => eventRows('user.created').count()).toBe(0);
    await expect.poll(() => eventRows('token.issued').count()).toBeGreaterThan(0);
    expect(await eventRows('ignored-svc').count()).toBe(0);

    await page.getByRole('combobox', { name: 'User', exact: true }).click();
    await page.getByRole('option', { name: 'dave' }).click();
    await page.getByText('No event matches these filters').waitFor();
  });

  it('shows a failed token request with its reason, and its redacted request when opened', async () => {
    await page.getByRole('button', { name: 'Clear user filter' }).click();
    await page.getByRole('button', { name: 'Clear client filter' }).click();
    const wrongSecret = 'definitely-the-wrong-secret';
    const refused = await clientCredentialsToken(ui.engine, {
      client_id: 'orders-svc',
      client_secret: wrongSecret,
    }).catch((error: Error) => error);
    expect(String(refused)).toContain('401');

    const failure = eventRows('token 401').filter({ hasText: 'orders-svc' });
    await failure.waitFor();
    expect(await failure.textContent()).toContain('invalid_client');
    // Errors only: the failure stays, successful requests and admin changes go.
    await page.getByRole('switch', { name: 'Errors only' }).click();
    await expect.poll(() => eventRows('token 200').count()).toBe(0);
    await expect.poll(() => failure.count()).toBe(1);
    expect(await eventRows('user.created').count()).toBe(0);

    await failure.getByRole('button', { name: /^Open event/ }).click();
    const drawer = page.getByRole('dialog', { name: /^Event \d+: request/ });
    // The failure first, in words: status, OAuth error and its description.
    const reason = drawer.getByRole('alert').filter({ hasText: '401 invalid_client' });
    await reason.waitFor();
    expect(await reason.textContent()).toMatch(/client|secret/i);
    const headers = drawer.getByRole('region', { name: 'Request headers' });
    await expect.poll(() => headers.textContent()).toContain('Basic [redacted] (client_id orders-svc)');
    expect(await drawer.textContent()).not.toContain(wrongSecret);
    expect(await drawer.getByRole('region', { name: 'Request body' }).textContent()).toContain(
      'client_credentials',
    );
    expect(await drawer.getByRole('region', { name: 'Response body' }).textContent()).toContain(
      'invalid_client',
    );
    expect(await drawer.getByLabel('Request line').textContent()).toBe('POST /token → 401');
    await screenshot(page, 'ui-activity-failure');
    await page.keyboard.press('Escape');
    await page.getByRole('switch', { name: 'Errors only' }).click();
  });

  it('shows each kind of failure a service meets with its reason, its request redacted', async () => {
    const client = { client_id: 'mobile', client_secret: 'mobile-secret-value' };
    await admin(ui.engine, 'clients.create', {
      ...client,
      grant_types: ['password', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid api:read offline_access',
      refresh_token_ttl: 60,
    });
    await admin(ui.engine, 'users.create', { username: 'erin', password: 'erin-password' });
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const token = async (form: Record<string, string>) => {
      const response = await fetch(`${ui.engine.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    const signedIn = await token({
      grant_type: 'password',
      username: 'erin',
      password: 'erin-password',
      scope: 'openid offline_access',
    });
    expect(signedIn.status).toBe(200);
    const refreshToken = signedIn.body.refresh_token as string;

    // An unknown refresh token, a scope the client may not have, a made-up bearer token at userinfo.
    const madeUp = 'made-up-refresh-token-value-0123456789';
    expect((await token({ grant_type: 'refresh_token', refresh_token: madeUp })).body.error).toBe(
      'invalid_grant',
    );
    expect((await token({ grant_type: 'client_credentials', scope: 'admin:all' })).body.error).toBe(
      'invalid_scope',
    );
    const badBearer = 'not-a-token-anyone-issued-0123456789';
    const userinfo = await fetch(`${ui.engine.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${badBearer}` },
    });
    expect(userinfo.status).toBe(401);
    // An expired refresh token: provider time moves past its 60 s lifetime.
    await admin(ui.engine, 'settings.update', { clock_offset_seconds: 120 });
    try {
      expect((await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).body.error).toBe(
        'invalid_grant',
      );
    } finally {
      await admin(ui.engine, 'settings.update', { clock_offset_seconds: 0 });
    }

    await page.getByRole('switch', { name: 'Errors only' }).click();
    const failures: Array<[string, string, string]> = [
      ['token 400', 'invalid_grant', madeUp],
      ['token 400', 'invalid_scope', client.client_secret],
      ['userinfo 401', 'invalid_token', badBearer],
      ['token 400', 'invalid_grant', refreshToken],
    ];
    for (const [label, error] of failures) {
      await eventRows(label).filter({ hasText: error }).first().waitFor();
    }
    // The expired one says why, and opening it shows the request with the token redacted.
    const expired = eventRows('token 400')
      .filter({ hasText: /expired/i })
      .first();
    await expired.waitFor();
    await expired.getByRole('button', { name: /^Open event/ }).click();
    const drawer = page.getByRole('dialog', { name: /^Event \d+: request/ });
    await drawer.getByRole('alert').filter({ hasText: '400 invalid_grant' }).waitFor();
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Request body' }).textContent())
      .toContain('refresh_token');
    const shown = (await drawer.textContent()) ?? '';
    for (const [, , secret] of failures) expect(shown).not.toContain(secret);
    await page.keyboard.press('Escape');

    const unauthorized = eventRows('userinfo 401').first();
    await unauthorized.getByRole('button', { name: /^Open event/ }).click();
    await drawer.getByRole('alert').filter({ hasText: '401 invalid_token' }).waitFor();
    expect(await drawer.textContent()).not.toContain(badBearer);
    await screenshot(page, 'ui-activity-failure-kinds');
    await page.keyboard.press('Escape');
    // Every event badge is whole ("userinfo 401", "token.reuse_detected"), never cut short.
    const cut = await events()
      .locator('.mantine-Badge-label')
      .evaluateAll(
        (all: Array<{ scrollWidth: number; clientWidth: number }>) =>
          all.filter((label) => label.scrollWidth > label.clientWidth).length,
      );
    expect(cut).toBe(0);
    await page.getByRole('switch', { name: 'Errors only' }).click();
  });

  it('holds the rows still while scrolled down, and shows the new events on request', async () => {
    // Live events are added from the stream with their content: the list is not read again.
    const reads: string[] = [];
    const onRequest = (request: Request) => {
      const method = /\/admin\/api\/(events\.[a-z]+)/.exec(request.url())?.[1];
      if (method) reads.push(method);
    };
    page.on('request', onRequest);
    for (let i = 0; i < 40; i++) await admin(ui.engine, 'users.create', { username: `filler-${i}` });
    await eventRows('user.created').filter({ hasText: 'filler-39' }).waitFor();
    page.off('request', onRequest);
    expect(reads.filter((method) => method !== 'events.count')).toEqual([]);
    await scroller().evaluate((element: { scrollTop: number }) => {
      element.scrollTop = 400;
    });
    const shown = await settledFirstRowKey();
    await admin(ui.engine, 'users.create', { username: 'while-away-1' });
    await admin(ui.engine, 'users.create', { username: 'while-away-2' });
    const show = page.getByRole('button', { name: '2 new events — show' });
    await show.waitFor();
    // The rows did not move under the reader: the same one is first in view, nothing was added above.
    expect(await firstRowKey()).toBe(shown);
    expect(await eventRows('while-away').count()).toBe(0);
    await show.click();
    await eventRows('user.created').filter({ hasText: 'while-away-2' }).waitFor();
    expect(await scroller().evaluate((element: { scrollTop: number }) => element.scrollTop)).toBe(0);
    await expect.poll(() => show.count()).toBe(0);
  });

  it('scrolls through thousands of events to the oldest, and finds one by free text', async () => {
    const bulk = await createServiceClient(ui.engine, 'bulk-svc');
    // 2,000 token requests, 16 at a time: each records the token it issued (successful requests
    // themselves are sampled).
    let next = 0;
    const worker = async () => {
      while (next < 2000) {
        next += 1;
        if (next === 900) await admin(ui.engine, 'users.create', { username: 'Needle-Q9X' });
        await clientCredentialsToken(ui.engine, bulk);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const total = (await admin<{ count: number; exact: boolean }>(ui.engine, 'events.count', {})).count;
    expect(total).toBeGreaterThan(2000);
    // The count follows live events (at most once a second), exact without a filter.
    await expect
      .poll(() => page.getByTestId('events-count').textContent(), { timeout: 10_000 })
      .toBe(`${total.toLocaleString('en-US')} events`);
    // A burst this fast may overload the live stream; the page then brings the newest events in steps
    // (live-pace.ts), and what comes while scrolled down waits behind "N new events". So the last step
    // must be in, the newest event shown, before scrolling down.
    const [newest] = await admin<Array<{ id: number }>>(ui.engine, 'events.list', { limit: 1 });
    await events().locator(`[data-row-key="${newest?.id}"]`).waitFor();

    // Down to the end, page after page: every event once, the oldest last.
    const [oldest] = await admin<Array<{ id: number }>>(ui.engine, 'events.list', { after_id: 0, limit: 1 });
    const loaded = () => events().getAttribute('aria-rowcount');
    const toEnd = () =>
      scroller().evaluate((element: { scrollTop: number; scrollHeight: number }) => {
        element.scrollTop = element.scrollHeight;
      });
    for (let i = 0; i < 100 && (await loaded()) !== String(total + 1); i++) {
      await toEnd();
      await page.waitForTimeout(100);
    }
    expect(await loaded()).toBe(String(total + 1));
    await toEnd();
    await events().locator(`[data-row-key="${oldest?.id}"]`).waitFor();
    await screenshot(page, 'ui-activity-scrolled');

    // Free text, in any case: the one event that names the user.
    await page.getByRole('textbox', { name: 'Search events' }).fill('needle-q9x');
    await expect.poll(() => events().getAttribute('aria-rowcount')).toBe('2');
    expect(await eventRows('user.created').filter({ hasText: 'Needle-Q9X' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('events-count').textContent()).toBe('1 event');
    // Live events are searched too, without asking the engine: a match shows, another event does not.
    await admin(ui.engine, 'users.create', { username: 'needle-q9x-2' });
    await admin(ui.engine, 'users.create', { username: 'haystack' });
    await eventRows('user.created').filter({ hasText: 'needle-q9x-2' }).waitFor();
    await expect.poll(() => page.getByTestId('events-count').textContent()).toBe('2 events');
    expect(await eventRows('haystack').count()).toBe(0);
    await page.getByRole('textbox', { name: 'Search events' }).fill('');
    await eventRows('user.created').filter({ hasText: 'haystack' }).waitFor();
  }, 120_000);

  it('starts again from the events left when the workspace is reset', async () => {
    await admin(ui.engine, 'workspace.reset', { confirm: true });
    await eventRows('workspace.reset').waitFor();
    await expect.poll(() => eventRows('user.created').count()).toBe(0);
    const left = (await admin<{ count: number }>(ui.engine, 'events.count', {})).count;
    await expect.poll(() => events().getAttribute('aria-rowcount')).toBe(String(left + 1));
    await expect
      .poll(() => page.getByTestId('events-count').textContent())
      .toBe(`${left} ${left === 1 ? 'event' : 'events'}`);
  });
});
