import type { Page } from 'playwright-core';
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
    await expect.poll(() => eventRows('client.created').count()).toBe(0);
    expect(await eventRows('user.created').count()).toBe(1);

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
    expect(await eventRows('token.issued').count()).toBeGreaterThan(0);
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
    expect(await eventRows('user.created').count()).toBe(0);
    expect(await failure.count()).toBe(1);

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

  it('pages through older events', async () => {
    // More events than one page holds (100): the oldest is reachable with Older.
    for (let i = 0; i < 105; i++) await admin(ui.engine, 'users.create', { username: `bulk-${i}` });
    await eventRows('user.created').filter({ hasText: 'bulk-104' }).waitFor();
    await page.getByRole('button', { name: 'Older', exact: true }).click();
    await page.getByText('Page 2 (older events)').waitFor();
    await eventRows('user.created').filter({ hasText: 'carol' }).waitFor();
    await page.getByRole('button', { name: 'Newest', exact: true }).click();
    await eventRows('user.created').filter({ hasText: 'bulk-104' }).waitFor();
  });
});
