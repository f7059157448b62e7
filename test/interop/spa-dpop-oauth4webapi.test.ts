/**
 * A single-page app on its own origin with oauth4webapi in Chromium, sender-constraining its tokens
 * with DPoP (RFC 9449): a public client, code + PKCE through the provider's real login page, a
 * WebCrypto key pair whose private key cannot be exported, a proof on every token and userinfo request,
 * refresh with the refresh token bound to that key (§5). A second client must put the server's nonce in
 * its proofs (§8, §9): the app retries after use_dpop_nonce at the token endpoint and, after a reload
 * with no nonce in hand, at userinfo. Each step crosses origins, so CORS has to allow the DPoP request
 * header and let the app read DPoP-Nonce and WWW-Authenticate.
 */
import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, type JWK, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpaServer } from './apps/spa/server';
import { startDpopSpa } from './apps/spa-dpop/server';
import {
  ADA,
  expectLoginPage,
  GRACE,
  type InteropBrowser,
  openBrowser,
  signInWithButton,
  signInWithPassword,
} from './browser';
import { type InteropProvider, startProvider } from './provider';

/** What the app shows after each step. */
interface ShownSession {
  token_type: string;
  access_token: string;
  refresh_token: string;
  userinfo: Record<string, unknown>;
  public_jwk: JWK;
  private_key_extractable: boolean;
  nonce_retries: string[];
}

/** One answer of the provider to the app, as the browser saw it. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  requestHeaders: Record<string, string>;
  headers: Record<string, string>;
  response: Response;
}

let spa: SpaServer;
let nonceSpa: SpaServer;
let provider: InteropProvider;
let browser: InteropBrowser;
let page: Page;
const exchanges: Exchange[] = [];

/** A public SPA client that must use DPoP, as its developer would register it. */
function dpopSpaClient(clientId: string, origin: string, nonceRequired: boolean) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'none',
    redirect_uris: [`${origin}/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access',
    access_token_format: 'jwt',
    dpop_bound_access_tokens: true,
    dpop_nonce_required: nonceRequired,
  };
}

function serveConfig(server: SpaServer, clientId: string): void {
  server.serveFile(
    'config.json',
    JSON.stringify({
      issuer: provider.issuer,
      client_id: clientId,
      redirect_uri: `${server.origin}/callback`,
      scope: 'openid profile email offline_access',
    }),
  );
}

beforeAll(async () => {
  [spa, nonceSpa] = await Promise.all([startDpopSpa(), startDpopSpa()]);
  provider = await startProvider({
    seed: {
      users: [ADA, GRACE],
      clients: [
        dpopSpaClient('spa-dpop', spa.origin, false),
        dpopSpaClient('spa-dpop-nonce', nonceSpa.origin, true),
      ],
    },
  });
  serveConfig(spa, 'spa-dpop');
  serveConfig(nonceSpa, 'spa-dpop-nonce');
  browser = await openBrowser();
  page = browser.page;
  // Recorded synchronously, so an answer is in the list before the app can show what it made of it.
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin !== provider.issuer || !['/token', '/userinfo'].includes(url.pathname)) return;
    exchanges.push({
      method: response.request().method(),
      path: url.pathname,
      status: response.status(),
      requestHeaders: response.request().headers(),
      headers: response.headers(),
      response,
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await provider?.close();
  await spa?.close();
  await nonceSpa?.close();
});

/** Waits for the app to reach `state` (or fail); the test side has no DOM types, so no DOM code here. */
async function shownSession(state: string): Promise<ShownSession> {
  await page.locator(`body[data-state="${state}"], body[data-state="error"]`).waitFor();
  expect(await page.locator('#error').textContent(), 'the SPA reported an error').toBe('');
  return JSON.parse((await page.locator('#session').textContent()) ?? '') as ShownSession;
}

/** The provider's answers to the app since `from` (an index into `exchanges`). */
function exchangesSince(from: number): Exchange[] {
  return exchanges.slice(from);
}

const jwks = () => createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));

/** jose's verdict on an access token, and that it is bound to the app's public key (cnf.jkt). */
async function expectBoundTo(accessToken: string, publicJwk: JWK, clientId: string) {
  const { payload } = await jwtVerify(accessToken, jwks(), { issuer: provider.issuer });
  expect(payload).toMatchObject({ sub: expect.any(String), client_id: clientId });
  expect(payload.cnf).toEqual({ jkt: await calculateJwkThumbprint(publicJwk) });
  return payload;
}

/** Another client (oauth4webapi in Node) that got hold of the refresh token, with a key of its own. */
async function refreshWithAnotherKey(clientId: string, refreshToken: string) {
  const issuer = new URL(provider.issuer);
  const insecure = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client: oauth.Client = { client_id: clientId };
  const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
    DPoP,
    ...insecure,
  });
  return oauth.processRefreshTokenResponse(as, client, response);
}

async function signInAt(origin: string, user: 'ada' | 'grace'): Promise<void> {
  await page.goto(origin);
  await page.locator('body[data-state="anonymous"]').waitFor();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectLoginPage(page, provider.issuer);
  if (user === 'ada') await signInWithButton(page, ADA.username);
  else await signInWithPassword(page, GRACE.username, GRACE.password);
}

describe('an SPA on its own origin with oauth4webapi and DPoP, in Chromium', () => {
  let signedIn: ShownSession;

  it('signs in with code + PKCE and gets a DPoP-bound access token for its non-extractable key', async () => {
    const from = exchanges.length;
    await signInAt(spa.origin, 'ada');
    signedIn = await shownSession('signed-in-1');

    expect(new URL(page.url()).origin).toBe(spa.origin);
    expect(signedIn.private_key_extractable).toBe(false);
    expect(signedIn.public_jwk).not.toHaveProperty('d');
    const [token, userinfo] = exchangesSince(from);
    // The DPoP request header crossed origins (a preflight allowed it) and the answer was readable.
    expect(token).toMatchObject({ method: 'POST', path: '/token', status: 200 });
    expect(token?.requestHeaders.dpop).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(token?.headers['access-control-allow-origin']).toBe(spa.origin);
    expect(await token?.response.json()).toMatchObject({ token_type: 'DPoP' });
    expect(userinfo).toMatchObject({ method: 'GET', path: '/userinfo', status: 200 });
    expect(userinfo?.requestHeaders.authorization).toBe(`DPoP ${signedIn.access_token}`);
    expect(userinfo?.headers['access-control-allow-origin']).toBe(spa.origin);
    expect(signedIn.userinfo).toMatchObject({ sub: ADA.sub, name: ADA.claims.name, roles: ADA.claims.roles });
    expect(signedIn.nonce_retries).toEqual([]);

    await expectBoundTo(signedIn.access_token, signedIn.public_jwk, 'spa-dpop');
    expect(browser.consoleErrors).toEqual([]);
  });

  it('keeps the token useless without the key: as a Bearer token userinfo refuses it', async () => {
    const response = await fetch(`${provider.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${signedIn.access_token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
  });

  it('refreshes with a proof of the same key and calls userinfo with the new token', async () => {
    const from = exchanges.length;
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    const refreshed = await shownSession('refreshed-2');

    expect(refreshed.access_token).not.toBe(signedIn.access_token);
    expect(refreshed.refresh_token).not.toBe(signedIn.refresh_token);
    expect(refreshed.userinfo).toMatchObject({ sub: ADA.sub });
    const [token, userinfo] = exchangesSince(from);
    expect(token).toMatchObject({ method: 'POST', path: '/token', status: 200 });
    expect(token?.response.request().postData()).toContain('grant_type=refresh_token');
    expect(token?.headers['access-control-allow-origin']).toBe(spa.origin);
    expect(userinfo).toMatchObject({ path: '/userinfo', status: 200 });
    await expectBoundTo(refreshed.access_token, signedIn.public_jwk, 'spa-dpop');
    expect(browser.consoleErrors).toEqual([]);

    // RFC 9449 §5: the public client's refresh token is bound to the key; another key gets nothing.
    await expect(refreshWithAnotherKey('spa-dpop', refreshed.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('bound to the DPoP key'),
    });
  });
});

describe('the same SPA for a client that must use the server nonce (dpop_nonce_required)', () => {
  it('retries the token request with the DPoP-Nonce of the use_dpop_nonce answer', async () => {
    // Another user's browser: no sign-in session at the provider from the cases above.
    await browser.context.clearCookies();
    const from = exchanges.length;
    await signInAt(nonceSpa.origin, 'grace');
    const session = await shownSession('signed-in-1');

    expect(session.nonce_retries).toEqual(['token']);
    const [refused, token, userinfo] = exchangesSince(from);
    expect(refused).toMatchObject({ path: '/token', status: 400 });
    expect(await refused?.response.json()).toMatchObject({ error: 'use_dpop_nonce' });
    // The app could read the nonce only because the answer exposes the header to its origin.
    const nonce = refused?.headers['dpop-nonce'];
    expect(nonce).toBeTruthy();
    expect(refused?.headers['access-control-expose-headers']).toMatch(/dpop-nonce/i);
    expect(refused?.headers['access-control-allow-origin']).toBe(nonceSpa.origin);
    expect(token).toMatchObject({ path: '/token', status: 200 });
    expect(proofNonce(token)).toBe(nonce);
    // The success carries the nonce for the next proofs, so userinfo needs no second try.
    expect(userinfo).toMatchObject({ path: '/userinfo', status: 200 });
    expect(proofNonce(userinfo)).toBe(token?.headers['dpop-nonce']);
    expect(session.userinfo).toMatchObject({ sub: GRACE.sub, department: GRACE.claims.department });
    await expectBoundTo(session.access_token, session.public_jwk, 'spa-dpop-nonce');
    // The one console error is Chromium's note of the 400 the app answered with a second try.
    expect(browser.consoleErrors).toEqual([
      expect.stringMatching(/\/token: Failed to load resource: .* 400/),
    ]);
  });

  it('after a reload (key from IndexedDB, no nonce yet) retries userinfo on its 401 use_dpop_nonce challenge', async () => {
    browser.consoleErrors.length = 0;
    await page.reload();
    await page.locator('body[data-state="restored"]').waitFor();
    const from = exchanges.length;
    await page.getByRole('button', { name: 'Call userinfo' }).click();
    const session = await shownSession('userinfo-1');

    expect(session.nonce_retries).toEqual(['userinfo']);
    const [challenged, answered] = exchangesSince(from);
    expect(challenged).toMatchObject({ path: '/userinfo', status: 401 });
    expect(challenged?.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    // oauth4webapi recognises the challenge by its WWW-Authenticate header, which the app must be let read.
    expect(challenged?.headers['access-control-expose-headers']).toMatch(/www-authenticate/i);
    expect(answered).toMatchObject({ path: '/userinfo', status: 200 });
    expect(proofNonce(answered)).toBe(challenged?.headers['dpop-nonce']);
    expect(session.userinfo).toMatchObject({ sub: GRACE.sub });
    expect(browser.consoleErrors).toEqual([
      expect.stringMatching(/\/userinfo: Failed to load resource: .* 401/),
    ]);
  });

  it('refreshes with the nonce it holds, the refresh token still bound to the key kept in IndexedDB', async () => {
    const before = JSON.parse((await page.locator('#session').textContent()) ?? '') as ShownSession;
    const from = exchanges.length;
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    const refreshed = await shownSession('refreshed-2');

    expect(refreshed.nonce_retries).toEqual(['userinfo']);
    expect(exchangesSince(from).map((exchange) => `${exchange.path} ${exchange.status}`)).toEqual([
      '/token 200',
      '/userinfo 200',
    ]);
    expect(refreshed.access_token).not.toBe(before.access_token);
    await expectBoundTo(refreshed.access_token, before.public_jwk, 'spa-dpop-nonce');
  });
});

/** The nonce claim of the DPoP proof a request carried (read only; the provider verified it). */
function proofNonce(exchange: Exchange | undefined): unknown {
  return decodeJwt(exchange?.requestHeaders.dpop ?? '').nonce;
}
