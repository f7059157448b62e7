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
  // The input is debounced: until the decoded parts are this token's, the page still shows the last one.
  if (token.split('.').length === 3)
    await poll(() => page.getByTestId('token-parts').textContent()).toBe(token);
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

  it('names roles as an authorization attribute, an ID token as not for introspection, and a retired key as unverifiable', async () => {
    const { value } = await mint({ extra_claims: { roles: ['reader'] } });
    await inspect(value);
    await finding('signature_ok').waitFor();
    const claims = page.getByRole('table', { name: 'Claims' });
    const roles = await claims.locator('[data-claim="roles"]').textContent();
    expect(roles).toContain('Authorization attribute (RFC 9068');
    expect(roles).not.toContain('Standard OpenID Connect claim');

    const idToken = await admin<Minted>(ui.engine, 'tokens.mint', {
      client_id: 'web',
      username: 'alice',
      kind: 'id',
    });
    await inspect(idToken.value);
    const known = page.getByRole('region', { name: 'What this provider knows' });
    await poll(() => known.getByTestId('introspection-active').textContent()).toBe(
      'introspection: inactive (not for ID tokens)',
    );

    // The key that signed `value` is rotated out and retired: nobody can check the token any more.
    const signer = JSON.parse(Buffer.from(value.split('.')[0] as string, 'base64url').toString())
      .kid as string;
    await admin(ui.engine, 'keys.rotate', {});
    await admin(ui.engine, 'keys.retire', { kid: signer });
    await inspect(value);
    await finding('retired_kid').waitFor();
    await poll(() => page.getByTestId('signature-status').textContent()).toBe('cannot verify: key retired');
    expect(await finding('bad_signature').count()).toBe(0);
    expect(await finding('unknown_kid').count()).toBe(0);
    await screenshot(page, 'lab-inspector-retired-key');
  });

  it('shows time claims as local dates with the raw number, in the token drawer and the inspector', async () => {
    const minted = await mint({});
    const exp = String(
      JSON.parse(Buffer.from(minted.value.split('.')[1] as string, 'base64url').toString()).exp,
    );
    await page.goto(`${ui.engine.issuer}/ui/#/tokens`);
    await page.getByRole('button', { name: `Details of Access token …${minted.token.id.slice(-8)}` }).click();
    const drawer = page.getByRole('dialog', { name: 'Token details' });
    const drawerExp = drawer.getByRole('table', { name: 'Claims' }).locator('[data-claim="exp"]');
    await drawerExp.waitFor();
    expect(await drawerExp.textContent()).toMatch(/\(in (59 min|1 h)\)/);
    expect(await drawerExp.locator('[data-raw-time]').textContent()).toBe(exp);
    const iso = await drawerExp.locator('time').getAttribute('datetime');
    expect(iso).toBe(new Date(Number(exp) * 1000).toISOString());
    await screenshot(page, 'token-drawer-claim-times');
    await page.keyboard.press('Escape');

    await page.goto(`${ui.engine.issuer}/ui/#/lab/inspector`);
    await inspect(minted.value);
    const inspectorExp = page.getByRole('table', { name: 'Claims' }).locator('[data-claim="exp"]');
    expect(await inspectorExp.locator('[data-raw-time]').textContent()).toBe(exp);
    expect(await inspectorExp.locator('time').getAttribute('datetime')).toBe(iso);

    // A reference token's claims come from introspection only: its times read as dates there too.
    const reference = await mint({ format: 'reference' });
    await inspect(reference.value);
    const introspected = page
      .getByRole('region', { name: 'What this provider knows' })
      .getByRole('table', { name: 'Introspected claims' });
    const referenceExp = introspected.locator('[data-claim="exp"]');
    await referenceExp.waitFor();
    expect(await referenceExp.textContent()).toMatch(/\(in (59 min|1 h)\)\d+$/);
  });

  it('edits a claim of a minted token and re-signs it: signature valid, marked lab-made, unknown to the provider', async () => {
    const minted = await mint({ scope: 'openid email' });
    await inspect(minted.value);
    const toggle = page.getByRole('button', { name: 'Edit and re-sign' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const editor = page.getByRole('region', { name: 'Edit and re-sign' });
    const payload = editor.getByRole('textbox', { name: 'Payload JSON' });
    const claims = JSON.parse(await payload.inputValue()) as Record<string, unknown>;
    expect(claims.scope).toBe('openid email');

    // alg none is refused, with the way to get one on purpose.
    const header = editor.getByRole('textbox', { name: 'Header JSON' });
    const original = await header.inputValue();
    await header.fill(JSON.stringify({ ...JSON.parse(original), alg: 'none' }));
    await payload.fill(JSON.stringify({ ...claims, scope: 'openid email orders:read' }, null, 2));
    await editor.getByRole('button', { name: 'Re-sign with this provider’s key' }).click();
    expect(await editor.getByRole('alert').textContent()).toMatch(/alg "none" is refused.*Lab → Bad tokens/);
    await header.fill(original);

    await editor.getByRole('button', { name: 'Re-sign with this provider’s key' }).click();
    await page.getByTestId('lab-made-badge').waitFor();
    expect(await page.getByTestId('lab-made-badge').textContent()).toBe('Lab-made, re-signed');
    const note = page.getByRole('region', { name: 'Lab-made token' });
    expect(await note.textContent()).toContain(
      'Not issued — introspection will not know it; APIs that check only the signature will accept it.',
    );
    // Loaded back into the inspector: another value, the changed claim, a valid signature, unknown here.
    const resigned = await tokenInput().inputValue();
    expect(resigned).not.toBe(minted.value);
    await poll(() =>
      page.getByRole('table', { name: 'Claims' }).locator('[data-claim="scope"]').textContent(),
    ).toContain('openid email orders:read');
    await finding('signature_ok').waitFor();
    expect(await page.getByTestId('signature-status').textContent()).toBe('signature valid');
    await page.getByTestId('unknown-token').waitFor();
    await screenshot(page, 'lab-inspector-resigned');
    await toggle.click();
    expect(await page.getByRole('region', { name: 'Edit and re-sign' }).count()).toBe(0);
  });

  it('compares two tokens side by side, the changed claim highlighted (keyboard only)', async () => {
    const first = await mint({ scope: 'openid email' });
    const second = await mint({ scope: 'openid orders:read', extra_claims: { tenant: 'acme' } });
    await inspect(first.value);
    const toggle = page.getByRole('button', { name: 'Compare with…' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    const compare = page.getByRole('region', { name: 'Compare tokens' });
    await compare.getByRole('textbox', { name: /Compare with…/ }).focus();
    await page.keyboard.insertText(second.value);
    const summary = compare.getByTestId('compare-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/Claims: .*scope changed.*tenant added/);
    const claims = compare.getByRole('table', { name: 'Claims comparison' });
    const scope = claims.locator('[data-claim="scope"]');
    expect(await scope.getAttribute('data-diff')).toBe('changed');
    expect(await scope.textContent()).toContain('openid email');
    expect(await scope.textContent()).toContain('openid orders:read');
    expect(await claims.locator('[data-claim="tenant"]').getAttribute('data-diff')).toBe('added');
    expect(await claims.locator('[data-claim="sub"]').getAttribute('data-diff')).toBe('same');
    // Times in both columns as dates, each with its number.
    expect(await claims.locator('[data-claim="exp"] time').count()).toBe(2);
    expect(await claims.locator('[data-claim="exp"] [data-raw-time]').count()).toBe(2);
    await screenshot(page, 'lab-inspector-compare');
  });
});
