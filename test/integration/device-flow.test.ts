import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { DEVICE_CODE_GRANT, type EngineEvent, type Workspace } from '../../shared/schemas';
import { FormBrowser, withoutProviderScript } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import { basic, expectOAuthError, postForm, tokenRequest } from '../helpers/oauth-http';

// RFC 8628 device authorization grant, driven by openid-client v6 strictly (its only allowance is plain
// HTTP on loopback), with the user at the real /device page (FormBrowser) or answered by the admin.
// openid-client waits `interval` (5 s) before each poll, so its flows take that long each.

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice Example' } },
    { username: 'bob', sub: 'bob-sub' },
  ],
  clients: [
    {
      // A command-line tool: public, so it authenticates with its client_id alone.
      client_id: 'cli',
      client_name: '<b>Acme CLI</b>',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      scope: 'openid profile offline_access orders:read',
      audience: ['orders-api'],
    },
    {
      // A confidential device (a TV app with a secret) without refresh tokens.
      client_id: 'tv',
      client_secret: 'tv-secret',
      grant_types: [DEVICE_CODE_GRANT],
      scope: 'openid profile',
    },
    { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'x' },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

async function rp(clientId: 'cli' | 'tv'): Promise<oidc.Configuration> {
  const auth = clientId === 'cli' ? oidc.None() : oidc.ClientSecretBasic('tv-secret');
  const metadata = clientId === 'tv' ? 'tv-secret' : undefined;
  return oidc.discovery(new URL(engine.issuer), clientId, metadata, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A device authorization over raw HTTP, as the public `cli` client unless told otherwise. */
async function startDevice(fields: Record<string, string> = { client_id: 'cli', scope: 'openid' }) {
  const response = await postForm(engine.issuer, '/device_authorization', fields);
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return response.json as DeviceStart;
}

/** A poll of the token endpoint: as the public `cli` client, or with `authorization` as another one. */
function poll(deviceCode: string, authorization?: string) {
  const fields = { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode };
  return authorization
    ? tokenRequest(engine.issuer, fields, { authorization })
    : tokenRequest(engine.issuer, { ...fields, client_id: 'cli' });
}

async function devices(): Promise<AdminOutput<'devices.list'>> {
  return (await engine.call('devices.list', {})) as AdminOutput<'devices.list'>;
}

/** Opens a verification URL in a browser: the confirmation page, and the interaction of its forms. */
async function openDevicePage(browser: FormBrowser, url: string) {
  const page = await browser.get(url);
  const html = await page.text();
  const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1];
  return { page, html, interaction };
}

async function approveAtPage(url: string, username: string, password?: string) {
  const browser = new FormBrowser();
  const { page, interaction } = await openDevicePage(browser, url);
  expect(page.status).toBe(200);
  const fields: Record<string, string> = {
    interaction: interaction as string,
    decision: 'approve',
    username,
  };
  if (password !== undefined) fields.password = password;
  return browser.postForm(`${engine.issuer}/device`, fields);
}

describe('device authorization endpoint', () => {
  it('is in discovery with its grant type', async () => {
    const metadata = (await rp('cli')).serverMetadata();
    expect(metadata.device_authorization_endpoint).toBe(`${engine.issuer}/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_CODE_GRANT);
  });

  it('answers codes, the verification URIs, expires_in and interval (RFC 8628 §3.2)', async () => {
    const start = await startDevice({ client_id: 'cli', scope: 'openid orders:read' });
    expect(start.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(start.device_code.length).toBeGreaterThanOrEqual(43);
    expect(start.verification_uri).toBe(`${engine.issuer}/device`);
    expect(start.verification_uri_complete).toBe(`${engine.issuer}/device?user_code=${start.user_code}`);
    expect({ expires_in: start.expires_in, interval: start.interval }).toEqual({
      expires_in: 600,
      interval: 5,
    });
    const listed = (await devices()).find((d) => d.user_code === start.user_code);
    expect(listed).toMatchObject({ client_id: 'cli', scope: 'openid orders:read', status: 'pending' });
  });

  it('authenticates the client as the token endpoint does, and checks scope and grant', async () => {
    const wrongSecret = await postForm(
      engine.issuer,
      '/device_authorization',
      { scope: 'openid' },
      { authorization: basic('tv', 'nope') },
    );
    expectOAuthError(wrongSecret, 401, 'invalid_client');
    const noGrant = await postForm(
      engine.issuer,
      '/device_authorization',
      {},
      { authorization: basic('svc', 'svc-secret') },
    );
    expectOAuthError(noGrant, 400, 'unauthorized_client');
    const scope = await postForm(engine.issuer, '/device_authorization', {
      client_id: 'cli',
      scope: 'admin',
    });
    expectOAuthError(scope, 400, 'invalid_scope');
  });

  it('a client without the device_code grant is refused at the token endpoint too', async () => {
    const start = await startDevice();
    expectOAuthError(await poll(start.device_code, basic('svc', 'svc-secret')), 400, 'unauthorized_client');
  });
});

describe('openid-client device flow', () => {
  it('approved at the /device page: tokens of one grant, single use', { timeout: 20_000 }, async () => {
    const config = await rp('cli');
    const start = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    const approved = await approveAtPage(start.verification_uri_complete as string, 'alice', 'alice-pw');
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Device connected');

    const tokens = await oidc.pollDeviceAuthorizationGrant(config, start);
    expect(tokens.claims()).toMatchObject({ sub: 'alice-sub', aud: 'cli', amr: ['pwd'] });
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: engine.issuer,
      audience: 'orders-api',
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'alice-sub',
      client_id: 'cli',
      scope: 'openid profile offline_access',
    });
    expect(tokens.refresh_token).toBeTruthy();

    // One grant holds the access, ID and refresh tokens (each recorded with its grant type).
    const events = (await engine.call('events.list', {
      type: 'token.issued',
      client_id: 'cli',
    })) as EngineEvent[];
    const issued = events.filter((e) => e.data.grant_type === DEVICE_CODE_GRANT);
    expect(issued.map((e) => e.data.kind).sort()).toEqual(['access', 'id', 'refresh']);
    expect(new Set(issued.map((e) => e.data.grant_id)).size).toBe(1);
    expect(issued[0]?.data.grant_id).toBeTruthy();
    expect(issued.every((e) => e.username === 'alice')).toBe(true);

    // The refresh token works like any other.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).toBeTruthy();

    // Single use: a second redemption of the device code is refused.
    expectOAuthError(await poll(start.device_code), 400, 'invalid_grant');
    expect((await devices()).find((d) => d.user_code === start.user_code)?.status).toBe('redeemed');
  });

  it('approved by the admin (devices.approve), confidential client, no refresh token', {
    timeout: 20_000,
  }, async () => {
    const config = await rp('tv');
    const start = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const answered = (await engine.call('devices.approve', {
      user_code: start.user_code.toLowerCase().replace('-', ''),
      username: 'bob',
    })) as AdminOutput<'devices.approve'>;
    expect(answered).toMatchObject({ status: 'approved', username: 'bob', client_id: 'tv' });

    const tokens = await oidc.pollDeviceAuthorizationGrant(config, start);
    expect(tokens.claims()?.sub).toBe('bob-sub');
    expect(tokens.refresh_token).toBeUndefined();
    const events = (await engine.call('events.list', { type: 'device.approved' })) as EngineEvent[];
    expect(events[0]).toMatchObject({
      client_id: 'tv',
      username: 'bob',
      data: { user_code: start.user_code, via: 'admin' },
    });
  });

  it('denied: the poll ends with access_denied', { timeout: 20_000 }, async () => {
    const config = await rp('cli');
    const start = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    await engine.call('devices.deny', { user_code: start.user_code });
    const error = await oidc.pollDeviceAuthorizationGrant(config, start).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).toBe('access_denied');
  });
});

describe('polling answers (raw HTTP)', () => {
  it('authorization_pending, then slow_down growing the interval by 5 s each time', async () => {
    const start = await startDevice();
    expectOAuthError(await poll(start.device_code), 400, 'authorization_pending');
    const tooFast = await poll(start.device_code);
    expectOAuthError(tooFast, 400, 'slow_down');
    expect(tooFast.json.error_description).toContain('10 seconds');
    expectOAuthError(await poll(start.device_code), 400, 'slow_down');
    expect((await devices()).find((d) => d.user_code === start.user_code)?.interval).toBe(15);
  });

  it('expired_token once the provider clock passes expires_in', async () => {
    const start = await startDevice();
    try {
      await engine.call('settings.update', { clock_offset_seconds: 601 });
      expectOAuthError(await poll(start.device_code), 400, 'expired_token');
      expect((await devices()).find((d) => d.user_code === start.user_code)?.status).toBe('expired');
      // Too late to approve it, too.
      await expect(
        engine.call('devices.approve', { user_code: start.user_code, username: 'bob' }),
      ).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await engine.call('settings.update', { clock_offset_seconds: 0 });
    }
  });

  it('denied at the page: access_denied; an unknown or another client’s device code: invalid_grant', async () => {
    const start = await startDevice();
    const browser = new FormBrowser();
    const { interaction } = await openDevicePage(browser, start.verification_uri_complete);
    const denied = await browser.postForm(`${engine.issuer}/device`, {
      interaction: interaction as string,
      decision: 'deny',
    });
    expect(denied.status).toBe(200);
    expect(await denied.text()).toContain('Device denied');
    expectOAuthError(await poll(start.device_code), 400, 'access_denied');
    expectOAuthError(await poll('not-a-device-code'), 400, 'invalid_grant');
    expectOAuthError(await poll(start.device_code, basic('tv', 'tv-secret')), 400, 'invalid_grant');
  });
});

describe('the /device page', () => {
  it('asks for the code; a wrong one is refused, escaped, and approves nothing', async () => {
    const entry = await fetch(`${engine.issuer}/device`);
    expect(entry.status).toBe(200);
    expect(await entry.text()).toContain('name="user_code"');
    const typed = '<script>alert(1)</script>';
    const wrong = await fetch(`${engine.issuer}/device?user_code=${encodeURIComponent(typed)}`);
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain('No device is waiting for this code');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;');
  });

  it('takes the code typed in any case, with or without the dash; shows the client escaped, under a strict CSP', async () => {
    const start = await startDevice();
    const typed = start.user_code.replace('-', '').toLowerCase();
    const browser = new FormBrowser();
    const { page, html } = await openDevicePage(browser, `${engine.issuer}/device?user_code=${typed}`);
    expect(page.status).toBe(200);
    expect(html).toContain(start.user_code);
    expect(html).toContain('&lt;b&gt;Acme CLI&lt;/b&gt;');
    expect(withoutProviderScript(html)).not.toContain('<script');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'sha256-[^']+'/);
  });

  it('refuses a post from another browser (CSRF), and a wrong password leaves the device pending', async () => {
    const start = await startDevice();
    const browser = new FormBrowser();
    const { interaction } = await openDevicePage(browser, start.verification_uri_complete);
    const forged = await new FormBrowser().postForm(`${engine.issuer}/device`, {
      interaction: interaction as string,
      decision: 'approve',
      username: 'bob',
    });
    expect(forged.status).toBe(403);
    const wrongPassword = await browser.postForm(`${engine.issuer}/device`, {
      interaction: interaction as string,
      decision: 'approve',
      username: 'alice',
      password: 'wrong',
    });
    expect(wrongPassword.status).toBe(401);
    expect(await wrongPassword.text()).toContain('Wrong password.');
    expectOAuthError(await poll(start.device_code), 400, 'authorization_pending');
    // The same page may try again; then the code is spent, and its page with it.
    const approved = await browser.postForm(`${engine.issuer}/device`, {
      interaction: interaction as string,
      decision: 'approve',
      username: 'bob',
    });
    expect(approved.status).toBe(200);
    expect((await openDevicePage(new FormBrowser(), start.verification_uri_complete)).page.status).toBe(400);
  });
});
