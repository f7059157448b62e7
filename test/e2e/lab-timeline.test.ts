import type { Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  clientCredentialsToken,
  createServiceClient,
  createWebClient,
  screenshot,
  startUi,
  type UiSession,
} from './ui-helpers';

let ui: UiSession;
let page: Page;
let canvas: Locator;

beforeAll(async () => {
  ui = await startUi('lab/timeline');
  page = ui.page;
  canvas = page.getByTestId('timeline-canvas');
});
afterAll(async () => {
  await ui?.close();
});

/** Live updates take a refetch or two: allow more than expect.poll's default second. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const data = (name: string) => canvas.getAttribute(`data-${name}`);
const num = async (name: string) => Number(await data(name));

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function form(path: string, auth: string, body: Record<string, string>) {
  const response = await fetch(`${ui.engine.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** RFC 8693 delegation: the client acts for the subject with its own client_credentials token. */
async function exchangeAsActor(clientId: string, subjectToken: string, audience: string): Promise<string> {
  const client = { client_id: clientId, client_secret: `${clientId}-secret` };
  const actor = await clientCredentialsToken(ui.engine, client);
  const answer = await form('/token', basic(client.client_id, client.client_secret), {
    grant_type: EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    actor_token: actor.access_token,
    actor_token_type: ACCESS_TOKEN_TYPE,
    audience,
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json.access_token as string;
}

describe('Lab: token timeline', () => {
  it('starts empty and says how to get tokens on it', async () => {
    await page.getByRole('heading', { level: 2, name: 'Token timeline' }).waitFor();
    await page.getByText('No tokens to draw yet').waitFor();
    await page.getByText(/Mint one on the Mint page/).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Timeline', exact: true }).getAttribute('aria-current')).toBe(
      'page',
    );
  });

  it('draws a token the moment the token endpoint issues it, then marks its introspection', async () => {
    const client = await createServiceClient(ui.engine, 'billing-svc');
    const issued = await clientCredentialsToken(ui.engine, client);
    // No reload: the bar arrives through the live event stream.
    await poll(() => data('bar-count')).toBe('1');
    await poll(() => data('drawn')).toBe('1');
    expect(await page.getByTestId('timeline-summary').textContent()).toMatch(
      /^1 token in 1 family · 0 introspections/,
    );

    const introspected = await form('/introspect', basic('billing-svc', 'billing-svc-secret'), {
      token: issued.access_token,
    });
    expect(introspected.json.active).toBe(true);
    await poll(() => data('mark-count')).toBe('1');
    await poll(() => page.getByTestId('timeline-summary').textContent()).toContain('1 introspection');
  });

  it('draws a rotation chain as lineage and marks the reuse detection that revokes the family', async () => {
    await admin(ui.engine, 'users.create', { username: 'alice', claims: { email: 'alice@example.test' } });
    await createWebClient(ui.engine, { scope: 'openid email offline_access' });
    const signIn = await admin<{ ok: boolean; tokens: Record<string, string> }>(ui.engine, 'playground.run', {
      flow: 'authorization_code',
      client_id: 'web',
      username: 'alice',
    });
    expect(signIn.ok).toBe(true);
    await poll(() => data('bar-count')).toBe('4');

    const first = signIn.tokens.refresh_token as string;
    const refreshed = await form('/token', basic('web', 'web-secret'), {
      grant_type: 'refresh_token',
      refresh_token: first,
    });
    expect(refreshed.status).toBe(200);
    // Three new tokens, each a child of the used refresh token.
    await poll(() => data('bar-count')).toBe('7');
    expect(await num('link-count')).toBe(3);

    // The spent refresh token again: reuse detection revokes the whole family.
    const replay = await form('/token', basic('web', 'web-secret'), {
      grant_type: 'refresh_token',
      refresh_token: first,
    });
    expect(replay.status).toBe(400);
    // Marks: one introspection, one reuse detection, a revocation on each other token of the family, and
    // two uses (the sign-in's userinfo call, the refresh).
    await poll(() => num('mark-count')).toBe(1 + 1 + 5 + 2);
    await screenshot(page, 'lab-timeline');
  });

  it('filters by client and kind', async () => {
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'billing-svc' }).click();
    await poll(() => data('bar-count')).toBe('1');
    await page.getByRole('button', { name: 'Clear client filter' }).click();
    await poll(() => data('bar-count')).toBe('7');

    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Refresh' }).click();
    await poll(() => data('bar-count')).toBe('2');
    await page.getByRole('button', { name: 'Clear kind filter' }).click();
    await poll(() => data('bar-count')).toBe('7');
  });

  it('zooms with the buttons, the presets and the wheel, and pans away from now', async () => {
    // Both ends read in one go: while the view follows the clock it moves between two separate reads.
    const viewSpan = () =>
      canvas.evaluate(
        (element) =>
          Number(element.getAttribute('data-view-end')) - Number(element.getAttribute('data-view-start')),
      );
    // The default "Recent" window fits the tokens shown: minutes here, not an hour.
    expect(await viewSpan()).toBeLessThan(3_600_000);
    await page.getByText('1 h', { exact: true }).click();
    await poll(viewSpan).toBe(3_600_000);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(viewSpan).toBe(1_800_000);
    await page.getByText('6 h', { exact: true }).click();
    await poll(viewSpan).toBe(6 * 3_600_000);

    // Ctrl + wheel over the plot zooms in around the pointer.
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas box');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await poll(viewSpan).toBeLessThan(6 * 3_600_000);
    // The plain wheel over the bars zooms as well (no modifier needed): out, here.
    const zoomedIn = await viewSpan();
    await page.mouse.wheel(0, 400);
    await poll(viewSpan).toBeGreaterThan(zoomedIn);

    // Panning stops following the clock.
    const follow = page.getByRole('switch', { name: 'Follow now' });
    expect(await follow.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Earlier' }).click();
    await poll(() => follow.isChecked()).toBe(false);
    await page.getByText('Fit all', { exact: true }).click();
    // Fit all shows every bar from the first issue to the last expiry (the refresh tokens' two weeks).
    await poll(viewSpan).toBeGreaterThan(13 * 24 * 3_600_000);
    await poll(() => data('drawn')).toBe('7');
    await page.getByText('1 h', { exact: true }).click();
    await poll(() => follow.isChecked()).toBe(true);
  });

  it('opens the token drawer for the bar that is clicked, or selected from the keyboard', async () => {
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas box');
    const rowHeight = Number(await data('row-height'));
    const axis = Number(await data('axis-height'));
    // Row 0 is the newest family's first token, an access token (which family is newest depends on
    // timing: the refreshed sign-in or the machine token). Its bar runs from a moment ago to an hour
    // from now, so the right edge of a followed 1 h view is inside it.
    const tokens = await admin<{ tokens: Array<{ id: string; kind: string; parent_id: string | null }> }>(
      ui.engine,
      'tokens.list',
      {},
    );
    await page.mouse.click(box.x + box.width - 12, box.y + axis + rowHeight / 2);
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    await drawer.waitFor();
    await poll(() => drawer.getByRole('group', { name: 'Token summary' }).textContent()).toContain(
      'Access token',
    );
    await drawer.getByRole('tab', { name: 'Facts' }).click();
    const facts = await drawer.getByRole('table', { name: 'Token metadata' }).textContent();
    const opened = tokens.tokens.find((t) => facts?.includes(t.id));
    expect(opened?.kind).toBe('access');
    await screenshot(page, 'lab-timeline-drawer');
    await page.keyboard.press('Escape');
    await poll(() => drawer.count()).toBe(0);

    // Keyboard: focus the timeline, move down to the second row, open it.
    await canvas.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await poll(() => page.locator('#timeline-selection').textContent()).toMatch(/^Selected: /);
    await page.keyboard.press('Enter');
    await drawer.waitFor();
    await page.keyboard.press('Escape');
  });

  it('fits a fresh sign-in’s 20 s tokens in the default window, ends a rotated token, ticks its uses', async () => {
    await admin(ui.engine, 'users.create', { username: 'dana' });
    await admin(ui.engine, 'clients.create', {
      client_id: 'demo',
      client_secret: 'demo-secret',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid email offline_access',
      access_token_ttl: 20,
    });
    const signIn = await admin<{ ok: boolean; tokens: Record<string, string> }>(ui.engine, 'playground.run', {
      flow: 'authorization_code',
      client_id: 'demo',
      username: 'dana',
    });
    expect(signIn.ok).toBe(true);
    await page.getByText('Recent', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Client', exact: true }).click();
    await page.getByRole('option', { name: 'demo' }).click();
    await poll(() => data('bar-count')).toBe('3');

    // Readable without zooming: the 20 s access token's bar is a good share of the plot, not a sliver.
    const shareOfPlot = () =>
      canvas.evaluate((element) => {
        const c = element as unknown as CanvasLike;
        const span = Number(c.dataset.viewEnd) - Number(c.dataset.viewStart);
        return { share: 20_000 / span, plot: c.clientWidth - Number(c.dataset.gutter), span };
      });
    const fit = await shareOfPlot();
    expect(fit.share, JSON.stringify(fit)).toBeGreaterThan(0.12);
    expect(fit.share * fit.plot).toBeGreaterThan(80);
    // The whole sign-in is in the window, now included: nothing hidden, every bar drawn.
    expect(await num('hidden-count')).toBe(0);
    await poll(() => data('drawn')).toBe('3');
    await screenshot(page, 'lab-timeline-default');

    // A userinfo call with the access token: a use tick on its bar.
    // The flow playground's sign-in calls userinfo once already.
    await poll(() => num('use-mark-count')).toBe(1);
    const userinfo = await fetch(`${ui.engine.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${signIn.tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    await poll(() => num('use-mark-count')).toBe(2);

    // A refresh rotates the refresh token: its bar ends there, and the refresh is a use tick too.
    const refreshed = await form('/token', basic('demo', 'demo-secret'), {
      grant_type: 'refresh_token',
      refresh_token: signIn.tokens.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    await poll(() => data('bar-count')).toBe('6');
    await poll(() => num('use-mark-count')).toBe(3);
    const listed = await admin<{
      tokens: Array<{ id: string; kind: string; state: string; parent_id: string | null; issued_at: string }>;
    }>(ui.engine, 'tokens.list', { client_id: 'demo' });
    const rotated = listed.tokens.find((t) => t.kind === 'refresh' && t.state === 'rotated');
    const child = listed.tokens.find((t) => t.kind === 'refresh' && t.parent_id === rotated?.id);
    expect(rotated && child).toBeTruthy();
    // Rows: access, ID, the rotated refresh token, then its three children (the new refresh token last).
    const rowHeight = await num('row-height');
    const axis = await num('axis-height');
    const rowY = (row: number) => axis + row * rowHeight + rowHeight / 2;
    const after = Date.parse((child as { issued_at: string }).issued_at) + 3000;
    const until = after + 15_000;
    await page.mouse.move(0, 0);
    // The new access token is alive across that stretch (active green); the rotated refresh token has
    // no blue there (neither its outline nor its tinted fill): it ended at the rotation.
    await screenshot(page, 'lab-timeline-ended');
    await poll(() => colourInStrip(after, until, rowY(3), ACTIVE_GREEN)).toBe(true);
    expect(await colourInStrip(after, until, rowY(2), ROTATED_BLUE)).toBe(false);

    // Presenter mode: larger rows and type, the window back to recent tokens following now, the newest
    // family highlighted.
    await page.getByRole('button', { name: 'Earlier' }).click();
    const follow = page.getByRole('switch', { name: 'Follow now' });
    await poll(() => follow.isChecked()).toBe(false);
    await page.getByRole('switch', { name: 'Presenter mode' }).click({ force: true });
    await poll(() => data('presenter')).toBe('true');
    await poll(() => follow.isChecked()).toBe(true);
    expect(await num('row-height')).toBe(30);
    await screenshot(page, 'lab-timeline-presenter');
    await page.getByRole('switch', { name: 'Presenter mode' }).click({ force: true });
    await poll(() => data('presenter')).toBe('false');
    await page.getByRole('button', { name: 'Clear client filter' }).click();
  });

  it('draws a token-exchange chain under its subject, marked at each exchange, saying who acted for whom', async () => {
    const exchangeGrants = { grant_types: [EXCHANGE, 'client_credentials'] };
    const frontend = await createServiceClient(ui.engine, 'frontend');
    await createServiceClient(ui.engine, 'orders-api', {
      ...exchangeGrants,
      token_exchange: { allowed_audiences: ['billing-api'] },
    });
    await createServiceClient(ui.engine, 'billing-api', {
      ...exchangeGrants,
      token_exchange: { allowed_audiences: ['ledger-api'] },
    });
    const barsBefore = await num('bar-count');
    const linksBefore = await num('link-count');
    expect(await num('exchange-count')).toBe(0);

    // frontend's machine token; orders-api acts for it, then billing-api acts for orders-api in turn.
    const subject = await clientCredentialsToken(ui.engine, frontend);
    const first = await exchangeAsActor('orders-api', subject.access_token, 'billing-api');
    await exchangeAsActor('billing-api', first, 'ledger-api');
    // Five bars: the subject, the two actor tokens, the two exchanged tokens (each linked to its subject).
    await poll(() => num('bar-count')).toBe(barsBefore + 5);
    await poll(() => num('exchange-count')).toBe(2);
    expect(await num('link-count')).toBe(linksBefore + 2);

    // From the keyboard: the frontend token's row, then the two exchanged rows right under it.
    await page.getByText('1 h', { exact: true }).click();
    await canvas.focus();
    await page.keyboard.press('Home');
    const selection = page.locator('#timeline-selection');
    let index = 0;
    while (!(await selection.textContent())?.includes('· frontend')) {
      expect(index, 'the frontend token is on the timeline').toBeLessThan(barsBefore + 5);
      await page.keyboard.press('ArrowDown');
      index++;
      await poll(() => selection.textContent()).toMatch(/^Selected: /);
    }
    const tokens = await admin<{
      tokens: Array<{ id: string; client_id: string; parent_id: string | null }>;
    }>(ui.engine, 'tokens.list', {});
    const short = (clientId: string, exchanged: boolean) =>
      (
        tokens.tokens.find((t) => t.client_id === clientId && (t.parent_id !== null) === exchanged) as {
          id: string;
        }
      ).id.slice(-8);
    await page.keyboard.press('ArrowDown');
    await poll(() => selection.textContent()).toContain(
      `Exchanged from Access token …${short('frontend', false)} — orders-api (client orders-api) acting for frontend · audience billing-api.`,
    );
    await page.keyboard.press('ArrowDown');
    await poll(() => selection.textContent()).toContain(
      `Exchanged from Access token …${short('orders-api', true)} — billing-api (client billing-api) acting for orders-api (client orders-api) acting for frontend · audience ledger-api.`,
    );

    // Hovering the last bar of the chain shows the same in its tooltip.
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no canvas box');
    const rowHeight = await num('row-height');
    const axis = await num('axis-height');
    const rowY = (row: number) => axis + row * rowHeight + rowHeight / 2;
    await page.mouse.move(box.x + box.width - 12, box.y + rowY(index + 2));
    const tooltip = page.getByRole('tooltip');
    await poll(() => tooltip.textContent()).toContain(
      'billing-api (client billing-api) acting for orders-api (client orders-api) acting for frontend · audience ledger-api',
    );

    // The marks are drawn: the exchange colour at each exchange's moment, on the exchanged token's row.
    for (const [row, clientId] of [
      [index + 1, 'orders-api'],
      [index + 2, 'billing-api'],
    ] as const) {
      const detail = await admin<{ issued_at: string }>(ui.engine, 'tokens.get', {
        id: (tokens.tokens.find((t) => t.client_id === clientId && t.parent_id !== null) as { id: string })
          .id,
      });
      expect(await exchangeColourNear(Date.parse(detail.issued_at), rowY(row))).toBe(true);
    }
    await page.mouse.move(box.x + 2, box.y + 2);
    await page
      .getByRole('list', { name: 'Timeline legend' })
      .getByText(/exchanged from the token above/)
      .waitFor();
    await screenshot(page, 'lab-timeline-exchange');
  });

  it('applies tokens issued after the first load and a revocation to what is drawn, without reloading', async () => {
    // Every tokens.list call the page makes from here on, by its input.
    const calls: Array<Record<string, unknown>> = [];
    const record = (request: Request) => {
      if (request.url().includes('/admin/api/tokens.list')) calls.push(request.postDataJSON() ?? {});
    };
    page.on('request', record);
    try {
      const before = await num('bar-count');
      const client = { client_id: 'billing-svc', client_secret: 'billing-svc-secret' };
      for (let i = 0; i < 3; i++) await clientCredentialsToken(ui.engine, client);
      await poll(() => num('bar-count')).toBe(before + 3);

      // One token revoked by the admin: its row is refetched by id and gets its revocation mark.
      const marks = await num('mark-count');
      const newest = await admin<{ tokens: Array<{ id: string }> }>(ui.engine, 'tokens.list', {
        client_id: 'billing-svc',
        limit: 1,
      });
      const revoked = (newest.tokens[0] as { id: string }).id;
      await admin(ui.engine, 'tokens.revoke', { id: revoked });
      await poll(() => num('mark-count')).toBe(marks + 1);
      expect(await num('bar-count')).toBe(before + 3);

      // What came after the newest token held (a cursor in issue order), and the one row by id:
      // never the whole window again.
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        const incremental =
          (call.sort === 'issued_asc' && typeof call.cursor === 'string') || Array.isArray(call.ids);
        expect(incremental, JSON.stringify(call)).toBe(true);
        expect(call.count, JSON.stringify(call)).toBe(false);
      }
      expect(calls.some((call) => call.sort === 'issued_asc')).toBe(true);
      expect(calls.some((call) => Array.isArray(call.ids) && call.ids.includes(revoked))).toBe(true);
    } finally {
      page.off('request', record);
    }
  });
});

describe('Lab: token timeline under a rate faster than it follows', () => {
  it('reads only the newest tokens, shades what it skipped, and draws every token once the rate falls', async () => {
    await admin(ui.engine, 'clients.create', {
      client_id: 'burst-svc',
      client_secret: 'burst-svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });
    // One token first: the canvas is there (an empty timeline shows how to get tokens instead).
    await ui.engine.call('tokens.mint', { client_id: 'burst-svc', kind: 'access', format: 'reference' });
    const { count: before } = await admin<{ count: number }>(ui.engine, 'tokens.count', {});
    await poll(() => num('bar-count')).toBe(before);
    const calls: Array<Record<string, unknown>> = [];
    const record = (request: Request) => {
      if (request.url().includes('/admin/api/tokens.list')) calls.push(request.postDataJSON() ?? {});
    };
    page.on('request', record);
    const holeCounts: number[] = [];
    const watch = setInterval(() => {
      void data('hole-count').then(
        (count) => holeCounts.push(Number(count)),
        () => {},
      );
    }, 50);
    try {
      // Minted in this process, a thousand at a time: bursts of far more than the 2,500 tokens a second
      // the timeline reads one by one, and than 500 events per 100 ms batch (the stream leaves some out).
      const BURST = 12_000;
      const started = Date.now();
      for (let i = 0; i < BURST; i += 1000) {
        await Promise.all(
          Array.from({ length: 1000 }, () =>
            ui.engine.call('tokens.mint', { client_id: 'burst-svc', kind: 'access', format: 'reference' }),
          ),
        );
      }
      const burstMs = Date.now() - started;
      await expect.poll(() => num('bar-count'), { timeout: 60_000 }).toBe(before + BURST);
      await expect.poll(() => num('hole-count'), { timeout: 60_000 }).toBe(0);
      console.log(
        `burst of ${BURST} in ${burstMs} ms; hole counts seen: ${[...new Set(holeCounts)].join(', ')}`,
      );
      // While overloaded the page read the newest page of tokens (not everything after the newest
      // held) and left holes; once the rate fell it read the window again and drew every token.
      expect(Math.max(...holeCounts)).toBeGreaterThan(0);
      expect(
        calls.some((call) => call.sort === 'issued_desc' && call.cursor === undefined && call.limit === 1000),
      ).toBe(true);
    } finally {
      clearInterval(watch);
      page.off('request', record);
    }
  });
});

/** What the page-side check reads of the canvas (this side is type-checked without the DOM library). */
interface CanvasLike {
  dataset: Record<string, string | undefined>;
  clientWidth: number;
  width: number;
  getContext(type: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

/** Mantine's green 6 and blue 6 (the light scheme's active and rotated colours). */
const ACTIVE_GREEN = [0x40, 0xc0, 0x57] as const;
const ROTATED_BLUE = [0x22, 0x8b, 0xe6] as const;

/** Whether a horizontal strip of the canvas (between two times, at a height) has a pixel near a colour. */
function colourInStrip(from: number, to: number, y: number, rgb: readonly number[]): Promise<boolean> {
  return canvas.evaluate(
    (element, [t0, t1, cssY, target]) => {
      const c = element as unknown as CanvasLike;
      const start = Number(c.dataset.viewStart);
      const end = Number(c.dataset.viewEnd);
      const gutter = Number(c.dataset.gutter);
      const width = c.clientWidth;
      const xOf = (t: number) => gutter + ((t - start) / (end - start)) * (width - gutter);
      const scale = c.width / width;
      const x0 = Math.round(xOf(t0) * scale);
      const x1 = Math.round(xOf(t1) * scale);
      const pixels = c
        .getContext('2d')
        .getImageData(x0, Math.round((cssY - 10) * scale), Math.max(1, x1 - x0), Math.round(20 * scale)).data;
      const [r0, g0, b0] = target as number[];
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i] as number, pixels[i + 1] as number, pixels[i + 2] as number];
        if (
          Math.abs(r - (r0 as number)) < 24 &&
          Math.abs(g - (g0 as number)) < 24 &&
          Math.abs(b - (b0 as number)) < 24
        )
          return true;
      }
      return false;
    },
    [from, to, y, rgb] as const,
  );
}

/**
 * Whether the canvas has a pixel of the exchange colour (Mantine indigo 8, the light scheme's) within a
 * few pixels of a time on the axis and a height on the canvas: the exchange's diamond or connector.
 */
function exchangeColourNear(at: number, y: number): Promise<boolean> {
  return canvas.evaluate(
    (element, [time, cssY]) => {
      const c = element as unknown as CanvasLike;
      const start = Number(c.dataset.viewStart);
      const end = Number(c.dataset.viewEnd);
      const gutter = Number(c.dataset.gutter);
      const width = c.clientWidth;
      const x = gutter + ((time - start) / (end - start)) * (width - gutter);
      const scale = c.width / width;
      const size = Math.round(10 * scale);
      const pixels = c
        .getContext('2d')
        .getImageData(Math.round((x - 5) * scale), Math.round((cssY - 5) * scale), size, size).data;
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i] as number, pixels[i + 1] as number, pixels[i + 2] as number];
        if (Math.abs(r - 0x3b) < 24 && Math.abs(g - 0x5b) < 24 && Math.abs(b - 0xdb) < 24) return true;
      }
      return false;
    },
    [at, y] as const,
  );
}
