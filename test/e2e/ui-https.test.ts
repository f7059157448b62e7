/**
 * The desktop app over HTTPS: Settings shows the local CA and the commands that trust it, and the
 * "Serve HTTPS" choice is saved for the next start. Chromium trusts exactly the engine's server key
 * (--ignore-certificate-errors-spki-list takes the SHA-256 of its public key), nothing else.
 */
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHttpsPreference } from '../../main/core/tls/preference';
import { BUILT_UI, startTestEngine, tempDir } from '../helpers/engine';
import { fetchTrusting } from '../helpers/tls-fetch';
import { launchChromium } from './chromium';

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let dataDir: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  // As the desktop app starts after "Serve HTTPS" was switched on: the choice is in the data folder.
  dataDir = tempDir();
  writeHttpsPreference(dataDir, true);
  engine = await startTestEngine({ dataDir, httpsPreference: true, uiDir: BUILT_UI });
  const serverCert = new X509Certificate(fs.readFileSync(path.join(dataDir, 'tls', 'server.crt')));
  const spki = createHash('sha256')
    .update(serverCert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  chromium = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
});
afterAll(async () => {
  await chromium?.close();
  await engine?.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Settings → HTTPS', () => {
  it('shows the CA to trust with its commands, and saves the choice for the next start', async () => {
    expect(engine.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await chromium.browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(engine.uiUrl as string);
    await page.goto(`${engine.issuer}/ui/#/settings`);
    await page.getByRole('heading', { name: 'HTTPS' }).waitFor();
    const caPath = engine.tls?.caCertPath as string;
    expect(await page.getByRole('textbox', { name: 'CA certificate' }).inputValue()).toBe(caPath);
    const commands =
      (await page.getByRole('table').filter({ hasText: 'update-ca-certificates' }).textContent()) ?? '';
    expect(commands).toContain(caPath);
    expect(commands).toContain('NODE_EXTRA_CA_CERTS');

    const toggle = page.getByRole('switch', { name: /Serve HTTPS/ });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click({ force: true });
    // What a script sees, trusting only the printed CA.
    const trusted = fetchTrusting(fs.readFileSync(caPath, 'utf8'));
    const nextStart = async () => {
      const response = await trusted(`${engine.issuer}/admin/api/engine.info`, {
        method: 'POST',
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return ((await response.json()) as { https: { nextStart: boolean } }).https.nextStart;
    };
    await expect.poll(nextStart).toBe(false);
    expect(errors).toEqual([]);
  });
});
