import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

/** Claim mapping in the real UI: a mapping added in the client editor shows in the claims preview, with why. */
let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('clients');
  page = ui.page;
  await admin(ui.engine, 'users.create', { username: 'alice', claims: { dept: 'research', tenant: 'acme' } });
  await createWebClient(ui.engine, { scope: 'openid profile' });
  await page.reload();
  await page.getByTestId('issuer').filter({ hasText: ui.engine.issuer }).waitFor();
});
afterAll(async () => {
  await ui?.close();
});

describe('claim mapping in the client editor', () => {
  it('adds a mapping, refuses a protocol claim name, and saves what was typed', async () => {
    await page.getByRole('button', { name: 'Edit web' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit client web' });
    const claims = dialog.getByRole('region', { name: 'Claims' });
    await claims.getByRole('button', { name: 'Add claim mapping' }).click();
    const row = claims.getByRole('group', { name: 'Claim mapping 1' });
    await row.getByRole('textbox', { name: 'Claim name in the token' }).fill('sub');
    await row.getByRole('textbox', { name: 'User claim' }).fill('dept');
    await dialog.getByRole('button', { name: 'Save client' }).click();
    // Refused before the round trip, under the field and in the form's error.
    await row.getByText(/"sub" is a protocol claim the provider sets itself/).waitFor();
    await row.getByRole('textbox', { name: 'Claim name in the token' }).fill('department');
    await dialog.getByRole('button', { name: 'Save client' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await admin(ui.engine, 'clients.get', { client_id: 'web' })).toMatchObject({
      claim_mappings: [
        {
          name: 'department',
          source: { user_claim: 'dept' },
          tokens: ['access', 'id', 'userinfo', 'introspection'],
        },
      ],
    });
  });

  it('shows the mapped claim in the claims preview with its reason', async () => {
    await page.goto(`${ui.engine.issuer}/ui/#/users`);
    await page.getByRole('button', { name: 'Preview claims for alice' }).click();
    const dialog = page.getByRole('dialog', { name: 'Token claims for alice' });
    await dialog.getByLabel('Client', { exact: true }).click();
    await page.getByRole('option', { name: 'web' }).click();
    const why = dialog.getByRole('table', { name: 'Why: ID token' });
    const department = why.locator('tr[data-claim="department"]');
    await expect
      .poll(() => department.locator('[data-reason]').textContent())
      .toBe('mapped by client `web` (user claim `dept` → `department`)');
    expect(await department.textContent()).toContain('research');
    // The source claim no longer goes in under its own name; the others still do, and say so.
    expect(await why.locator('tr[data-claim="dept"]').count()).toBe(0);
    expect(await why.locator('tr[data-claim="tenant"] [data-reason]').textContent()).toBe(
      'custom claim of the user (all custom claims)',
    );
    expect(await why.locator('tr[data-claim="iss"] [data-reason]').textContent()).toBe('protocol claim');
    await screenshot(page, 'ui-claim-mapping-preview');
  });
});
