import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, confirmDialog, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('users');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

interface UserDto {
  username: string;
  password: string | null;
  sub: string;
  claims: Record<string, unknown>;
}

describe('Users page', () => {
  it('starts with an empty state that says what to do', async () => {
    await page.getByText('No users yet').waitFor();
    await page.getByRole('button', { name: 'Create the first user' }).waitFor();
  });

  it('creates a user with custom claims in the table, checks them as JSON and lists the user', async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('alice');
    await dialog.getByLabel('Password', { exact: true }).fill('wonderland');

    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim name 1').fill('email');
    await dialog.getByLabel('Claim value 1').fill('alice@example.com');
    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim name 2').fill('roles');
    await dialog.getByLabel('Claim value 2').fill('["admin", "qa"]');
    await dialog.getByRole('button', { name: 'Add claim' }).click();
    await dialog.getByLabel('Claim name 3').fill('email_verified');
    await dialog.getByLabel('Claim value 3').fill('true');

    // Table → JSON: typed values survive the switch.
    await dialog.getByText('JSON', { exact: true }).click();
    const json = dialog.getByLabel('Claims JSON');
    expect(JSON.parse(await json.inputValue())).toEqual({
      email: 'alice@example.com',
      roles: ['admin', 'qa'],
      email_verified: true,
    });

    // Invalid JSON is reported inline and blocks saving.
    await json.fill('{"email": ');
    await dialog.getByText(/Invalid JSON/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Create user' }).isDisabled()).toBe(true);
    // A claim the provider sets itself is refused with the engine's own rule.
    await json.fill('{"sub": "x"}');
    await dialog.getByText(/set by the provider/).waitFor();

    await json.fill(
      JSON.stringify({
        email: 'alice@example.com',
        roles: ['admin', 'qa'],
        email_verified: true,
        tenant: { id: 7 },
      }),
    );
    // JSON → table again.
    await dialog.getByText('Table', { exact: true }).click();
    expect(await dialog.getByLabel('Claim value 4').inputValue()).toBe('{"id":7}');
    await screenshot(page, 'ui-users-form');

    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    const row = page.getByRole('row', { name: /alice/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('alice@example.com');

    const stored = await admin<UserDto>(ui.engine, 'users.get', { username: 'alice' });
    expect(stored.claims).toEqual({
      email: 'alice@example.com',
      roles: ['admin', 'qa'],
      email_verified: true,
      tenant: { id: 7 },
    });
    expect(stored.password).toBe('wonderland');
    await screenshot(page, 'ui-users');
  });

  it('shows users created elsewhere live and finds them by search', async () => {
    await admin(ui.engine, 'users.create', { username: 'bob', claims: { name: 'Bob Builder' } });
    await page.getByRole('row', { name: /bob/ }).waitFor();

    await page.getByLabel('Search users').fill('bob');
    await expect.poll(() => page.getByRole('row', { name: /alice/ }).count()).toBe(0);
    await page.getByRole('row', { name: /bob/ }).waitFor();
    await page.getByLabel('Search users').fill('nobody-here');
    await page.getByText('No user matches "nobody-here"').waitFor();
    await page.getByLabel('Search users').fill('');
    await page.getByRole('row', { name: /alice/ }).waitFor();
  });

  it('previews the claims of each token for the user', async () => {
    await page.getByRole('button', { name: 'Preview claims for alice' }).click();
    const dialog = page.getByRole('dialog', { name: 'Token claims for alice' });
    const idToken = dialog.getByRole('region', { name: 'ID token claims' });
    await idToken.waitFor();
    await expect
      .poll(() => dialog.getByRole('region', { name: 'Userinfo response' }).textContent())
      .toContain('alice@example.com');
    const stored = await admin<UserDto>(ui.engine, 'users.get', { username: 'alice' });
    expect(await idToken.textContent()).toContain(stored.sub);
    await dialog.getByRole('region', { name: 'Access token claims' }).waitFor();
    await screenshot(page, 'ui-users-preview');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('edits a user: renames a claim value and clears the password', async () => {
    await page.getByRole('button', { name: 'Edit alice' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit alice' });
    await dialog.getByLabel('Claim value 1').fill('alice@corp.example');
    await dialog.getByLabel('Password', { exact: true }).fill('');
    await dialog.getByRole('button', { name: 'Save user' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect
      .poll(() => page.getByRole('row', { name: /alice/ }).textContent())
      .toContain('alice@corp.example');
    const stored = await admin<UserDto>(ui.engine, 'users.get', { username: 'alice' });
    expect(stored.claims.email).toBe('alice@corp.example');
    expect(stored.password).toBeNull();
  });

  it('shows the engine error when a username is taken', async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('bob');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Could not save the user' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('deletes a user only after confirmation, which says their tokens are revoked (and they are)', async () => {
    await admin(ui.engine, 'clients.create', { client_id: 'minter', grant_types: ['client_credentials'] });
    const minted = await admin<{ token: { id: string } }>(ui.engine, 'tokens.mint', {
      client_id: 'minter',
      username: 'bob',
    });
    await page.getByRole('button', { name: 'Delete bob' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete bob?' });
    await confirm.getByText('all their tokens are revoked').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('row', { name: /bob/ }).waitFor();

    await page.getByRole('button', { name: 'Delete bob' }).click();
    await confirmDialog(page, 'Delete user');
    await expect.poll(() => page.getByRole('row', { name: /bob/ }).count()).toBe(0);
    const users = await admin<UserDto[]>(ui.engine, 'users.list', {});
    expect(users.map((u) => u.username)).toEqual(['alice']);
    const token = await admin<{ state: string }>(ui.engine, 'tokens.get', { id: minted.token.id });
    expect(token.state).toBe('revoked');
  });
});
