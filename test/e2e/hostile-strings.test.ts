import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deeplyNested, HOSTILE, HOSTILE_KEYS, hostileClaims, hostileUsername } from '../helpers/hostile';
import { admin, screenshot, startUi, type UiSession } from './ui-helpers';

/**
 * Every page of the admin UI with hostile data present (SQL, HTML/script, control characters, bidi,
 * emoji, a 100 kB claim, 100 levels of nesting in user names, claims, client metadata, tokens and
 * events): no dialog fires, no injected element exists, and the strings are shown as text.
 * test/integration/hostile-strings.test.ts checks the same data byte for byte through the API.
 */

let ui: UiSession;
let page: Page;
const dialogs: string[] = [];

const CLIENT_ID = `'; DROP TABLE clients; --<script>alert(1)</script>"`;
const CLIENT_SECRET = `${HOSTILE.sql}${HOSTILE.emoji}`;
const SHOWN = ['script', 'img', 'sql', 'attribute', 'emoji'] as const;

beforeAll(async () => {
  ui = await startUi('users');
  page = ui.page;
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  for (const key of HOSTILE_KEYS) {
    await admin(ui.engine, 'users.create', {
      username: hostileUsername(key),
      password: HOSTILE[key],
      claims: { ...hostileClaims(), name: HOSTILE[key] },
    });
  }
  await admin(ui.engine, 'users.create', {
    username: 'big-and-deep',
    password: 'pw',
    claims: { big: `${HOSTILE.img}${'x'.repeat(100_000)}`, deep: deeplyNested(100) },
  });
  await admin(ui.engine, 'clients.create', {
    client_id: CLIENT_ID,
    client_name: HOSTILE.img,
    client_secret: CLIENT_SECRET,
    redirect_uris: [`http://127.0.0.1:5173/cb?x=${encodeURIComponent(HOSTILE.script)}`],
    grant_types: ['authorization_code', 'refresh_token', 'password'],
    scope: 'openid profile offline_access',
    audience: [HOSTILE.script, HOSTILE.attribute, HOSTILE.bidi],
  });
  // Tokens (and with them events) for the hostile users and the big one.
  const basic = `Basic ${Buffer.from(
    `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`,
  ).toString('base64')}`;
  for (const [username, password] of [
    ...SHOWN.map((key) => [hostileUsername(key), HOSTILE[key]] as const),
    ['big-and-deep', 'pw'] as const,
  ]) {
    const response = await fetch(`${ui.engine.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid profile' }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  await ui?.close();
});

/** Nothing was injected: no dialog, no element from the payloads, no inline script, no handler attributes. */
async function expectNothingInjected(where: string): Promise<void> {
  expect(dialogs, where).toEqual([]);
  // String expressions: this side is type-checked without the DOM library.
  const injected = await page.evaluate<string[]>(`(() => {
    const found = [];
    if (document.querySelector('img[src=x]')) found.push('img[src=x]');
    if (document.querySelector('svg[onload]')) found.push('svg[onload]');
    for (const s of document.querySelectorAll('script')) if (!s.src) found.push('inline script: ' + s.textContent.slice(0, 80));
    for (const el of document.querySelectorAll('*'))
      for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) found.push(el.tagName + '[' + attr + ']');
    if (window.__pwned) found.push('window.__pwned');
    return found;
  })()`);
  expect(injected, where).toEqual([]);
}

/** The exact string is on the page as text (in some element's text content). */
async function expectShownAsText(text: string, where: string): Promise<void> {
  await expect
    .poll(() => page.evaluate<boolean>(`document.body.innerText.includes(${JSON.stringify(text)})`), {
      message: `${where}: ${JSON.stringify(text)} shown as text`,
      timeout: 10_000,
    })
    .toBe(true);
}

async function open(route: string): Promise<void> {
  await page.goto(`${ui.engine.issuer}/ui/#/${route}`);
  await page.getByTestId('issuer').filter({ hasText: ui.engine.issuer }).waitFor();
}

describe('hostile strings in the admin UI', () => {
  it('Users: names and claims are text, in the list, the claims preview and the edit form', async () => {
    await open('users');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    for (const key of SHOWN) await expectShownAsText(hostileUsername(key), 'Users list');
    await expectNothingInjected('Users list');

    const name = hostileUsername('script');
    await page.getByRole('button', { name: `Preview claims for ${name}` }).click();
    const preview = page.getByRole('dialog', { name: `Token claims for ${name}` });
    await preview.getByRole('region', { name: 'ID token claims' }).waitFor();
    await expect.poll(() => preview.textContent()).toContain(HOSTILE.img);
    await expectNothingInjected('claims preview');
    await page.keyboard.press('Escape');
    await expect.poll(() => preview.count()).toBe(0);

    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${name}` });
    await expect.poll(() => edit.getByLabel('Username').inputValue()).toBe(name);
    await expectNothingInjected('edit form');
    await screenshot(page, 'hostile-users-edit');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => edit.count()).toBe(0);

    await page.getByRole('button', { name: 'Preview claims for big-and-deep' }).click();
    const big = page.getByRole('dialog', { name: 'Token claims for big-and-deep' });
    await big.getByRole('region', { name: 'ID token claims' }).waitFor();
    await expectNothingInjected('claims preview of a 100 kB, 100-level user');
    await page.keyboard.press('Escape');
    await expect.poll(() => big.count()).toBe(0);
  });

  it('Clients: client_id, name, redirect URI and audiences are text', async () => {
    await open('clients');
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await expectShownAsText(CLIENT_ID, 'Clients list');
    await expectNothingInjected('Clients list');
    await screenshot(page, 'hostile-clients');
  });

  it('Tokens: user names, audiences and decoded hostile claims are text', async () => {
    await open('tokens');
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    for (const key of SHOWN) await expectShownAsText(hostileUsername(key), 'Tokens list');
    await expectNothingInjected('Tokens list');

    await page
      .getByRole('row')
      .filter({ hasText: hostileUsername('img') })
      .getByRole('button', { name: /^Details of Access token/ })
      .first()
      .click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Payload' }).textContent())
      .toContain(HOSTILE.script);
    await expectNothingInjected('token details');
    await screenshot(page, 'hostile-token-details');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('Activity: events naming hostile users and clients are text', async () => {
    await open('activity');
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    // The list draws only the rows in view; the search brings this user's events into it.
    await page.getByLabel('Search events').fill(hostileUsername('script'));
    await expectShownAsText(hostileUsername('script'), 'Activity');
    await expectNothingInjected('Activity');
  });

  it('Settings: the page works with the hostile workspace loaded', async () => {
    await open('settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await expectNothingInjected('Settings');
  });
});
