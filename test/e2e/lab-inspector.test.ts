import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createWebClient, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

interface Minted {
  value: string;
  token: { id: string };
}

beforeAll(async () => {
  ui = await startUi('lab/inspector');
  page = ui.page;
  await admin(ui.engine, 'users.create', { username: 'alice', claims: { email: 'alice@example.test' } });
  await createWebClient(ui.engine, { scope: 'openid email orders:read', audience: ['orders-api'] });
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const mint = (input: Record<string, unknown>) =>
  admin<Minted>(ui.engine, 'tokens.mint', { client_id: 'web', username: 'alice', ...input });
const finding = (code: string) => page.locator(`[data-finding="${code}"]`);
const tokenInput = () => page.getByRole('textbox', { name: 'Token', exact: true });

async function inspect(token: string) {
  await tokenInput().fill(token);
  await page
    .getByRole('region', { name: 'Findings' })
    .or(page.getByText('A reference (opaque) token'))
    .first()
    .waitFor();
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('Lab: token inspector', () => {
  it('says what to do before anything is pasted', async () => {
    await page.getByRole('heading', { level: 2, name: 'Token inspector' }).waitFor();
    await page.getByText('Paste a token to inspect it').waitFor();
  });

  it('takes a JWT of this provider apart, explains each claim and verifies it against the JWKS', async () => {
    const { value } = await mint({ audience: ['orders-api'], extra_claims: { tenant: 'acme' } });
    await inspect(value);
    await finding('signature_ok').waitFor();
    for (const code of ['not_expired', 'issuer_ok', 'typ_access']) await finding(code).waitFor();
    expect(await page.locator('[data-finding] >> text=error').count()).toBe(0);
    expect(await page.getByTestId('signature-status').textContent()).toBe('signature valid');

    const claims = page.getByRole('table', { name: 'Claims' });
    expect(await claims.locator('[data-claim="aud"]').textContent()).toContain('Audience');
    expect(await claims.locator('[data-claim="tenant"]').textContent()).toContain('Custom claim');
    // Time claims as local dates with a relative time, and the raw number.
    const exp = await claims.locator('[data-claim="exp"]').textContent();
    expect(exp).toMatch(/\(in (59 min|1 h)\)/);
    expect(exp).toContain('Expiration time');
    const header = await page.getByRole('table', { name: 'Header parameters' }).textContent();
    expect(header).toContain('at+jwt');
    expect(header).toContain('Key ID');

    // What the provider knows: its own access token, active.
    const known = page.getByRole('region', { name: 'What this provider knows' });
    await poll(() => known.textContent()).toContain('Issued here: access token (jwt) for client web');
    expect(await known.getByTestId('introspection-active').textContent()).toBe('introspection: active');
    await screenshot(page, 'lab-inspector');
  });

  it('flags a token meant for another API once the expected audience is chosen', async () => {
    const audience = page.getByRole('combobox', { name: 'Expected audience (the API receiving it)' });
    await audience.fill('billing-api');
    await finding('wrong_audience').waitFor();
    expect(await finding('wrong_audience').textContent()).toContain('Not meant for "billing-api"');
    await audience.fill('orders-api');
    await finding('audience_ok').waitFor();
    await audience.fill('');
    await poll(() => finding('audience_ok').count()).toBe(0);
  });

  it('finds an expired token (still correctly signed)', async () => {
    const { value } = await mint({ ttl: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2200));
    await inspect(value);
    await finding('expired').waitFor();
    expect(await finding('expired').textContent()).toMatch(/error.*Expired \d+ s ago/);
    await finding('signature_ok').waitFor();
    const known = page.getByRole('region', { name: 'What this provider knows' });
    await poll(() => known.getByTestId('introspection-active').textContent()).toBe('introspection: inactive');
  });

  it('refuses an unsigned (alg none) token', async () => {
    const { value } = await mint({});
    const payload = value.split('.')[1];
    await inspect(`${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`);
    await finding('alg_none').waitFor();
    expect(await page.getByTestId('signature-status').textContent()).toBe('signature invalid');
    await page.getByTestId('unknown-token').waitFor();
  });

  it('spots a tampered payload: the signature no longer matches and the provider does not know it', async () => {
    const { value } = await mint({ scope: 'orders:read' });
    const [header, payload, signature] = value.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${b64url({ ...claims, scope: 'orders:read orders:admin' })}.${signature}`;
    await inspect(forged);
    await finding('bad_signature').waitFor();
    expect(await finding('bad_signature').textContent()).toContain('does not match');
    await page.getByTestId('unknown-token').waitFor();
    await screenshot(page, 'lab-inspector-tampered');
  });

  it('flags a foreign token (unknown kid, wrong issuer), then verifies it with its pasted public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const foreign = await new SignJWT({ scope: 'orders:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'rogue-key', typ: 'at+jwt' })
      .setIssuer('https://elsewhere.example')
      .setSubject('mallory')
      .setAudience('orders-api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await inspect(foreign);
    await finding('unknown_kid').waitFor();
    await finding('wrong_issuer').waitFor();
    expect(await page.getByTestId('signature-status').textContent()).toBe('signature invalid');

    // Its own public key, pasted as a bare JWK without alg: verified, with the assumption stated.
    await page.getByText('A pasted key or JWKS', { exact: true }).click();
    const jwk = await exportJWK(publicKey);
    await page
      .getByRole('textbox', { name: 'Public key or JWKS' })
      .fill(JSON.stringify({ ...jwk, kid: 'rogue-key' }));
    await finding('signature_ok').waitFor();
    await page.getByText(/has no alg; assumed RS256 from the token header/).waitFor();
    expect(await finding('unknown_kid').count()).toBe(0);
    await finding('wrong_issuer').waitFor();

    // A private key is refused, with the reason.
    await page
      .getByRole('textbox', { name: 'Public key or JWKS' })
      .fill('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----');
    await page.getByText(/That is a private key/).waitFor();
    await page.getByText('This provider’s JWKS', { exact: true }).click();
  });

  it('shows what the provider knows about a reference token, and follows its revocation live', async () => {
    const minted = await mint({ format: 'reference' });
    await inspect(minted.value);
    await page.getByText('A reference (opaque) token').waitFor();
    const known = page.getByRole('region', { name: 'What this provider knows' });
    await poll(() => known.textContent()).toContain('Issued here: access token (reference)');
    expect(await known.getByRole('region', { name: 'Introspection response' }).textContent()).toContain(
      '"active": true',
    );
    // No findings panel for an opaque token: nothing to decode.
    expect(await page.getByRole('region', { name: 'Findings' }).count()).toBe(0);

    await admin(ui.engine, 'tokens.revoke', { id: minted.token.id });
    await poll(() => known.getByTestId('introspection-active').textContent()).toBe('introspection: inactive');
    expect(await known.getByRole('region', { name: 'Introspection response' }).textContent()).toContain(
      '"active": false',
    );
    await screenshot(page, 'lab-inspector-reference');

    await inspect('not-a-token-we-know');
    await page.getByTestId('unknown-token').waitFor();
  });
});
