import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { User } from '../../shared/schemas';
import { admin, confirmDialog, screenshot, type UiSession, uiForFile } from './ui-helpers';

/**
 * Several issuers in one engine, through the UI: a Keycloak-shaped issuer created on the Issuers page
 * answers at /realms/<name>; the header's switcher scopes every page to it (its users only), the
 * choice survives a reload, and renaming and deleting it (while shown) behave as the page says.
 */

const session = uiForFile('issuers');
let ui: UiSession;
let page: Page;
let origin: string;

beforeAll(async () => {
  ui = session();
  page = ui.page;
  origin = ui.engine.issuer;
  await admin(ui.engine, 'users.create', { username: 'alice' });
});

/** The admin HTTP API scoped to one issuer, the way a script selects it. */
async function adminAt<T>(issuer: string, method: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${origin}/admin/api/${method}?issuer=${encodeURIComponent(issuer)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ui.engine.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function usernamesAt(issuer: string): Promise<string[]> {
  return (await adminAt<User[]>(issuer, 'users.list')).map((user) => user.username);
}

/** A client_credentials token from one issuer, at the token endpoint its discovery names. */
async function serviceToken(issuer: string, issuerUrl: string): Promise<void> {
  await adminAt(issuer, 'clients.create', {
    client_id: 'svc',
    client_secret: 'svc-secret',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'api:read',
  });
  const discovery = await fetch(`${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const { token_endpoint } = (await discovery.json()) as { token_endpoint: string };
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=api%3Aread',
  });
  expect(response.status).toBe(200);
}

const issuersTable = () => page.getByRole('table', { name: 'Issuers' });
const issuerRow = (display: string) =>
  issuersTable()
    .getByRole('row')
    .filter({ has: page.getByText(display, { exact: true }) });
const headerIssuer = () => page.getByTestId('issuer');
const switcher = () => page.getByRole('combobox', { name: 'Current issuer' });

async function showIssuer(option: string) {
  await switcher().click();
  await page.getByRole('option', { name: new RegExp(`^${option}`) }).click();
  expect(await switcher().inputValue()).toBe(option);
}

async function openPage(name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 2, name }).waitFor();
}

async function usersListed(): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Users' });
  await table.waitFor();
  return table.getByRole('button', { name: /^Open / }).allTextContents();
}

describe('Issuers page and the issuer switcher', () => {
  it('lists the root issuer at the origin, which can be cloned but not edited or deleted', async () => {
    await page.getByRole('heading', { level: 2, name: 'Issuers' }).waitFor();
    const root = issuerRow('Root issuer');
    await root.getByText(origin, { exact: true }).waitFor();
    expect(await root.getByRole('button', { name: 'Clone Root issuer' }).count()).toBe(1);
    expect(await root.getByRole('button', { name: 'Edit Root issuer' }).count()).toBe(0);
    expect(await root.getByRole('button', { name: 'Delete Root issuer' }).count()).toBe(0);
    expect(await switcher().inputValue()).toBe('Root issuer');
  });

  it('creates a Keycloak-profile issuer: the name is checked as typed, the URL previewed and served', async () => {
    await page.getByRole('button', { name: 'New issuer' }).click();
    const dialog = page.getByRole('dialog', { name: 'New issuer' });
    const name = dialog.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('Shop');
    await dialog.getByText(/an issuer name is 1–63 lowercase letters/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Create issuer' }).isDisabled()).toBe(true);
    await name.fill('realms');
    await dialog.getByText(/this name is taken by the root issuer's routes/).waitFor();

    await name.fill('shop');
    await dialog.getByRole('combobox', { name: 'Profile' }).click();
    await page.getByRole('option', { name: /^Keycloak/ }).click();
    const preview = dialog.getByTestId('issuer-url-preview');
    expect(await preview.textContent()).toBe(`${origin}/realms/shop`);
    await dialog.getByRole('textbox', { name: 'Display name' }).fill('Shop realm');
    await dialog.getByRole('button', { name: 'Create issuer' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = issuerRow('Shop realm');
    await row.getByText(`${origin}/realms/shop`, { exact: true }).waitFor();
    await row.getByText('Keycloak', { exact: true }).waitFor();
    const discovery = await row
      .getByRole('link', { name: 'Discovery document of Shop realm' })
      .getAttribute('href');
    const metadata = (await (await fetch(discovery as string)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(`${origin}/realms/shop`);
  });

  it('switching to it scopes the pages: its users only, created there, and the header shows its URL', async () => {
    await showIssuer('Shop realm');
    await headerIssuer()
      .filter({ hasText: `${origin}/realms/shop` })
      .waitFor();
    await openPage('Users');
    await page.getByText('No users yet').waitFor();

    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('kate');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(usersListed).toEqual(['kate']);
    expect(await usernamesAt('shop')).toEqual(['kate']);
    expect(await usernamesAt('root')).toEqual(['alice']);
    await screenshot(page, 'ui-issuers-switched');
  });

  it('keeps the choice over a reload; back at the root, only the root issuer’s users show', async () => {
    await page.reload();
    await headerIssuer()
      .filter({ hasText: `${origin}/realms/shop` })
      .waitFor();
    expect(await switcher().inputValue()).toBe('Shop realm');
    await expect.poll(usersListed).toEqual(['kate']);

    await showIssuer('Root issuer');
    await headerIssuer()
      .filter({ hasText: new RegExp(`^${origin}$`) })
      .waitFor();
    await expect.poll(usersListed).toEqual(['alice']);
  });

  it('renames it, saying its URLs move; the old discovery stops answering and the new one answers', async () => {
    await openPage('Issuers');
    await issuerRow('Shop realm').getByRole('button', { name: 'Edit Shop realm' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Shop realm' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('shop2');
    await dialog.getByText('This moves the issuer').waitFor();
    await dialog.getByText(/Tokens already issued keep the old/).waitFor();
    await dialog.getByRole('button', { name: 'Save issuer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await issuerRow('Shop realm').getByText(`${origin}/realms/shop2`, { exact: true }).waitFor();

    expect((await fetch(`${origin}/realms/shop/.well-known/openid-configuration`)).status).toBe(404);
    const moved = await fetch(`${origin}/realms/shop2/.well-known/openid-configuration`);
    expect(((await moved.json()) as { issuer: string }).issuer).toBe(`${origin}/realms/shop2`);
    // Its users moved with it.
    expect(await usernamesAt('shop2')).toEqual(['kate']);
  });

  it('Tokens can show every issuer’s tokens, each naming its issuer; a row of another leads to it', async () => {
    await serviceToken('root', origin);
    await serviceToken('shop2', `${origin}/realms/shop2`);
    await openPage('Tokens');
    const table = page.getByRole('table', { name: 'Tokens' });
    await expect.poll(() => table.getByRole('row').count(), { timeout: 10_000 }).toBe(2); // the header and root's token
    await page.getByRole('switch', { name: 'All issuers' }).check();
    await table.getByRole('columnheader', { name: 'Issuer' }).waitFor();
    await expect.poll(() => table.getByRole('row').count(), { timeout: 10_000 }).toBe(3);
    const ownRow = table.getByRole('row').filter({ hasText: 'Root issuer' });
    const otherRow = table.getByRole('row').filter({ hasText: 'Shop realm' });
    expect(await ownRow.getByRole('button', { name: /^Details of / }).count()).toBe(1);
    expect(await otherRow.getByRole('button', { name: /^Details of / }).count()).toBe(0);
    await screenshot(page, 'ui-issuers-all-tokens');

    await otherRow.getByRole('button', { name: /^Go to the issuer of / }).click();
    await headerIssuer()
      .filter({ hasText: `${origin}/realms/shop2` })
      .waitFor();
    expect(await switcher().inputValue()).toBe('Shop realm');
    // That issuer's own list: its one token, no issuer column.
    await expect.poll(() => table.getByRole('row').count(), { timeout: 10_000 }).toBe(2);
    expect(await table.getByRole('columnheader', { name: 'Issuer' }).count()).toBe(0);
    await showIssuer('Root issuer');
  });

  it('Activity can show every issuer’s newest events, each naming its issuer', async () => {
    await openPage('Activity');
    const table = page.getByRole('table', { name: 'Events' });
    await table.waitFor();
    expect(await table.getByRole('row').filter({ hasText: 'Shop realm' }).count()).toBe(0);
    await page.getByRole('switch', { name: 'All issuers' }).check();
    await table.getByRole('columnheader', { name: 'Issuer' }).waitFor();
    const otherRows = table.getByRole('row').filter({ hasText: 'Shop realm' });
    await otherRows.first().waitFor();
    // Another issuer's event leads to its issuer; the selected one's opens here.
    expect(
      await otherRows
        .first()
        .getByRole('button', { name: /^Go to the issuer of event / })
        .count(),
    ).toBe(1);
    expect(await otherRows.getByRole('button', { name: /^Open event / }).count()).toBe(0);
    const ownRows = table.getByRole('row').filter({ hasText: 'Root issuer' });
    expect(
      await ownRows
        .first()
        .getByRole('button', { name: /^Open event / })
        .count(),
    ).toBe(1);
    await page.getByText('Newest events of every issuer').waitFor();
  });

  it('the timeline can draw every issuer’s tokens, each row naming its issuer', async () => {
    await openPage('Timeline');
    const summary = page.getByTestId('timeline-summary');
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/^1 token in 1 family/);
    await page.getByRole('switch', { name: 'All issuers' }).check();
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/^2 tokens in 2 families/);
    await page.getByRole('switch', { name: 'All issuers' }).uncheck();
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toMatch(/^1 token in 1 family/);
  });

  it('deleting the shown issuer names what is lost, and the UI falls back to the root issuer', async () => {
    await openPage('Issuers');
    await issuerRow('Shop realm').getByRole('button', { name: 'Show Shop realm' }).click();
    await headerIssuer()
      .filter({ hasText: `${origin}/realms/shop2` })
      .waitFor();

    await issuerRow('Shop realm').getByRole('button', { name: 'Delete Shop realm' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Shop realm?' });
    await confirm.getByText(/its users, clients, signing keys, tokens, settings and activity/).waitFor();
    await confirmDialog(page, 'Delete issuer');

    await expect.poll(() => issuerRow('Shop realm').count()).toBe(0);
    await page
      .getByText(/The selected issuer "shop2" was deleted|The selected issuer no longer exists/)
      .first()
      .waitFor();
    await expect.poll(() => switcher().inputValue()).toBe('Root issuer');
    await headerIssuer()
      .filter({ hasText: new RegExp(`^${origin}$`) })
      .waitFor();
    const issuers = await admin<IssuerSummary[]>(ui.engine, 'issuers.list');
    expect(issuers.map((issuer) => issuer.id)).toEqual(['root']);
    expect((await fetch(`${origin}/realms/shop2/.well-known/openid-configuration`)).status).toBe(404);
    await screenshot(page, 'ui-issuers');
  });
});
