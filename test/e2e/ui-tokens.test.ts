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
    // Counted apart from the rows, and again after new tokens.
    await expect.poll(() => page.getByTestId('tokens-count').textContent()).toBe('1 token');
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

  it("lists the requests that used a token in its drawer: introspections, with the client's failures too", async () => {
    const client = await createServiceClient(ui.engine, 'audit-svc', { access_token_format: 'reference' });
    const issued = await clientCredentialsToken(ui.engine, client);
    expect(await introspect(issued.access_token, client)).toMatchObject({ active: true });
    await introspect(issued.access_token, { ...client, client_secret: 'wrong' });
    const row = page.getByRole('row', { name: /audit-svc/ });
    await row.getByRole('button', { name: /^Details of Access token/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer.getByRole('tab', { name: 'Requests' }).click();
    // The token request that issued it and the introspection that presented it.
    await expect.poll(() => drawer.getByText('token 200').count()).toBeGreaterThan(0);
    await expect.poll(() => drawer.getByText('introspection 200').count()).toBeGreaterThan(0);
    await expect.poll(() => drawer.getByText('introspection 401').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
  });

  it('shows who a delegated token acts for, what it was exchanged from and into, each opening its drawer', async () => {
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
    const { tokens } = await admin<{
      tokens: Array<{ id: string; client_id: string; parent_id: string | null }>;
    }>(ui.engine, 'tokens.list', {});
    const exchanged = (clientId: string) => {
      const found = tokens.find((t) => t.client_id === clientId && t.parent_id !== null);
      if (!found) throw new Error(`no token exchanged by ${clientId}`);
      return found.id.slice(-8);
    };
    const frontendToken = (tokens.find((t) => t.client_id === 'frontend') as { id: string }).id.slice(-8);

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
    const origin = drawer.getByRole('group', { name: 'Issued from' });
    expect(await origin.textContent()).toBe(
      `Exchanged fromAccess token …${exchanged('orders-api')} · client orders-api · aud orders-api— acting: billing-api (client billing-api)`,
    );
    await drawer.getByRole('tab', { name: 'Facts' }).click();
    await expect
      .poll(() => drawer.getByRole('table', { name: 'Token metadata' }).textContent())
      .toContain('Issued bytoken-exchange (RFC 8693)');
    // Nothing was exchanged from the last token of the chain.
    expect(await drawer.getByRole('group', { name: 'Exchanged into' }).count()).toBe(0);

    // Its parent is the token orders-api got for frontend: one actor, and exchanged into the one above.
    await origin
      .getByRole('button', {
        name: `Access token …${exchanged('orders-api')} · client orders-api · aud orders-api`,
      })
      .click();
    await drawer.getByText('Acting for: frontend (actor orders-api, client orders-api)').waitFor();
    expect(await drawer.getByRole('group', { name: 'Issued from' }).textContent()).toBe(
      `Exchanged fromAccess token …${frontendToken} · client frontend · aud frontend— acting: orders-api (client orders-api)`,
    );
    const into = drawer.getByRole('group', { name: 'Exchanged into' });
    expect(await into.textContent()).toBe(
      `Exchanged into:Access token …${exchanged('billing-api')} · client billing-api · aud billing-api`,
    );
    await drawer.getByRole('group', { name: 'Issued from' }).getByRole('button').click();

    // frontend's own token: nobody acts for it, it has no parent, and orders-api's exchange is its child.
    await expect.poll(() => drawer.getByText(/^Acting for/).count()).toBe(0);
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Payload' }).textContent())
      .toContain('"client_id": "frontend"');
    expect(await drawer.getByRole('group', { name: 'Issued from' }).count()).toBe(0);
    await screenshot(page, 'token-drawer-exchanged-into');
    // A child opens its drawer too: back down the chain.
    await drawer
      .getByRole('group', { name: 'Exchanged into' })
      .getByRole('button', {
        name: `Access token …${exchanged('orders-api')} · client orders-api · aud orders-api`,
      })
      .click();
    await drawer.getByText('Acting for: frontend (actor orders-api, client orders-api)').waitFor();
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

/** The scroll area's size and position, read in the page (this side is type-checked without the DOM). */
interface Scrolled {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** Mints `count` reference access tokens for `clientId` through the admin API, a few calls at a time. */
async function mintMany(clientId: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await admin(ui.engine, 'tokens.mint', {
        client_id: clientId,
        format: 'reference',
        extra_claims: { batch_no: n },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

describe('Tokens page over thousands of tokens', () => {
  const BULK = 2000;
  const scroller = () => page.getByTestId('tokens-scroll');
  const renderedRows = () => scroller().locator('tr[data-row-key]');
  const rowOf = (id: string) => scroller().locator(`tr[data-row-key="${id}"]`);
  /** The bulk client's token ids, oldest first. */
  let ids: string[] = [];

  it('shows thousands of tokens arriving live, then pages through them to the last, only those in view rendered', async () => {
    await createServiceClient(ui.engine, 'bulk-svc', { access_token_format: 'reference' });
    await page.getByRole('button', { name: 'Clear state filter' }).click();
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'bulk-svc' }).click();
    await page.getByText('No token matches these filters').waitFor();

    const started = Date.now();
    await mintMany('bulk-svc', BULK);
    const minted = Date.now() - started;
    const list = await admin<TokenList>(ui.engine, 'tokens.list', {
      client_id: 'bulk-svc',
      sort: 'issued_asc',
      limit: BULK,
    });
    ids = list.tokens.map((t) => t.id);
    expect(ids).toHaveLength(BULK);
    const newest = ids[BULK - 1] as string;
    const oldest = ids[0] as string;

    // At the top, the tokens came in live: the newest is the first row, and the count follows.
    await expect.poll(() => renderedRows().first().getAttribute('data-row-key')).toBe(newest);
    await expect.poll(() => page.getByTestId('tokens-count').textContent()).toBe('2,000 tokens');
    console.log(`minted ${BULK} tokens in ${minted} ms while the Tokens page showed them live`);

    // A new filter is a new list, read page by page from its top (the rows above came in live).
    const filteredAt = Date.now();
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Access', exact: true }).click();
    await expect.poll(() => renderedRows().first().getAttribute('data-row-key')).toBe(newest);
    console.log(`the Kind filter's first rows in ${Date.now() - filteredAt} ms (a click and a read)`);
    // Only the first page so far.
    const loaded = Number(await page.getByRole('table', { name: 'Tokens' }).getAttribute('aria-rowcount'));
    expect(loaded).toBeLessThan(BULK);

    // Scrolled to the end, page after page is read until the oldest; never more than a screen or two
    // of rows in the DOM.
    let mostRendered = 0;
    const scrolledAt = Date.now();
    await expect
      .poll(
        async () => {
          await scroller().evaluate((element) => {
            const el = element as unknown as Scrolled;
            el.scrollTop = el.scrollHeight;
          });
          mostRendered = Math.max(mostRendered, await renderedRows().count());
          return rowOf(oldest).count();
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(1);
    console.log(`scrolled to the last of ${BULK} tokens in ${Date.now() - scrolledAt} ms`);
    expect(mostRendered).toBeGreaterThan(5);
    expect(mostRendered).toBeLessThan(80);
    expect(await rowOf(newest).count()).toBe(0);
    const table = page.getByRole('table', { name: 'Tokens' });
    expect(await table.getAttribute('aria-rowcount')).toBe(String(BULK + 1));
    await screenshot(page, 'ui-tokens-scrolled-to-end');
    // Minting thousands through HTTP on a busy 2-core machine can take most of a minute.
  }, 120_000);

  it('holds new tokens back while scrolled down, and shows them on asking', async () => {
    const firstShown = await renderedRows().first().getAttribute('data-row-key');
    await mintMany('bulk-svc', 3);
    const news = page.getByRole('button', { name: '3 new tokens — show' });
    await news.waitFor();
    // The rows did not move under the reader.
    expect(await renderedRows().first().getAttribute('data-row-key')).toBe(firstShown);
    await news.click();
    const newest = (await admin<TokenList>(ui.engine, 'tokens.list', { client_id: 'bulk-svc', limit: 1 }))
      .tokens[0]?.id as string;
    await expect.poll(() => renderedRows().first().getAttribute('data-row-key')).toBe(newest);
    expect(await scroller().evaluate((element) => (element as unknown as Scrolled).scrollTop)).toBe(0);
    await expect.poll(() => page.getByTestId('tokens-count').textContent()).toBe('2,003 tokens');
    expect(await news.count()).toBe(0);
  });

  it('finds one token by its id in the search box', async () => {
    const wanted = ids[1234] as string;
    await page.getByRole('textbox', { name: 'Search tokens' }).fill(wanted);
    await expect.poll(() => renderedRows().count()).toBe(1);
    expect(await rowOf(wanted).count()).toBe(1);
    await expect.poll(() => page.getByTestId('tokens-count').textContent()).toBe('1 token');
    await rowOf(wanted)
      .getByRole('button', { name: /^Details of Access token/ })
      .click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await expect
      .poll(() => drawer.getByRole('region', { name: 'Stored claims' }).textContent())
      .toContain('"batch_no"');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);

    await page.getByRole('textbox', { name: 'Search tokens' }).fill('');
    await expect.poll(() => renderedRows().count()).toBeGreaterThan(1);
  });

  it('searches from the first key typed, and then by the newest text only, in the order typed', async () => {
    // The terms the page asks the engine for (its list and count calls), in the order asked.
    const asked: string[] = [];
    const onRequest = (request: { url(): string; postData(): string | null }) => {
      if (!/\/admin\/api\/tokens\.(list|count)/.test(request.url())) return;
      const q = (JSON.parse(request.postData() ?? '{}') as { q?: string }).q;
      if (q !== undefined) asked.push(q);
    };
    page.on('request', onRequest);
    try {
      const box = page.getByRole('textbox', { name: 'Search tokens' });
      await box.click();
      await page.keyboard.type('bulk-svc');
      await expect.poll(() => asked.at(-1)).toBe('bulk-svc');
      // The first key was searched at once (no wait for typing to pause)…
      expect(asked[0]).toBe('b');
      // …and no term came after a longer one: an older term never overtakes the newest.
      for (let i = 1; i < asked.length; i++) {
        expect((asked[i] as string).length).toBeGreaterThanOrEqual((asked[i - 1] as string).length);
      }
      // Every bulk token matches (its client's id): 2,000 minted, then 3 more.
      await expect.poll(() => page.getByTestId('tokens-count').textContent()).toBe('2,003 tokens');
      await box.fill('');
    } finally {
      page.off('request', onRequest);
    }
  });

  it('sorts oldest first', async () => {
    await page.getByRole('combobox', { name: 'Sort', exact: true }).click();
    await page.getByRole('option', { name: 'Oldest', exact: true }).click();
    await expect.poll(() => renderedRows().first().getAttribute('data-row-key')).toBe(ids[0]);
  });
});
