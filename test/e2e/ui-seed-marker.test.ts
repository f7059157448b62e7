/** Users and clients a start's seed file wrote are marked as such on their pages; others are not. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_UI, startTestEngine } from '../helpers/engine';
import { launchChromium } from './chromium';
import { admin, screenshot, signInTab, type TestEngine } from './ui-helpers';

let engine: TestEngine;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  engine = await startTestEngine({
    uiDir: BUILT_UI,
    seed: {
      users: [{ username: 'seeded-sam', claims: { name: 'Sam' } }],
      clients: [
        { client_id: 'seeded-svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] },
      ],
    },
  });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await engine?.cleanup();
});

describe('seed-managed records', () => {
  it('carry a "seed" badge on Users and Clients, and records made in the UI do not', async () => {
    await admin(engine, 'users.create', { username: 'hand-made-hal' });
    const page = await (
      await chromium.browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await signInTab(page, engine, 'users');
    const seeded = page.getByRole('row', { name: /seeded-sam/ });
    await seeded.getByLabel('Managed by the seed file').waitFor();
    const handMade = page.getByRole('row', { name: /hand-made-hal/ });
    await handMade.waitFor();
    expect(await handMade.getByLabel('Managed by the seed file').count()).toBe(0);
    await seeded.getByLabel('Managed by the seed file').focus();
    await page.getByRole('tooltip').filter({ hasText: 'restarting with --seed overwrites edits' }).waitFor();
    await screenshot(page, 'ui-seed-marker-users');

    await page.goto(`${engine.issuer}/ui/#/clients`);
    await page
      .getByRole('row', { name: /seeded-svc/ })
      .getByLabel('Managed by the seed file')
      .waitFor();
  });
});
