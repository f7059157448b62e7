import { type CryptoKey, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../shared/schemas';
import { admin, confirmDialog, readClipboard, screenshot, type UiSession, uiForFile } from './ui-helpers';

/**
 * Client drawer → Generate key pair (RFC 7523 §2.2): the private key shown once in the browser is read
 * off the modal and used from Node, by openid-client v6's PrivateKeyJwt, to get a token.
 */

const session = uiForFile('clients');
let ui: UiSession;
let page: Page;

beforeAll(() => {
  ui = session();
  page = ui.page;
});

/** openid-client, strict but for plain HTTP on loopback, authenticating with `key`. */
async function tokenWith(clientId: string, key: CryptoKey, kid: string) {
  const config = await oidc.discovery(
    new URL(ui.engine.issuer),
    clientId,
    undefined,
    oidc.PrivateKeyJwt({ key, kid }),
    { execute: [oidc.allowInsecureRequests] },
  );
  return oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
}

async function openDrawer(clientId: string) {
  await page.getByRole('button', { name: `Open ${clientId}` }).click();
  const drawer = page.getByRole('dialog', { name: `Client ${clientId}` });
  await drawer.waitFor();
  return drawer;
}

describe('Client drawer: key pairs', () => {
  it('generates a key pair, shows the private key once, and Node gets a token with it', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const existing: JWK = { ...(await exportJWK(publicKey)), kid: 'existing', alg: 'ES256' };
    await admin(ui.engine, 'clients.create', {
      client_id: 'billing',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [existing] },
    });
    const drawer = await openDrawer('billing');
    await drawer.getByRole('heading', { name: 'Keys' }).waitFor();
    await drawer.getByRole('button', { name: 'Generate key pair' }).click();

    const modal = page.getByRole('dialog', { name: 'New key pair for billing' });
    await modal.getByText('Shown once: the private key is not stored').waitFor();
    const pem = (await modal.getByLabel('Private key (PEM)').textContent()) ?? '';
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    await modal.getByRole('button', { name: 'Copy private key (PEM)' }).click();
    await expect.poll(() => readClipboard(page)).toBe(pem);
    await modal.getByRole('tab', { name: 'JWK' }).click();
    const jwk = JSON.parse((await modal.getByLabel('Private key (JWK)').textContent()) ?? '') as JWK;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    expect(await modal.getByLabel('Client assertion snippet').textContent()).toContain(
      `.setAudience("${ui.engine.issuer}/token")`,
    );
    await screenshot(page, 'ui-client-key-pair');

    // From Node: the PEM read off the page signs openid-client's assertions.
    const tokens = await tokenWith('billing', await importPKCS8(pem, 'ES256'), jwk.kid as string);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');

    // The engine kept the public half only, beside the key the client had.
    const stored = await admin<Client>(ui.engine, 'clients.get', { client_id: 'billing' });
    expect(stored.jwks?.keys.map((key) => key.kid)).toEqual(['existing', jwk.kid]);
    expect(stored.jwks?.keys.some((key) => 'd' in key)).toBe(false);
    await drawer.getByText(`JWKS with 2 keys: existing, ${jwk.kid}`).waitFor();

    // Closing drops it: nothing on the page shows it again.
    await modal.getByRole('button', { name: 'I have saved the key' }).click();
    await expect.poll(() => modal.count()).toBe(0);
    expect(await page.content()).not.toContain(jwk.d as string);
    await page.keyboard.press('Escape');
  });

  it('switches a client with a secret to a key pair when asked; the secret stops working', async () => {
    await admin(ui.engine, 'clients.create', {
      client_id: 'legacy',
      client_secret: 'legacy-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });
    const drawer = await openDrawer('legacy');
    await drawer.getByRole('button', { name: 'Use a key pair instead' }).click();
    await confirmDialog(page, 'Switch to a key pair');

    const modal = page.getByRole('dialog', { name: 'New key pair for legacy' });
    await modal.getByRole('tab', { name: 'JWK' }).click();
    const jwk = JSON.parse((await modal.getByLabel('Private key (JWK)').textContent()) ?? '') as JWK;
    // Behind the modal the drawer already shows the client as a key client.
    await drawer.getByRole('heading', { name: 'Keys' }).waitFor();
    await modal.getByRole('button', { name: 'I have saved the key' }).click();

    const key = (await importJWK(jwk, jwk.alg)) as CryptoKey;
    expect((await tokenWith('legacy', key, jwk.kid as string)).access_token).toEqual(expect.any(String));
    const withSecret = await fetch(`${ui.engine.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('legacy:legacy-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(withSecret.status).toBe(401);
    await page.keyboard.press('Escape');
  });
});
