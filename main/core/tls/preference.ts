import fs from 'node:fs';
import path from 'node:path';

/**
 * The desktop app's HTTPS choice, in the data folder. A file of its own rather than an engine setting:
 * settings belong to the workspace (exported, seeded, cleared by a reset), and this is a choice about
 * how the host starts, which the CLI makes with its --https flag instead.
 */
const HTTPS_PREFERENCE_FILE = 'desktop-preferences.json';

/** Whether the desktop app should serve HTTPS; false when nothing (or nothing readable) is stored. */
export function readHttpsPreference(dataDir: string): boolean {
  try {
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, HTTPS_PREFERENCE_FILE), 'utf8')) as unknown;
    return typeof stored === 'object' && stored !== null && (stored as { https?: unknown }).https === true;
  } catch {
    return false;
  }
}

export function writeHttpsPreference(dataDir: string, https: boolean): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, HTTPS_PREFERENCE_FILE), `${JSON.stringify({ https }, null, 2)}\n`);
}
