import { describe, expect, it } from 'vitest';
import { chooseOption } from './lab-helpers';
import { admin, createServiceClient, screenshot, uiForFile } from './ui-helpers';

const ui = uiForFile('lab/faults');

async function tokenStatus(client: { client_id: string; client_secret: string }): Promise<number> {
  const response = await fetch(`${ui().engine.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
  });
  return response.status;
}

describe('Lab → Faults', () => {
  it('turns on a 503 for the next two token requests: the banner shows it, a client sees it, then it ends by itself', async () => {
    const { page } = ui();
    const client = await createServiceClient(ui().engine, 'faulty-svc');
    await page.getByText('No fault is on').waitFor();
    // The defaults are: token endpoint, an outage (503), for the next N requests.
    await page.getByRole('textbox', { name: 'Requests', exact: true }).fill('2');
    await page.getByRole('button', { name: 'Turn on' }).click();

    const banner = page.getByRole('alert').filter({ hasText: 'A fault is on' });
    await banner.getByText('token → 503 temporarily_unavailable for the next 2 requests').waitFor();
    await page.getByRole('table', { name: 'Active faults' }).getByText('2 requests left').waitFor();
    await screenshot(page, 'lab-faults');

    expect(await tokenStatus(client)).toBe(503);
    expect(await tokenStatus(client)).toBe(503);
    expect(await tokenStatus(client)).toBe(200);
    // Its end is an event: the banner goes without a reload.
    await banner.waitFor({ state: 'detached' });
    await page.getByText('No fault is on').waitFor();
  });

  it('turns every fault off from the banner, on any page', async () => {
    const { page } = ui();
    await admin(ui().engine, 'faults.add', {
      endpoint: 'jwks',
      effect: { kind: 'jwks_missing_current_key' },
    });
    await admin(ui().engine, 'faults.add', {
      endpoint: 'userinfo',
      effect: { kind: 'latency', ms: 500 },
      seconds: 600,
    });
    await page.goto(page.url().replace(/#.*$/, '#/tokens'));
    const banner = page.getByRole('alert').filter({ hasText: '2 faults are on' });
    await banner.getByText('jwks → key set without the current signing key until turned off').waitFor();
    await banner.getByRole('button', { name: 'All faults off' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(await admin(ui().engine, 'faults.list')).toEqual([]);
  });

  it('refuses a malformed OAuth error code, saying why, and turns nothing on', async () => {
    const { page } = ui();
    await page.goto(page.url().replace(/#.*$/, '#/lab/faults'));
    await chooseOption(page, 'Fault', 'An OAuth error');
    await page.getByRole('combobox', { name: 'Error code' }).fill('invalid grant');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The fault was not turned on' })
      .getByText(/OAuth error code/)
      .waitFor();
    expect(await admin(ui().engine, 'faults.list')).toEqual([]);
  });
});
