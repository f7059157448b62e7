import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_HELP =
  'e2e tests need Chromium. Install it with "sudo apt-get install -y chromium" (Debian/Ubuntu), ' +
  'or point CHROME_PATH at a Chrome/Chromium executable.';

/** CHROME_PATH, else Debian's /usr/bin/chromium; never skips when neither exists. */
export function findChromium(): string {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium'].filter((c): c is string => Boolean(c));
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new Error(`${CHROMIUM_HELP} Looked for: ${candidates.join(', ')}.`);
  }
  return found;
}

/** `extraArgs` adds command-line switches (e.g. one that trusts a test server's key). */
export async function launchChromium(
  extraArgs: string[] = [],
): Promise<{ browser: Browser; close(): Promise<void> }> {
  // Playwright gives every launch a fresh, empty profile directory of its own.
  const browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
