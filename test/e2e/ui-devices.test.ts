import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE_GRANT, type User } from '../../shared/schemas';
import { admin, confirmDialog, screenshot, type UiSession, uiForFile } from './ui-helpers';

/**
 * The Devices page (RFC 8628): a device started by openid-client v6 against the running engine shows up
 * live; approving it in the browser as a test user ends openid-client's polling with tokens, denying it
 * with access_denied. openid-client waits `interval` (5 s) before each poll.
 */

const session = uiForFile('users');
let ui: UiSession;
let page: Page;
let config: oidc.Configuration;
let alice: User;

beforeAll(async () => {
  ui = session();
  page = ui.page;
  alice = await admin<User>(ui.engine, 'users.create', { username: 'alice', claims: { name: 'Alice' } });
  await admin(ui.engine, 'users.create', { username: 'bob' });
});

function devicesTable() {
  return page.getByRole('table', { name: 'Device authorizations' });
}

function deviceRow(userCode: string) {
  return devicesTable().getByRole('row').filter({ hasText: userCode });
}

describe('Devices page', () => {
  it('starts empty, saying how a device starts the flow with a client that may', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { level: 2, name: 'Devices' }).waitFor();
    await page.getByText('No device is waiting').waitFor();
    const curl = page.getByLabel('Start a device authorization');
    expect(await curl.textContent()).toBe(
      `curl -s ${ui.engine.issuer}/device_authorization -d client_id=YOUR_DEVICE_CLIENT -d scope=openid`,
    );
    // A public command-line client with the device grant: the example names it as soon as it exists.
    await admin(ui.engine, 'clients.create', {
      client_id: 'cli',
      client_name: 'Acme CLI',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT],
      scope: 'openid profile',
    });
    await expect.poll(() => curl.textContent()).toContain('-d client_id=cli ');
    config = await oidc.discovery(new URL(ui.engine.issuer), 'cli', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  it('shows a waiting device live; approving it as alice gives the polling device her tokens', {
    timeout: 30_000,
  }, async () => {
    const start = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' });
    const row = deviceRow(start.user_code);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Acme CLI.*cli.*openid profile/);
    await row.getByText('pending').waitFor();
    await row.getByText(/^in (9|10) min$/).waitFor();
    const polled = oidc.pollDeviceAuthorizationGrant(config, start);

    await row.getByRole('button', { name: `Approve ${start.user_code}` }).click();
    const dialog = page.getByRole('dialog', { name: `Approve ${start.user_code}` });
    await dialog.getByRole('combobox', { name: 'Sign in as' }).click();
    await page.getByRole('option', { name: 'alice', exact: true }).click();
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await row.getByText('as alice').waitFor();

    const tokens = await polled;
    expect(tokens.claims()).toMatchObject({ sub: alice.sub, aud: 'cli', name: 'Alice' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: alice.sub, client_id: 'cli' });
    // The device collected its tokens: the page says so without a reload.
    await row.getByText('redeemed').waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    await screenshot(page, 'ui-devices');
  });

  it('denying a waiting device ends its polling with access_denied', { timeout: 30_000 }, async () => {
    const start = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const row = deviceRow(start.user_code);
    await row.waitFor();
    const polled = oidc.pollDeviceAuthorizationGrant(config, start).then(
      () => new Error('the device got tokens'),
      (error: unknown) => error,
    );
    await row.getByRole('button', { name: `Deny ${start.user_code}` }).click();
    await confirmDialog(page, 'Deny device');
    await row.getByText('denied').waitFor();

    const error = await polled;
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).toBe('access_denied');
    const devices = await admin<Array<{ user_code: string; status: string }>>(ui.engine, 'devices.list');
    expect(devices.find((device) => device.user_code === start.user_code)?.status).toBe('denied');
  });
});
