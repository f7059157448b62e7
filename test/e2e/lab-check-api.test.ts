import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_TOKEN_VARIANTS, type CheckApiOutput } from '../../shared/lab';
import { CARELESS_FINDINGS } from '../helpers/check-api-setup';
import { startCarelessApi, startHangingApi, startStrictApi, type TestApi } from '../helpers/test-apis';
import { chooseOption, runShell } from './lab-helpers';
import { admin, readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

/**
 * Lab → Check my API in a real browser, against a careless service written in the tests (it trusts
 * `alg: none` and never reads aud or exp): the run must report exactly those flaws, sortable, with
 * curl lines that reproduce them, and export them as JSON and JUnit XML.
 */

let ui: UiSession;
let page: Page;
let careless: TestApi;
let hanging: TestApi;

beforeAll(async () => {
  ui = await startUi('lab/check-api');
  page = ui.page;
  careless = await startCarelessApi({ issuer: ui.engine.issuer, requiredScope: 'orders:read' });
  hanging = await startHangingApi();
});
afterAll(async () => {
  await careless?.close();
  await hanging?.close();
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

const urlField = () => page.getByRole('textbox', { name: 'URL', exact: true });
const statusesField = () => page.getByRole('textbox', { name: 'Accepted statuses' });
const run = () => page.getByRole('button', { name: 'Run', exact: true }).click();
const report = () => page.getByRole('region', { name: 'Report' });

/** The variant ids of the results table, top to bottom, and each one's verdict. */
async function resultRows(): Promise<{ variant: string; verdict: string }[]> {
  const rows = page.getByRole('table', { name: 'Results' }).locator('tbody tr');
  const out: { variant: string; verdict: string }[] = [];
  for (const row of await rows.all()) {
    const verdict = await row.locator('[data-verdict]').getAttribute('data-verdict');
    out.push({ variant: (await row.locator('code').first().textContent()) ?? '', verdict: verdict ?? '' });
  }
  return out;
}

describe('Lab: check my API', () => {
  it('asks for a client first', async () => {
    await page.getByRole('heading', { level: 2, name: 'Check my API' }).waitFor();
    await page.getByText('No clients yet').waitFor();
    await admin(ui.engine, 'clients.create', {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      audience: ['orders-api'],
    });
    await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
  });

  it('says what to fix in the form, and shows the engine’s refusal of a remote address inline', async () => {
    await page.getByRole('textbox', { name: 'Extra headers' }).fill('Authorization: Bearer mine');
    await page.getByText('Leave out Authorization: the run sets it to each token in turn.').first().waitFor();
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: 'Extra headers' }).fill('Accept: application/json');

    await statusesField().fill('2xx');
    await page.getByText('"2xx" is not an HTTP status (100 to 599).').first().waitFor();
    await statusesField().fill('');

    const allowRemote = page.getByRole('switch', { name: 'Allow a remote address' });
    await allowRemote.check();
    await page.getByText('Only for a service you own').waitFor();
    await allowRemote.uncheck();

    await urlField().fill('http://example.com/orders');
    await run();
    const alert = page.getByRole('alert').filter({ hasText: 'The run did not happen' });
    await poll(() => alert.textContent()).toContain('example.com is not a loopback address');
  });

  it('stops when the good token is not accepted, and says why', async () => {
    await urlField().fill(careless.url);
    await page.getByRole('textbox', { name: 'Required scope' }).fill('orders:read');
    // The careless API answers 200 to the good token: not what this run calls "accepted".
    await statusesField().fill('204');
    await run();
    await report().locator('[data-baseline="refused"]').waitFor();
    expect(await report().textContent()).toContain('The service answered 200 to the baseline token');
    expect(await page.getByRole('table', { name: 'Results' }).count()).toBe(0);
    await statusesField().fill('');
  });

  it('shows what is happening while it runs, and cancel drops the answer', async () => {
    await urlField().fill(hanging.url);
    await run();
    const progress = page.getByRole('status', { name: 'Run in progress' });
    await progress.waitFor();
    expect(await progress.textContent()).toContain(`GET ${hanging.url}`);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => progress.count()).toBe(0);
    expect(await report().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isEnabled()).toBe(true);
  });

  it('finds exactly the careless service’s flaws, with a curl line that reproduces each', async () => {
    await urlField().fill(careless.url);
    await run();
    await report().locator('[data-baseline="accepted"]').waitFor({ timeout: 30_000 });

    const rows = await resultRows();
    expect(rows).toHaveLength(BAD_TOKEN_VARIANTS.length);
    const findings = rows.filter((r) => r.verdict === 'wrongly_accepted').map((r) => r.variant);
    expect(findings.sort()).toEqual([...CARELESS_FINDINGS].sort());
    // Everything else was refused; none failed to get an answer.
    expect(rows.filter((r) => r.verdict === 'rejected')).toHaveLength(rows.length - findings.length);
    // Findings come first.
    expect(rows.slice(0, findings.length).every((r) => r.verdict === 'wrongly_accepted')).toBe(true);
    const summary = page.getByRole('region', { name: 'Findings' });
    expect(await summary.textContent()).toContain(
      `${CARELESS_FINDINGS.length} of ${BAD_TOKEN_VARIANTS.length} bad tokens wrongly accepted`,
    );
    await screenshot(page, 'lab-check-api');

    await report().getByRole('button', { name: 'Copy curl for alg_none' }).click();
    await poll(() => readClipboard(page)).toContain(careless.url);
    const curl = await readClipboard(page);
    expect(curl).toContain('Authorization: Bearer ');
    expect(await runShell(curl)).toMatch(/^HTTP\/1\.1 200/);
  });

  it('sorts the table', async () => {
    await chooseOption(page, 'Sort by', 'Bad token');
    const byName = (await resultRows()).map((r) => r.variant);
    expect(byName).toEqual([...byName].sort());
    await page.getByText('Descending', { exact: true }).click();
    expect((await resultRows()).map((r) => r.variant)).toEqual([...byName].reverse());
  });

  it('exports the report as JUnit XML and JSON', async () => {
    let downloading = page.waitForEvent('download');
    await report().getByRole('button', { name: 'JUnit XML' }).click();
    let download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^check-api-\d{8}-\d{6}\.xml$/);
    const xml = fs.readFileSync(await download.path(), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    // The baseline is a test case of its own, besides one per variant.
    expect(xml).toContain(
      `tests="${BAD_TOKEN_VARIANTS.length + 1}" failures="${CARELESS_FINDINGS.length}" errors="0"`,
    );
    const failed = [...xml.matchAll(/name="([a-z_]+): [^"]*"[^>]*>\s*<failure type="wrongly_accepted"/g)].map(
      (match) => match[1],
    );
    expect(failed.sort()).toEqual([...CARELESS_FINDINGS].sort());
    expect(xml).toContain(careless.url);

    downloading = page.waitForEvent('download');
    await report().getByRole('button', { name: 'JSON', exact: true }).click();
    download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^check-api-\d{8}-\d{6}\.json$/);
    const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as CheckApiOutput;
    expect(json.findings).toBe(CARELESS_FINDINGS.length);
    expect(json.url).toBe(careless.url);
    expect(json.baseline.accepted).toBe(true);
  });

  it('finds nothing in a strict service (jose jwtVerify with issuer, audience and typ)', async () => {
    await admin(ui.engine, 'clients.create', {
      client_id: 'orders-api',
      client_secret: 'orders-secret',
      grant_types: ['client_credentials'],
    });
    const strict = await startStrictApi({
      issuer: ui.engine.issuer,
      audience: 'orders-api',
      requiredScope: 'orders:read',
      introspection: { clientId: 'orders-api', secret: 'orders-secret' },
    });
    try {
      await urlField().fill(strict.url);
      await run();
      await report().locator('[data-baseline="accepted"]').waitFor({ timeout: 30_000 });
      const rows = await resultRows();
      expect(rows).toHaveLength(BAD_TOKEN_VARIANTS.length);
      expect(rows.filter((r) => r.verdict !== 'rejected')).toEqual([]);
      expect(await page.getByRole('region', { name: 'Findings' }).textContent()).toContain(
        `No bad token accepted (${BAD_TOKEN_VARIANTS.length} sent)`,
      );
    } finally {
      await strict.close();
    }
  });
});
