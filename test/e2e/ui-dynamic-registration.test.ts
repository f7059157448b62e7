import { describe, expect, it } from 'vitest';
import { admin, screenshot, uiForFile } from './ui-helpers';

/**
 * Dynamic client registration from the UI's side: switched on in Settings, then a client that registers
 * itself over RFC 7591 appears in Clients at once (the live event stream), marked as registered.
 */

const session = uiForFile('settings');

describe('Dynamic client registration in the UI', () => {
  it('is switched on in Settings, and a registered client appears live in Clients with its badge', async () => {
    const ui = session();
    const { page } = ui;
    const register = () =>
      fetch(`${ui.engine.issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'MCP inspector', grant_types: ['client_credentials'] }),
      });
    // Off by default: the endpoint refuses.
    expect((await register()).status).toBe(403);

    const toggle = page.getByRole('switch', { name: 'Dynamic client registration' });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check({ force: true });
    await page.getByRole('button', { name: 'Save registration settings' }).click();
    await page.getByText('Registration settings saved').waitFor();
    await screenshot(page, 'ui-registration-settings');
    expect(await admin<{ dynamic_registration: boolean }>(ui.engine, 'settings.get')).toMatchObject({
      dynamic_registration: true,
    });

    await page.goto(`${ui.engine.issuer}/ui/#/clients`);
    await page.getByText('No clients yet').waitFor();
    const response = await register();
    expect(response.status).toBe(201);
    const { client_id } = (await response.json()) as { client_id: string };
    // No reload: the page learns of the client from the client.created event.
    const row = page.getByRole('row', { name: new RegExp(client_id) });
    await row.waitFor();
    await row.getByLabel('Registered dynamically').waitFor();
    expect(await row.textContent()).toContain('MCP inspector');
    await screenshot(page, 'ui-dynamic-registration');
  });
});
