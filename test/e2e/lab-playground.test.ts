import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('lab/playground');
  page = ui.page;
  await admin(ui.engine, 'users.create', {
    username: 'alice',
    password: 'alice-pw',
    claims: { email: 'alice@example.test' },
  });
  await createWebClient(ui.engine, { scope: 'openid email offline_access' });
  await admin(ui.engine, 'clients.create', {
    client_id: 'worker',
    client_secret: 'worker-secret',
    grant_types: ['client_credentials'],
    scope: 'orders:read',
    access_token_format: 'reference',
  });
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const result = () => page.getByRole('region', { name: 'Flow result' });
const stepTitle = () => page.getByTestId('step-title').textContent();

async function stepValue(name: string): Promise<string> {
  return (await page.locator(`[data-value="${name}"] code`).first().textContent()) ?? '';
}

describe('Lab: flow playground', () => {
  it('runs authorization code + PKCE and steps through every exchange', async () => {
    await page.getByRole('heading', { level: 2, name: 'Flow playground' }).waitFor();
    // web is the only client allowed the grant, alice the only user: both preselected.
    expect(await page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('web');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('completed');
    expect(await result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Authorization code + PKCE: 6 steps',
    );

    // Step 1: PKCE made by the client, no HTTP.
    expect(await stepTitle()).toBe('Client prepares PKCE, state and nonce');
    const verifier = await stepValue('code_verifier');
    const challenge = await stepValue('code_challenge');
    expect(verifier).toMatch(/^[\w-]{43}$/);
    expect(challenge).toMatch(/^[\w-]{43}$/);
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain(
      'RFC 7636 §4.1–4.2',
    );
    expect(await page.getByRole('button', { name: 'Back' }).isDisabled()).toBe(true);

    // Step 2: the authorize request carries the challenge.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Browser → GET /authorize');
    expect(await page.getByRole('region', { name: 'Request' }).textContent()).toContain(
      `code_challenge=${challenge}`,
    );
    expect(await page.getByTestId('response-status').textContent()).toBe('200');

    // Step 3: sign-in answers 303 with the code.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('User signs in as alice → POST /login');
    expect(await page.getByTestId('response-status').textContent()).toBe('303');
    const code = await stepValue('code');
    expect(code.length).toBeGreaterThan(20);

    // Step 4: the code is redeemed with the verifier; the tokens come back decoded.
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Client → POST /token (authorization_code)');
    const body = await page.getByRole('region', { name: 'Request' }).getByLabel('Request body').textContent();
    expect(body).toContain(`code=${code}`);
    expect(body).toContain(`code_verifier=${verifier}`);
    expect(await page.getByRole('region', { name: 'Access token (decoded)' }).textContent()).toContain(
      'at+jwt',
    );
    expect(await page.getByRole('region', { name: 'ID token (decoded)' }).textContent()).toContain(
      '"email": "alice@example.test"',
    );
    await screenshot(page, 'lab-playground');

    // The step list jumps anywhere; Back goes back.
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /^6\. / }).click();
    await poll(stepTitle).toBe('Client → GET /userinfo');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Back' }).click();
    await poll(stepTitle).toBe('Client validates the ID token');
    expect(await stepValue('nonce_matches')).toBe('true');
  });

  it('continues with refresh, then revokes the refresh token, feeding each flow the last one’s tokens', async () => {
    await page.getByRole('button', { name: 'Continue with refresh' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Refresh: 1 step',
    );
    expect(await stepTitle()).toBe('Client → POST /token (refresh_token)');
    expect(await stepValue('new_refresh_token_differs')).toBe('true');
    expect(await page.getByRole('list', { name: 'Spec sections' }).textContent()).toContain('RFC 6749 §6');

    await page.getByRole('button', { name: 'Revoke the refresh token' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Revocation: 2 steps',
    );
    expect(await stepTitle()).toBe('Client → POST /revoke');
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    expect(await page.getByRole('region', { name: 'Introspection' }).textContent()).toContain(
      '"active": false',
    );
    // Revoking the refresh token ended its grant: every token of the family is revoked.
    const active = await admin<{ tokens: unknown[] }>(ui.engine, 'tokens.list', {
      client_id: 'web',
      state: 'active',
    });
    expect(active.tokens).toHaveLength(0);
  });

  it('runs client credentials with introspection for a reference token', async () => {
    await page.getByText('Client credentials', { exact: true }).click();
    await poll(() => page.getByRole('combobox', { name: 'Client', exact: true }).inputValue()).toBe('worker');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByRole('heading', { level: 3 }).first().textContent()).toBe(
      'Client credentials: 2 steps',
    );
    expect(await page.getByRole('region', { name: 'Access token (decoded)' }).textContent()).toContain(
      'opaque (reference)',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(stepTitle).toBe('Resource server → POST /introspect');
    expect(await page.getByRole('region', { name: 'Introspection' }).textContent()).toContain(
      '"client_id": "worker"',
    );
  });

  it('shows a failing exchange as it is, and an error when a flow cannot start', async () => {
    await page.getByText('Refresh', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'web', exact: true }).click();
    await page.getByRole('textbox', { name: 'Refresh token' }).fill('not-a-refresh-token');
    await page.getByRole('button', { name: 'Run flow' }).click();
    await poll(() => result().getByTestId('flow-outcome').textContent()).toBe('stopped at a failing step');
    expect(await page.getByTestId('response-status').textContent()).toBe('400');
    expect(await page.getByRole('region', { name: 'Response' }).textContent()).toContain('invalid_grant');

    // When the engine refuses to start a flow, its reason is shown, not swallowed.
    await page.route('**/admin/api/playground.run', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'invalid_input', message: 'Client "web" has no redirect URI.' }),
      }),
    );
    await page.getByRole('button', { name: 'Run flow' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The flow could not start' });
    await poll(() => alert.textContent()).toContain('Client "web" has no redirect URI.');
    await page.unroute('**/admin/api/playground.run');

    // Without any client, the page says what to do.
    await admin(ui.engine, 'clients.delete', { client_id: 'web' });
    await admin(ui.engine, 'clients.delete', { client_id: 'worker' });
    await page.getByText('No clients yet').waitFor();
  });
});
