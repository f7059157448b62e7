import { describe, expect, it } from 'vitest';
import { admin, clientCredentialsToken, createServiceClient, screenshot, uiForFile } from './ui-helpers';

const ui = uiForFile('tokens');

describe('the provider clock in the header', () => {
  it('jumps an hour ahead: a fresh 5-minute token shows expired at once, and the header says time is moved', async () => {
    const { page } = ui();
    const client = await createServiceClient(ui().engine, 'clock-svc', { access_token_ttl: 300 });
    await clientCredentialsToken(ui().engine, client);
    const row = page.getByRole('row', { name: /clock-svc/ });
    await row.locator('[data-state="active"]').waitFor();
    expect(await row.textContent()).toMatch(/\(in (5|4) min/);

    await page.getByRole('button', { name: 'Provider clock' }).click();
    const dialog = page.getByRole('dialog', { name: 'Provider clock' });
    await dialog.getByRole('button', { name: '+1 h' }).click();
    // The header badge names the offset whenever it is not zero.
    await page.getByRole('button', { name: /Provider time \+1 h/ }).waitFor();
    await dialog.getByLabel('Provider time').getByText('(+1 h)').waitFor();
    await page.keyboard.press('Escape');

    // No waiting: the row turns expired because provider time moved, and its countdown says so.
    await row.locator('[data-state="expired"]').waitFor();
    expect(await row.textContent()).toMatch(/ago\)/);
    await screenshot(page, 'provider-clock');

    await page.getByRole('button', { name: /Provider time \+1 h/ }).click();
    await page
      .getByRole('dialog', { name: 'Provider clock' })
      .getByRole('button', { name: 'Back to real time' })
      .click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Provider clock' }).waitFor();
    await row.locator('[data-state="active"]').waitFor();
    const settings = await admin<{ clock_offset_seconds: number }>(ui().engine, 'settings.get');
    expect(settings.clock_offset_seconds).toBe(0);
  });

  it("sets an issuing skew, shown in the header and in the next token's iat", async () => {
    const { page } = ui();
    await page.getByRole('button', { name: 'Provider clock' }).click();
    const dialog = page.getByRole('dialog', { name: 'Provider clock' });
    await dialog.getByLabel('Issuing skew (seconds)').fill('-120');
    await dialog.getByRole('button', { name: 'Set skew' }).click();
    await page.getByRole('button', { name: /skew −2 min/ }).waitFor();
    await page.keyboard.press('Escape');
    const client = await createServiceClient(ui().engine, 'skew-svc');
    const before = Math.floor(Date.now() / 1000);
    const { access_token } = await clientCredentialsToken(ui().engine, client);
    const payload = access_token.split('.')[1] as string;
    const iat = Number(JSON.parse(Buffer.from(payload, 'base64url').toString()).iat);
    expect(before - iat).toBeGreaterThanOrEqual(119);
    expect(before - iat).toBeLessThanOrEqual(121);
    await admin(ui().engine, 'settings.update', { clock_skew_seconds: 0 });
    await page.getByRole('button', { name: 'Provider clock' }).waitFor();
  });

  it('marks each move of the clock on the timeline', async () => {
    const { page } = ui();
    await admin(ui().engine, 'settings.update', { clock_offset_seconds: 86_400 });
    await admin(ui().engine, 'settings.update', { clock_offset_seconds: 0 });
    await page.goto(page.url().replace(/#.*$/, '#/lab/timeline'));
    const moves = page.getByRole('list', { name: 'Provider clock changes' });
    await moves.getByText('+1 day').waitFor();
    await moves.getByText('real time').first().waitFor();
    await screenshot(page, 'provider-clock-timeline');
  });
});
