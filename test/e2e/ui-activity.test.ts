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
    // Newest first, with local time and how long ago.
    const first = events().getByRole('row').nth(1);
    expect(await first.textContent()).toContain('token.issued');
    expect(await first.textContent()).toMatch(/\((now|\d+ s ago)\)/);
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
});
