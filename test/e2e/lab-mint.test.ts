import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { importJWK, type JWK, SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { ROOT } from '../helpers/engine';
import { chooseOption, runShell } from './lab-helpers';
import { admin, createWebClient, readClipboard, screenshot, startUi, type UiSession } from './ui-helpers';

let ui: UiSession;
let page: Page;

beforeAll(async () => {
  ui = await startUi('lab/mint');
  page = ui.page;
});
afterAll(async () => {
  await ui?.close();
});

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

async function curl(id: string): Promise<string> {
  return (await page.locator(`[data-curl="${id}"] pre`).textContent()) ?? '';
}

async function mintedValue(): Promise<string> {
  return (await page.getByTestId('minted-value').textContent()) ?? '';
}

function jwtClaims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** A DPoP proof for GET `url` with `token`, signed by the private JWK the page showed. */
async function dpopProof(privateJwk: JWK, url: string, token: string): Promise<string> {
  const { d: _d, ...publicJwk } = privateJwk;
  return new SignJWT({
    htm: 'GET',
    htu: url,
    jti: randomUUID(),
    ath: createHash('sha256').update(token).digest('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
    .setIssuedAt()
    .sign(await importJWK(privateJwk, 'ES256'));
}

describe('Lab: mint', () => {
  it('asks for a client first', async () => {
    await page.getByRole('heading', { level: 2, name: 'Mint a token' }).waitFor();
    await page.getByText('No clients yet').waitFor();
    await admin(ui.engine, 'users.create', { username: 'alice', claims: { email: 'alice@example.test' } });
    await createWebClient(ui.engine, {
      scope: 'openid email orders:read',
      audience: ['orders-api', 'billing-api'],
    });
    await admin(ui.engine, 'clients.create', {
      client_id: 'svc',
      client_secret: 'svc secret/+',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
    });
    await admin(ui.engine, 'clients.create', {
      client_id: 'spa',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid',
    });
    // The form appears as soon as the clients exist (live).
    await page.getByRole('button', { name: 'Mint token' }).waitFor();
  });

  it('mints a JWT with scope, audience, lifetime and extra claims, with curl commands that work', async () => {
    await chooseOption(page, 'Client', 'web');
    await chooseOption(page, 'User', 'alice');
    await page.getByText('JWT', { exact: true }).click();
    await page.getByRole('textbox', { name: 'Scope' }).fill('openid email orders:read');
    const audience = page.getByRole('combobox', { name: 'Audience' });
    await audience.fill('billing-api');
    await audience.press('Enter');
    await page.getByRole('textbox', { name: 'Lifetime (seconds)' }).fill('120');
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByRole('combobox', { name: 'Claim name 1' }).fill('tenant');
    await page.getByLabel('Claim value 1').fill('acme');
    await page.getByRole('button', { name: 'Mint token' }).click();

    const result = page.getByRole('region', { name: 'Minted token' });
    await result.waitFor();
    const value = await mintedValue();
    expect(value.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(value.split('.')[1] as string, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      aud: 'billing-api',
      scope: 'openid email orders:read',
      tenant: 'acme',
      client_id: 'web',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
    expect(await result.textContent()).toContain('about alice');
    await screenshot(page, 'lab-mint');

    // Introspection, as the page shows it, pasted into a shell.
    const introspect = await curl('introspect');
    expect(introspect).toContain('-u web:web-secret');
    expect(JSON.parse(await runShell(introspect))).toMatchObject({
      active: true,
      tenant: 'acme',
      username: 'alice',
    });
    await result.getByRole('button', { name: 'Copy: Introspect it (RFC 7662)' }).click();
    await poll(() => readClipboard(page)).toBe(introspect);

    expect(JSON.parse(await runShell(await curl('userinfo')))).toMatchObject({ email: 'alice@example.test' });
    expect(await curl('api')).toContain(`Authorization: Bearer ${value}`);
    expect(JSON.parse(await runShell(await curl('jwks'))).keys.length).toBeGreaterThan(0);

    // Revoking with the command: the page follows (live), introspection says inactive.
    expect(await runShell(await curl('revoke'))).toMatch(/^HTTP\/1\.1 200/);
    await result.locator('[data-state="revoked"]').waitFor();
    expect(JSON.parse(await runShell(introspect))).toEqual({ active: false });

    // On to the inspector with the token.
    await result.getByRole('button', { name: 'Inspect it' }).click();
    await page.getByRole('heading', { level: 2, name: 'Token inspector' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue()).toBe(value);
    await page.locator('[data-finding="signature_ok"]').waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Mint', exact: true })
      .click();
    await page.getByRole('heading', { level: 2, name: 'Mint a token' }).waitFor();
  });

  it('mints a machine reference token; its client authenticates in the body', async () => {
    // Back from the inspector, the form starts afresh: no user, so a machine token.
    expect(await page.getByRole('combobox', { name: 'User', exact: true }).inputValue()).toBe('');
    await chooseOption(page, 'Client', 'svc');
    await page.getByText('Reference', { exact: true }).click();
    await page.getByRole('button', { name: 'Mint token' }).click();
    const result = page.getByRole('region', { name: 'Minted token' });
    await poll(() => result.textContent()).toContain('(machine token)');
    const value = await mintedValue();
    expect(value.split('.')).toHaveLength(1);
    const introspect = await curl('introspect');
    expect(introspect).toContain("--data-urlencode 'client_secret=svc secret/+'");
    expect(JSON.parse(await runShell(introspect))).toMatchObject({
      active: true,
      client_id: 'svc',
      sub: 'svc',
    });
    // No JWKS command for an opaque token: there is nothing to verify locally.
    expect(await page.locator('[data-curl="jwks"]').count()).toBe(0);
  });

  it('gives a refresh token a working refresh command, and a public client a placeholder for introspection', async () => {
    await chooseOption(page, 'Client', 'spa');
    await chooseOption(page, 'User', 'alice');
    await page.getByText('Refresh', { exact: true }).click();
    await page.getByRole('button', { name: 'Mint token' }).click();
    await poll(() => page.locator('[data-curl="refresh"]').count()).toBe(1);
    const refreshed = JSON.parse(await runShell(await curl('refresh'))) as Record<string, unknown>;
    expect(refreshed).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
    expect(await curl('introspect')).toContain('$RS_CLIENT_ID:$RS_CLIENT_SECRET');
    expect(await page.locator('[data-curl="introspect"]').textContent()).toContain('public client');
  });

  it('explains why an ID token needs a user instead of sending a doomed request', async () => {
    await page.getByRole('button', { name: 'Clear user' }).click();
    await page.getByText('ID', { exact: true }).click();
    await page.getByText('An ID token needs a user').waitFor();
    expect(await page.getByRole('button', { name: 'Mint token' }).isDisabled()).toBe(true);
  });

  it('mints a token exchanged from another, with a delegation act, that dies with the subject family', async () => {
    const subject = await admin<AdminOutput<'tokens.mint'>>(ui.engine, 'tokens.mint', {
      client_id: 'web',
      username: 'alice',
      scope: 'openid email orders:read',
    });
    await page.getByText('Access', { exact: true }).click();
    await chooseOption(page, 'Client', 'svc');
    await page.getByText('JWT', { exact: true }).click();
    // The subject token, found by the end of its id (live: it was minted after the page loaded).
    const subjectPicker = page.getByRole('combobox', { name: 'Subject token', exact: true });
    await subjectPicker.click();
    await subjectPicker.fill(subject.token.id.slice(-8));
    await page
      .getByRole('option', { name: new RegExp(`Access · alice · web · .*${subject.token.id.slice(-8)}`) })
      .click();
    expect(await page.getByRole('combobox', { name: 'User', exact: true }).isDisabled()).toBe(true);
    await page.getByText('Named actor', { exact: true }).click();
    await page.getByRole('textbox', { name: 'Actor sub' }).fill('gateway');
    await page.getByRole('textbox', { name: 'Actor client_id' }).fill('svc');
    await page.getByRole('textbox', { name: 'Scope' }).fill('orders:read');
    await page.getByRole('button', { name: 'Mint token' }).click();

    const result = page.getByRole('region', { name: 'Minted token' });
    await poll(() => page.getByTestId('minted-act').textContent()).toContain('actor gateway, client svc');
    const claims = jwtClaims(await mintedValue());
    expect(claims).toMatchObject({
      sub: subject.token.subject,
      client_id: 'svc',
      scope: 'orders:read',
      act: { sub: 'gateway', client_id: 'svc' },
    });
    expect(await result.textContent()).toContain(`Exchanged from token ${subject.token.id}`);
    await screenshot(page, 'lab-mint-exchanged');

    // Revoking the subject's family revokes the minted child: the page follows (live).
    await admin(ui.engine, 'tokens.revokeGrant', { grant_id: subject.token.grant_id });
    await result.locator('[data-state="revoked"]').waitFor();
    expect(JSON.parse(await runShell(await curl('introspect')))).toEqual({ active: false });
    await page.getByRole('button', { name: 'Clear subject token' }).click();
  });

  it('mints a DPoP-bound token with a generated key: shown once, and the proof snippet works', async () => {
    await chooseOption(page, 'Client', 'web');
    await chooseOption(page, 'User', 'alice');
    await page.getByRole('textbox', { name: 'Scope' }).fill('openid email');
    await page.getByText('Generate a key pair', { exact: true }).click();
    await page.getByRole('button', { name: 'Mint token' }).click();

    const key = page.getByRole('region', { name: 'DPoP key' });
    await key.getByText('Private key: shown once').waitFor();
    const privateJwk = JSON.parse(
      (await key.getByRole('region', { name: 'Private JWK' }).textContent()) ?? '',
    ) as JWK;
    const value = await mintedValue();
    const jkt = (jwtClaims(value).cnf as { jkt: string }).jkt;
    expect(await page.getByTestId('minted-jkt').textContent()).toContain(jkt);
    await screenshot(page, 'lab-mint-dpop');

    // The page's userinfo command: refused without a proof, answered with one made by the shown key.
    const userinfo = await curl('userinfo');
    expect(userinfo).toContain(`Authorization: DPoP ${value}`);
    expect(await runShell(`DPOP_PROOF=''; ${userinfo}`)).not.toContain('alice@example.test');
    const proof = await dpopProof(privateJwk, `${ui.engine.issuer}/userinfo`, value);
    expect(JSON.parse(await runShell(`DPOP_PROOF='${proof}'; ${userinfo}`))).toMatchObject({
      email: 'alice@example.test',
    });

    // The jose program shown on the page, run as it is.
    const snippet = (await key.getByRole('region', { name: 'Proof with jose' }).textContent()) ?? '';
    const { stdout } = await promisify(execFile)('node', ['--input-type=module', '-e', snippet], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(stdout).toMatch(/^200 /);
    expect(stdout).toContain('alice@example.test');
  });

  it('refuses unregistered scopes and out-of-range lifetimes inline, and mints unregistered scopes only on purpose', async () => {
    await chooseOption(page, 'Client', 'web');
    await chooseOption(page, 'User', 'alice');
    await page.getByText('Access', { exact: true }).click();
    const mintButton = page.getByRole('button', { name: 'Mint token' });
    await page.getByRole('textbox', { name: 'Lifetime (seconds)' }).fill('0');
    await page.getByText('Must be from 1 s to 31,536,000 s (365 days)').waitFor();
    expect(await mintButton.isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: 'Lifetime (seconds)' }).fill('');

    await page.getByRole('textbox', { name: 'Scope' }).fill('openid admin:all');
    await page.getByText('web is not registered for admin:all: no flow would issue it.').waitFor();
    expect(await mintButton.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /Mint it anyway, on purpose/ }).check();
    await mintButton.click();
    await poll(async () => jwtClaims(await mintedValue()).scope).toBe('openid admin:all');
  });
});
