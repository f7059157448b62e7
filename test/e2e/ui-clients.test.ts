import { exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, confirmDialog, readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('clients');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

interface ClientDto {
  client_id: string;
  client_name: string | null;
  client_secret: string | null;
  redirect_uris: string[];
  grant_types: string[];
  audience: string[];
  access_token_format: string;
  access_token_ttl: number | null;
  id_token_ttl: number | null;
  allow_loopback_port_variance: boolean;
  introspect_any_token: boolean;
  token_endpoint_auth_method: string;
  jwks: { keys: Array<Record<string, unknown>> } | null;
  token_endpoint_auth_signing_alg: string | null;
  jwt_bearer?: unknown;
}

/** Opens the New client form (over whatever drawer is open) with an ID and one redirect URI filled. */
async function newClientWithRedirect(clientId: string, redirectUri: string) {
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByRole('textbox', { name: 'Client ID', exact: true }).fill(clientId);
  const redirects = dialog.getByRole('combobox', { name: 'Redirect URIs', exact: true });
  await redirects.fill(redirectUri);
  await redirects.press('Enter');
  return dialog;
}

describe('Clients page', () => {
  it('starts with an empty state that says what to do', async () => {
    await page.getByText('No clients yet').waitFor();
  });

  it('creates a client and copies its ready-made configuration', async () => {
    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('textbox', { name: 'Client ID', exact: true }).fill('web-app');
    await dialog.getByRole('textbox', { name: 'Client name', exact: true }).fill('Web app');

    // Grant types: add client_credentials to the two defaults.
    await dialog.getByRole('combobox', { name: 'Grant types' }).click();
    await page.getByRole('option', { name: 'client_credentials' }).click();
    await page.keyboard.press('Escape');

    const redirects = dialog.getByRole('combobox', { name: 'Redirect URIs', exact: true });
    await redirects.fill('http://localhost:3000/callback');
    await redirects.press('Enter');
    const audience = dialog.getByRole('combobox', { name: 'Audience' });
    await audience.fill('https://api.example.com');
    await audience.press('Enter');
    await dialog.getByLabel(/^Reference/).check();
    await dialog.getByLabel('Access token lifetime (s)').fill('600');
    await dialog.getByRole('button', { name: 'Create client' }).click();

    // The new client opens in the drawer with its configuration.
    const drawer = page.getByRole('dialog', { name: 'Client Web app' });
    await drawer.waitFor();
    const stored = await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'web-app' });
    expect(stored).toMatchObject({
      client_name: 'Web app',
      redirect_uris: ['http://localhost:3000/callback'],
      audience: ['https://api.example.com'],
      access_token_format: 'reference',
      access_token_ttl: 600,
      id_token_ttl: null,
    });
    expect([...stored.grant_types].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(stored.client_secret).toBeTruthy();

    const snippet = drawer.getByLabel('Configuration snippet');
    const text = (await snippet.textContent()) ?? '';
    expect(text).toContain(`OIDC_ISSUER=${ui.engine.issuer}`);
    expect(text).toContain(`OIDC_DISCOVERY_URL=${ui.engine.issuer}/.well-known/openid-configuration`);
    expect(text).toContain('OIDC_CLIENT_ID=web-app');
    // The secret is hidden on screen, as in the secret field; Copy copies the real one.
    expect(text).not.toContain(stored.client_secret as string);
    expect(text).toContain("OIDC_CLIENT_SECRET='••••");

    await drawer.getByRole('button', { name: 'Copy configuration' }).click();
    await drawer.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await readClipboard(page)).toContain(`OIDC_CLIENT_SECRET=${stored.client_secret}`);
    await drawer.getByRole('button', { name: 'Show secret' }).click();
    const shown = (await snippet.textContent()) ?? '';
    expect(shown).toContain(`OIDC_CLIENT_SECRET=${stored.client_secret}`);
    expect(await readClipboard(page)).toBe(shown);

    // The JSON flavour carries the same facts.
    await drawer.getByText('JSON', { exact: true }).click();
    await expect
      .poll(async () => JSON.parse((await snippet.textContent()) ?? '{}'))
      .toMatchObject({
        issuer: ui.engine.issuer,
        client_id: 'web-app',
        client_secret: stored.client_secret,
      });
    await screenshot(page, 'ui-clients');
  });

  it('shows, copies and regenerates the secret after confirmation', async () => {
    const drawer = page.getByRole('dialog', { name: 'Client Web app' });
    const before = await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'web-app' });
    const secret = drawer.getByLabel('Client secret', { exact: true });
    expect(await secret.getAttribute('type')).toBe('password');
    await drawer.getByRole('button', { name: 'Show or hide the client secret' }).click();
    expect(await secret.getAttribute('type')).toBe('text');
    expect(await secret.inputValue()).toBe(before.client_secret);

    await drawer.getByRole('button', { name: 'Copy client secret' }).click();
    await expect.poll(() => readClipboard(page)).toBe(before.client_secret);

    await drawer.getByRole('button', { name: 'Regenerate secret' }).click();
    await confirmDialog(page, 'Regenerate secret');
    await expect.poll(() => secret.inputValue()).not.toBe(before.client_secret);
    const after = await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'web-app' });
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(await secret.inputValue()).toBe(after.client_secret);
  });

  it('edits a client and falls back to the default lifetime when emptied', async () => {
    const drawer = page.getByRole('dialog', { name: 'Client Web app' });
    await drawer.getByRole('button', { name: 'Edit client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit client web-app' });
    await dialog.getByRole('textbox', { name: 'Client name', exact: true }).fill('Web app v2');
    await dialog.getByLabel('Access token lifetime (s)').fill('');
    await dialog.getByLabel(/^JWT/).check();
    await dialog.getByRole('button', { name: 'Save client' }).click();
    await page.getByRole('dialog', { name: 'Client Web app v2' }).waitFor();
    const stored = await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'web-app' });
    expect(stored).toMatchObject({
      client_name: 'Web app v2',
      access_token_ttl: null,
      access_token_format: 'jwt',
    });
  });

  it('reports what is wrong with an invalid client instead of failing silently', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('textbox', { name: 'Client ID', exact: true }).fill('spa');
    // authorization_code (a default grant) without a redirect URI.
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'redirect URI' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('deletes a client after confirmation', async () => {
    await page.getByRole('button', { name: 'Open web-app' }).click();
    const drawer = page.getByRole('dialog', { name: 'Client Web app v2' });
    await drawer.getByRole('button', { name: 'Delete client' }).click();
    await confirmDialog(page, 'Delete client');
    await page.getByText('No clients yet').waitFor();
    expect(await admin<ClientDto[]>(ui.engine, 'clients.list', {})).toEqual([]);
  });

  it('shows and edits the loopback-port and introspection policies, defaulting port variance for a native app', async () => {
    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('textbox', { name: 'Client ID', exact: true }).fill('cli-tool');
    const portVariance = dialog.getByRole('switch', { name: /Any port on loopback redirect URIs/ });
    const introspectAny = dialog.getByRole('switch', { name: /Introspect any token/ });
    expect(await portVariance.isChecked()).toBe(false);
    expect(await introspectAny.isChecked()).toBe(false);

    // A public client with a loopback IP redirect is a native app: any port, until the user says otherwise.
    await dialog.getByRole('combobox', { name: 'Token endpoint auth method' }).click();
    await page.getByRole('option', { name: /^none/ }).click();
    const redirects = dialog.getByRole('combobox', { name: 'Redirect URIs', exact: true });
    await redirects.fill('http://127.0.0.1/callback');
    await redirects.press('Enter');
    await expect.poll(() => portVariance.isChecked()).toBe(true);
    await introspectAny.check({ force: true });
    await dialog.getByRole('button', { name: 'Create client' }).click();

    const drawer = page.getByRole('dialog', { name: 'Client cli-tool' });
    const details = drawer.getByRole('table', { name: 'Client details' });
    await details.getByText(/^Any port on its http:\/\/127\.0\.0\.1/).waitFor();
    await details.getByText('Any token (gateway)').waitFor();
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'cli-tool' })).toMatchObject({
      allow_loopback_port_variance: true,
      introspect_any_token: true,
    });

    await drawer.getByRole('button', { name: 'Edit client' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit client cli-tool' });
    await edit.getByRole('switch', { name: /Any port on loopback redirect URIs/ }).uncheck({ force: true });
    await edit.getByRole('button', { name: 'Save client' }).click();
    await details.getByText('Exactly as registered').waitFor();
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'cli-tool' })).toMatchObject({
      allow_loopback_port_variance: false,
      introspect_any_token: true,
    });
  });

  it('keeps a client’s token-exchange policy and DPoP settings when another field is edited', async () => {
    const policy = {
      allowed_audiences: ['billing-api'],
      may_impersonate: true,
      allow_refresh_token_subject: false,
    };
    await admin(ui.engine, 'clients.create', {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      scope: 'orders:read',
      token_exchange: policy,
      dpop_bound_access_tokens: true,
      dpop_nonce_required: true,
    });
    // The previous test left a client's drawer open over the list.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Edit gateway' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit client gateway' });
    await dialog.getByRole('textbox', { name: 'Client name', exact: true }).fill('Gateway');
    await dialog.getByRole('button', { name: 'Save client' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'gateway' })).toMatchObject({
      client_name: 'Gateway',
      token_exchange: policy,
      dpop_bound_access_tokens: true,
      dpop_nonce_required: true,
    });
  });

  it('registers a private_key_jwt client with its public JWKS, refusing a private key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'signer-1' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'signer-1' };
    const dialog = await newClientWithRedirect('signer', 'http://localhost:4000/callback');
    await dialog.getByRole('combobox', { name: 'Token endpoint auth method' }).click();
    await page.getByRole('option', { name: /^private_key_jwt/ }).click();
    await dialog.getByRole('combobox', { name: 'Assertion signing algorithm' }).click();
    await page.getByRole('option', { name: 'ES256', exact: true }).click();

    // The private key pasted by mistake: refused before the round trip, saying why, and nothing saved.
    const jwks = dialog.getByRole('textbox', { name: 'JWKS', exact: true });
    await jwks.fill(JSON.stringify({ keys: [privateJwk] }));
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'jwks holds only public keys; key 0 (kid "signer-1") has private material (d)' })
      .waitFor();
    const ids = (await admin<ClientDto[]>(ui.engine, 'clients.list', {})).map((c) => c.client_id);
    expect(ids).not.toContain('signer');

    await jwks.fill(JSON.stringify({ keys: [publicJwk] }, null, 2));
    await dialog.getByRole('button', { name: 'Create client' }).click();
    const drawer = page.getByRole('dialog', { name: 'Client signer' });
    const details = drawer.getByRole('table', { name: 'Client details' });
    await details.getByText('JWKS with 1 key: signer-1').waitFor();
    await details.getByText('ES256', { exact: true }).waitFor();
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'signer' })).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
      jwks_uri: null,
      token_endpoint_auth_signing_alg: 'ES256',
    });
  });

  it('saves a token-exchange policy and the DPoP requirements, and shows them in the drawer', async () => {
    const dialog = await newClientWithRedirect('exchanger', 'http://localhost:5000/callback');
    // The policy fields appear with the grant.
    const audiences = dialog.getByRole('combobox', { name: 'Allowed audiences' });
    expect(await audiences.count()).toBe(0);
    await dialog.getByRole('combobox', { name: 'Grant types' }).click();
    await page.getByRole('option', { name: 'token-exchange (RFC 8693)' }).click();
    await page.keyboard.press('Escape');
    await audiences.fill('billing-api');
    await audiences.press('Enter');
    await dialog.getByRole('switch', { name: 'May impersonate' }).check({ force: true });
    await dialog.getByRole('switch', { name: 'Require DPoP-bound access tokens' }).check({ force: true });
    await dialog.getByRole('switch', { name: 'Require a DPoP nonce' }).check({ force: true });
    await dialog.getByRole('button', { name: 'Create client' }).click();

    const drawer = page.getByRole('dialog', { name: 'Client exchanger' });
    const details = drawer.getByRole('table', { name: 'Client details' });
    await details.getByText('token-exchange (RFC 8693)').waitFor();
    await details.getByText('billing-api', { exact: true }).waitFor();
    await details.getByText('Allowed (exchange without an actor)').waitFor();
    await details.getByText(/^Required: every token request carries a proof/).waitFor();
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'exchanger' })).toMatchObject({
      grant_types: expect.arrayContaining(['urn:ietf:params:oauth:grant-type:token-exchange']),
      token_exchange: {
        allowed_audiences: ['billing-api'],
        may_impersonate: true,
        allow_refresh_token_subject: false,
      },
      dpop_bound_access_tokens: true,
      dpop_nonce_required: true,
    });
  });

  it('registers a client for the jwt-bearer grant with its trusted assertion issuers', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'hr-1' };
    const dialog = await newClientWithRedirect('assertions', 'http://localhost:6000/callback');
    // The issuer fields appear with the grant.
    const issuer = dialog.getByRole('textbox', { name: 'Issuer', exact: true });
    expect(await issuer.count()).toBe(0);
    await dialog.getByRole('combobox', { name: 'Grant types' }).click();
    await page.getByRole('option', { name: 'jwt-bearer (RFC 7523)' }).click();
    await page.keyboard.press('Escape');

    // Saved before the issuer has keys: refused, saying which issuer and what is missing.
    await issuer.fill('https://hr.example');
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'Trusted issuer "https://hr.example": Public keys (JWKS): paste a JWK Set' })
      .waitFor();
    await dialog.getByRole('textbox', { name: 'Issuer JWKS', exact: true }).fill(JSON.stringify(publicJwk));
    await dialog.getByRole('combobox', { name: 'Subject matching' }).click();
    await page.getByRole('option', { name: 'A username only' }).click();

    // A second issuer whose keys are fetched.
    await dialog.getByRole('button', { name: 'Add trusted issuer' }).click();
    await issuer.nth(1).fill('https://partner.example');
    await dialog.getByText('JWKS URL', { exact: true }).nth(1).click();
    await dialog
      .getByRole('textbox', { name: 'Issuer JWKS URL', exact: true })
      .fill('https://partner.example/jwks.json');
    const scopes = dialog.getByRole('combobox', { name: 'Scopes for assertions' });
    await scopes.fill('openid');
    await scopes.press('Enter');
    await dialog.getByRole('button', { name: 'Create client' }).click();

    const drawer = page.getByRole('dialog', { name: 'Client assertions' });
    const details = drawer.getByRole('table', { name: 'Client details' });
    await details.getByText('jwt-bearer (RFC 7523)').waitFor();
    // The drawer says whom the client trusts, with which keys, and how sub finds the user.
    await details.getByText('JWKS with 1 key: hr-1 · A username only').waitFor();
    await details
      .getByText("JWKS URL https://partner.example/jwks.json · A user's subject, else a username")
      .waitFor();
    expect(await admin<ClientDto>(ui.engine, 'clients.get', { client_id: 'assertions' })).toMatchObject({
      grant_types: expect.arrayContaining(['urn:ietf:params:oauth:grant-type:jwt-bearer']),
      jwt_bearer: {
        trusted_issuers: [
          { issuer: 'https://hr.example', jwks: { keys: [publicJwk] }, subject_match: 'username' },
          {
            issuer: 'https://partner.example',
            jwks_uri: 'https://partner.example/jwks.json',
            subject_match: 'sub_then_username',
          },
        ],
        allowed_scopes: ['openid'],
      },
    });

    // Edited again, the form shows both issuers as saved.
    await drawer.getByRole('button', { name: 'Edit client' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit client assertions' });
    expect(await edit.getByRole('textbox', { name: 'Issuer', exact: true }).nth(1).inputValue()).toBe(
      'https://partner.example',
    );
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });
});
