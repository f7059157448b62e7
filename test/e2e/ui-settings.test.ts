import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, confirmDialog, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('settings');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

interface Settings {
  access_token_ttl: number;
  login_hint_skips_login: boolean;
}
interface Key {
  kid: string;
  status: 'next' | 'current' | 'previous' | 'retired';
  activates_at: string | null;
}

describe('Settings page', () => {
  it('shows the issuer, port and data folder of the running engine', async () => {
    const issuer = page.getByRole('textbox', { name: 'Issuer', exact: true });
    await expect.poll(() => issuer.inputValue()).toBe(ui.engine.issuer);
    expect(await page.getByRole('textbox', { name: 'Port', exact: true }).inputValue()).toBe(
      String(ui.engine.port),
    );
    expect(await page.getByRole('textbox', { name: 'Discovery URL', exact: true }).inputValue()).toBe(
      `${ui.engine.issuer}/.well-known/openid-configuration`,
    );
    expect(await page.getByRole('textbox', { name: 'Data folder', exact: true }).inputValue()).toBe(
      ui.engine.dataDir,
    );
    // The header shows the issuer and the server state on every page.
    await page.getByLabel('Server state: Running').waitFor();
  });

  it('changes a default lifetime and the login behaviour', async () => {
    const ttl = page.getByRole('textbox', { name: 'Access token lifetime (s)' });
    await expect.poll(() => ttl.inputValue()).toBe('3600');
    const save = page.getByRole('button', { name: 'Save settings' });
    expect(await save.isDisabled()).toBe(true);
    await ttl.fill('900');
    await page.getByText('15 min', { exact: true }).waitFor();
    await page.getByRole('switch', { name: 'login_hint skips the login page' }).check({ force: true });
    await save.click();
    await page.getByText('Settings saved').waitFor();
    const settings = await admin<Settings>(ui.engine, 'settings.get');
    expect(settings.access_token_ttl).toBe(900);
    expect(settings.login_hint_skips_login).toBe(true);
    await expect.poll(() => save.isDisabled()).toBe(true);
  });

  it('rotates the signing key and retires the previous one, each after confirmation', async () => {
    const keys = page.getByRole('table', { name: 'Signing keys' });
    await keys.waitFor();
    const before = await admin<Key[]>(ui.engine, 'keys.list');
    const oldKid = before.find((k) => k.status === 'current')?.kid as string;
    expect(oldKid).toBeTruthy();

    await page.getByRole('button', { name: 'Rotate now' }).click();
    await confirmDialog(page, 'Rotate key');
    const oldRow = keys.getByRole('row', { name: new RegExp(oldKid) });
    // A new RSA key takes a moment on a busy machine.
    await expect.poll(() => oldRow.textContent(), { timeout: 10_000 }).toContain('previous');
    await expect
      .poll(async () => (await admin<Key[]>(ui.engine, 'keys.list')).length)
      .toBe(before.length + 1);
    await screenshot(page, 'ui-settings');

    await page.getByRole('button', { name: `Retire key ${oldKid}` }).click();
    await confirmDialog(page, 'Retire key');
    await expect.poll(() => oldRow.textContent()).toContain('retired');
    const after = await admin<Key[]>(ui.engine, 'keys.list');
    expect(after.find((k) => k.kid === oldKid)?.status).toBe('retired');
  });

  it('stages the next key with its activation time, activates it, and shows each stage on the timeline', async () => {
    const keys = page.getByRole('table', { name: 'Signing keys' });
    const currentKid = (await admin<Key[]>(ui.engine, 'keys.list')).find((k) => k.status === 'current')
      ?.kid as string;
    await page.getByRole('textbox', { name: 'Activate after (s)' }).fill('3600');
    await page.getByText('Signs 1 h after staging').waitFor();
    const stage = page.getByRole('button', { name: 'Stage next key' });
    await stage.click();

    await expect
      .poll(async () => (await admin<Key[]>(ui.engine, 'keys.list'))[0]?.status, { timeout: 10_000 })
      .toBe('next');
    const staged = (await admin<Key[]>(ui.engine, 'keys.list')).find((k) => k.status === 'next') as Key;
    const stagedRow = keys.getByRole('row', { name: new RegExp(staged.kid) });
    await expect.poll(() => stagedRow.textContent()).toContain('next');
    // The activation time, an hour ahead, is shown in the row (as a machine-readable <time>).
    expect(await stagedRow.locator('time').nth(1).getAttribute('datetime')).toBe(staged.activates_at);
    expect(await stagedRow.textContent()).toMatch(/\(in (59 min|1 h)\)/);
    // Only one key is staged at a time.
    await expect.poll(() => stage.isDisabled()).toBe(true);

    await page.getByRole('button', { name: `Activate key ${staged.kid}` }).click();
    await confirmDialog(page, 'Activate key');
    await expect.poll(() => stagedRow.textContent()).toContain('current');
    await expect
      .poll(() => keys.getByRole('row', { name: new RegExp(currentKid) }).textContent())
      .toContain('previous');
    await expect.poll(() => stage.isDisabled()).toBe(false);
    expect((await admin<Key[]>(ui.engine, 'keys.list')).find((k) => k.kid === staged.kid)?.status).toBe(
      'current',
    );

    await page.goto(`${ui.engine.issuer}/ui/#/lab/timeline`);
    const changes = page.getByRole('list', { name: 'Signing key changes' });
    await expect.poll(() => changes.textContent()).toContain(`activated${staged.kid.slice(0, 8)}`);
    expect(await changes.textContent()).toContain(`staged${staged.kid.slice(0, 8)}`);
    await page.getByRole('list', { name: 'Timeline legend' }).getByText('signing key activated').waitFor();
    await page.goto(`${ui.engine.issuer}/ui/#/settings`);
    await page.getByRole('table', { name: 'Signing keys' }).waitFor();
  });

  it('exports the workspace as a JSON download, imports one and resets', async () => {
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export workspace' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^idp-sandbox-workspace-.*\.json$/);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    expect(exported.settings.access_token_ttl).toBe(900);
    expect(exported.keys).toBeUndefined();

    const box = page.getByRole('textbox', { name: 'Workspace JSON to import' });
    await box.fill('{"users": [');
    await page.getByText(/Invalid JSON/).waitFor();
    expect(await page.getByRole('button', { name: 'Import workspace' }).isDisabled()).toBe(true);
    await box.fill(
      JSON.stringify({ users: [{ username: 'imported-user', claims: { email: 'i@example.com' } }] }),
    );
    await page.getByRole('button', { name: 'Import workspace' }).click();
    await confirmDialog(page, 'Import workspace');
    await page.getByText(/Imported 1 users/).waitFor();
    const users = await admin<Array<{ username: string }>>(ui.engine, 'users.list', {});
    expect(users.map((u) => u.username)).toContain('imported-user');

    await page.getByRole('button', { name: 'Reset workspace' }).click();
    await confirmDialog(page, 'Reset everything');
    await expect
      .poll(() => page.getByRole('textbox', { name: 'Access token lifetime (s)' }).inputValue())
      .toBe('3600');
    expect(await admin(ui.engine, 'users.list', {})).toEqual([]);
  });
});
