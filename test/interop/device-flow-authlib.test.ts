/**
 * The device authorization grant (RFC 8628) with a third-party client: authlib (Python), unmodified, as
 * the program on a TV or CLI would use it. authlib 1.2 has no helper for the device authorization
 * request (its rfc8628 package is the server side), so the program posts it with its OAuth2Session
 * and authlib's own client authentication ("none": client_id in the body); the polling is authlib's
 * fetch_token with the device_code grant, and authlib raises the polls' errors (authorization_pending,
 * slow_down, access_denied) as OAuthError. The user approves or denies in Chromium on the real /device
 * page at verification_uri_complete; the tokens the program printed are verified with jose.
 */

import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';
import { checkPythonModules, DEBIAN_PYTHON } from './apps/verifiers/toolchains';
import { ADA, type InteropBrowser, openBrowser, signInWithButton } from './browser';
import { type InteropProvider, startProvider } from './provider';

/**
 * The device's program. "polite" waits the interval between polls, as RFC 8628 §3.5 asks; "eager"
 * polls twice at once (too fast), then honours slow_down by waiting 5 seconds longer from then on.
 * It prints the device authorization answer as soon as it has it, and at the end what happened.
 */
const DEVICE_PROGRAM = `import json, sys, time
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client import OAuthError

issuer, client_id, mode = sys.argv[1:4]
DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
metadata = requests.get(issuer + '/.well-known/openid-configuration').json()
session = OAuth2Session(client_id, token_endpoint_auth_method='none')
answer = session.post(
    metadata['device_authorization_endpoint'],
    data={'scope': 'openid profile offline_access'},
    auth=session.client_auth('none'),
    withhold_token=True,
)
answer.raise_for_status()
device = answer.json()
print('DEVICE ' + json.dumps(device), flush=True)

interval = device['interval']
errors = []
result = {'errors': errors}
while True:
    try:
        token = session.fetch_token(
            metadata['token_endpoint'], grant_type=DEVICE_CODE_GRANT, device_code=device['device_code'])
        result['token'] = dict(token)
        result['userinfo'] = session.get(metadata['userinfo_endpoint']).json()
        break
    except OAuthError as error:
        errors.append(error.error)
        if error.error == 'slow_down':
            interval += 5
        elif error.error != 'authorization_pending':
            break
    if not (mode == 'eager' and len(errors) < 2):
        time.sleep(interval)
print('RESULT ' + json.dumps(result), flush=True)
`;

/** The parts of the device authorization answer (RFC 8628 §3.2) the user's side reads. */
interface DeviceAuthorization {
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  interval: number;
}

interface DeviceResult {
  errors: string[];
  token?: Record<string, string | number>;
  userinfo?: Record<string, unknown>;
}

let provider: InteropProvider;
let browser: InteropBrowser;
let page: Page;
let dir: string;

beforeAll(async () => {
  checkPythonModules();
  dir = tempDir('idp-sandbox-authlib-device-');
  fs.writeFileSync(path.join(dir, 'device.py'), DEVICE_PROGRAM);
  provider = await startProvider({
    seed: {
      users: [ADA],
      clients: [
        {
          // A public client, as a program on a device that cannot keep a secret is registered.
          client_id: 'tv-app',
          client_name: 'Living-room TV',
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          scope: 'openid profile offline_access',
          access_token_format: 'jwt',
        },
      ],
    },
  });
  browser = await openBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await provider?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the device's program and waits for the code it would show on its screen. */
async function startDevice(
  mode: 'polite' | 'eager',
): Promise<{ program: Spawned; device: DeviceAuthorization }> {
  const program = spawnProcess(
    DEBIAN_PYTHON,
    [path.join(dir, 'device.py'), provider.issuer, 'tv-app', mode],
    {
      ...process.env,
      NO_PROXY: '127.0.0.1,localhost',
    },
  );
  const [, json] = (await program.waitFor(/^DEVICE (.+)$/m)) as [string, string];
  return { program, device: JSON.parse(json) as DeviceAuthorization };
}

async function resultOf(program: Spawned): Promise<DeviceResult> {
  const [, json] = (await program.waitFor(/^RESULT (.+)$/m, 40_000)) as [string, string];
  expect(await program.exited).toEqual({ code: 0, signal: null });
  return JSON.parse(json) as DeviceResult;
}

/** The user opens verification_uri_complete (the QR code's link) and sees the device's code. */
async function openDevicePage(device: DeviceAuthorization): Promise<void> {
  await page.goto(device.verification_uri_complete);
  await page.getByRole('heading', { name: 'Connect Living-room TV?' }).waitFor();
  await page.getByText(device.user_code, { exact: true }).waitFor();
}

describe('authlib (Python) on a device, approved on the /device page in Chromium', () => {
  it('polls until the user signs in at verification_uri_complete, then gets tokens jose verifies', async () => {
    const { program, device } = await startDevice('polite');
    expect(device).toMatchObject({
      verification_uri: `${provider.issuer}/device`,
      user_code: expect.stringMatching(/^[B-Z]{4}-[B-Z]{4}$/),
      interval: 5,
    });
    await openDevicePage(device);
    await signInWithButton(page, ADA.username);
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();

    const result = await resultOf(program);
    // Its first poll came before the approval; it waited the interval and was never told to slow down.
    expect(result.errors).toEqual(['authorization_pending']);
    expect(result.token).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
    const jwks = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
    const access = await jwtVerify(String(result.token?.access_token), jwks, { issuer: provider.issuer });
    expect(access.payload).toMatchObject({ sub: ADA.sub, client_id: 'tv-app' });
    const id = await jwtVerify(String(result.token?.id_token), jwks, {
      issuer: provider.issuer,
      audience: 'tv-app',
    });
    expect(id.payload).toMatchObject({ sub: ADA.sub, name: ADA.claims.name });
    // authlib then used the access token as a Bearer token at userinfo.
    expect(result.userinfo).toMatchObject({ sub: ADA.sub, name: ADA.claims.name });
    expect(browser.consoleErrors).toEqual([]);
  });

  it('is told slow_down when it polls too fast, and hears access_denied when the user denies', async () => {
    const { program, device } = await startDevice('eager');
    await openDevicePage(device);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Device denied' }).waitFor();

    const result = await resultOf(program);
    expect(result.errors).toEqual(['authorization_pending', 'slow_down', 'access_denied']);
    expect(result.token).toBeUndefined();
    expect(browser.consoleErrors).toEqual([]);
  });
});
