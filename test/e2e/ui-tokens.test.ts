import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  clientCredentialsToken,
  confirmDialog,
  createServiceClient,
  screenshot,
  startUi,
  type UiSession,
} from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('tokens');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

interface TokenList {
  tokens: Array<{ id: string; state: string; client_id: string; format: string }>;
  total: number;
}

async function introspect(token: string, client: { client_id: string; client_secret: string }) {
  const response = await fetch(`${ui.engine.issuer}/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }).toString(),
  });
  return (await response.json()) as { active: boolean };
}

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 8693 delegation, as README's curl example: the client acts for the subject with its own token. */
async function exchangeAsActor(
  client: { client_id: string; client_secret: string },
  subjectToken: string,
): Promise<string> {
  const actor = await clientCredentialsToken(ui.engine, client);
  const response = await fetch(`${ui.engine.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: actor.access_token,
      actor_token_type: ACCESS_TOKEN_TYPE,
    }).toString(),
  });
  const json = (await response.json()) as { access_token: string };
  if (!response.ok) throw new Error(`token exchange answered ${response.status}: ${JSON.stringify(json)}`);
  return json.access_token;
}

describe('Tokens page', () => {
  it('starts with an empty state that says how to get a token', async () => {
    await page.getByText('No tokens yet').waitFor();
    await page.getByText(/call the token endpoint/).waitFor();
  });

  it('shows a token the moment the token endpoint issues it, then revokes it', async () => {
    const client = await createServiceClient(ui.engine, 'billing-svc');
    const issued = await clientCredentialsToken(ui.engine, client);

    // No reload: the row arrives through the live event stream.
    const row = page.getByRole('row', { name: /billing-svc/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Access');
    expect(await row.textContent()).toContain('jwt');
    await row.locator('[data-state="active"]').waitFor();
    // The expiry is local time plus a countdown.
    expect(await row.textContent()).toMatch(/\(in (1 h|59 min)\)/);
    await screenshot(page, 'ui-tokens');

    // Details: decoded JWT and what introspection says.
    await row.getByRole('button', { name: /^Details of Access token/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await expect.poll(() => drawer.getByRole('region', { name: 'Header' }).textContent()).toContain('at+jwt');
    expect(await drawer.getByRole('region', { name: 'Payload' }).textContent()).toContain(
      '"client_id": "billing-svc"',
    );
    expect(await drawer.getByLabel('Signature').textContent()).toBe(issued.access_token.split('.')[2]);
    await drawer.getByRole('tab', { name: /Introspection/ }).click();
    const introspection = drawer.getByRole('region', { name: 'Introspection result' });
    expect(await introspection.textContent()).toContain('"active": true');
    await screenshot(page, 'ui-tokens-detail');

    // Revoke from the drawer, after confirming; the drawer and the table follow.
    await drawer.getByRole('button', { name: 'Revoke this token' }).click();
    await confirmDialog(page, 'Revoke token');
    await expect.poll(() => introspection.textContent()).toContain('"active": false');
    await page.keyboard.press('Escape');
    await row.locator('[data-state="revoked"]').waitFor();
    expect((await introspect(issued.access_token, client)).active).toBe(false);
  });

  it('revokes one token from its row only after confirmation', async () => {
    const client = { client_id: 'billing-svc', client_secret: 'billing-svc-secret' };
    await clientCredentialsToken(ui.engine, client);
    const active = page
      .getByRole('row', { name: /billing-svc/ })
      .filter({ has: page.locator('[data-state="active"]') });
    await active.waitFor();

    await active.getByRole('button', { name: /^Revoke Access token/ }).click();
    await page
      .getByRole('dialog', { name: /Revoke this access token/ })
      .getByRole('button', { name: 'Cancel' })
      .click();
    await expect.poll(() => active.count()).toBe(1);

    await active.getByRole('button', { name: /^Revoke Access token/ }).click();
    await confirmDialog(page, 'Revoke token');
    await expect.poll(() => active.count()).toBe(0);
  });

  it('shows a reference token with its stored metadata', async () => {
    const client = await createServiceClient(ui.engine, 'ledger-svc', { access_token_format: 'reference' });
    const issued = await clientCredentialsToken(ui.engine, client);
    const row = page.getByRole('row', { name: /ledger-svc/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('reference');
    await row.getByRole('button', { name: /^Details of Access token/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer.getByText('Stored metadata').waitFor();
    expect(await drawer.getByRole('region', { name: 'Stored claims' }).textContent()).toContain('ledger-svc');
    // The drawer shows metadata, never the token itself.
    expect(await drawer.textContent()).not.toContain(issued.access_token);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('shows who a delegated token acts for, as a chain, and opens the token it was exchanged from', async () => {
    const frontend = await createServiceClient(ui.engine, 'frontend');
    const ordersApi = await createServiceClient(ui.engine, 'orders-api', {
      grant_types: [EXCHANGE, 'client_credentials'],
    });
    const billingApi = await createServiceClient(ui.engine, 'billing-api', {
      grant_types: [EXCHANGE, 'client_credentials'],
    });
    const subject = await clientCredentialsToken(ui.engine, frontend);
    // orders-api acts for frontend, then billing-api acts for it in turn: a two-actor chain.
    const delegated = await exchangeAsActor(ordersApi, subject.access_token);
    await exchangeAsActor(billingApi, delegated);

    // Newest first: billing-api's exchanged token, above the actor token it got for the exchange.
    const rows = page.getByRole('row', { name: /billing-api/ });
    await expect.poll(() => rows.count()).toBe(2);
    await rows
      .first()
      .getByRole('button', { name: /^Details of Access token/ })
      .click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer
      .getByText(
        'Acting for: frontend (actor billing-api, client billing-api, on behalf of actor orders-api, client orders-api)',
      )
      .waitFor();

    // Its parent is the token orders-api got for frontend: one actor.
    await drawer.getByRole('button', { name: 'Open parent token' }).click();
    await drawer.getByText('Acting for: frontend (actor orders-api, client orders-api)').waitFor();
    await drawer.getByRole('button', { name: 'Open parent token' }).click();
    // frontend's own token: nobody acts for it, and it has no parent.
    await expect.poll(() => drawer.getByText(/^Acting for/).count()).toBe(0);
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Payload' }).textContent())
      .toContain('"client_id": "frontend"');
    expect(await drawer.getByRole('button', { name: 'Open parent token' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('filters by client and state, and revokes all of a client’s tokens', async () => {
    const ledger = { client_id: 'ledger-svc', client_secret: 'ledger-svc-secret' };
    await clientCredentialsToken(ui.engine, ledger);
    await expect.poll(() => page.getByRole('row', { name: /ledger-svc/ }).count()).toBe(2);

    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'ledger-svc' }).click();
    await expect.poll(() => page.getByRole('row', { name: /billing-svc/ }).count()).toBe(0);
    expect(await page.getByRole('row', { name: /ledger-svc/ }).count()).toBe(2);

    await page.getByRole('button', { name: 'Revoke all tokens of client ledger-svc' }).click();
    await confirmDialog(page, 'Revoke all of client');
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /ledger-svc/ })
          .locator('[data-state="revoked"]')
          .count(),
      )
      .toBe(2);

    await page.getByRole('combobox', { name: 'State', exact: true }).click();
    await page.getByRole('option', { name: 'active' }).click();
    await page.getByText('No token matches these filters').waitFor();

    const list = await admin<TokenList>(ui.engine, 'tokens.list', { client_id: 'ledger-svc' });
    expect(list.tokens.map((t) => t.state)).toEqual(['revoked', 'revoked']);
  });
});
