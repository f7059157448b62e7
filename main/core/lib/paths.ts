import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The engine's database in its data folder. */
export const DATABASE_FILE = 'idp-sandbox.db';

/** The admin token in the data folder (or a temporary folder in memory); `check-api` reads it there. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Browser mode's UI token in the data folder, kept across starts so an open tab reconnects by itself
 * after a restart on the same folder. Deleting the file signs every tab out at the next start.
 */
export const UI_TOKEN_FILE = 'ui-token';

/** The product name; Electron derives its userData folder from it, so the CLI uses the same folder. */
const PRODUCT_NAME = 'IDP Sandbox';

/**
 * The OS application-data folder that the desktop app uses as `app.getPath('userData')`, so that the
 * headless engine and the desktop app see the same users, clients and tokens by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  }
  if (platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), PRODUCT_NAME);
}

/**
 * A warning when other local users may write to the data folder: they could replace the database or
 * plant a file where the engine writes one. Null when only its owner can (and on Windows, where the
 * folder's ACL decides).
 */
export function dataDirWarning(dir: string, platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o022) === 0) return null;
  return (
    `the data folder ${dir} can be written by other users (mode ${mode.toString(8).padStart(4, '0')}): ` +
    `they could replace the database or the admin token file. Run chmod 700 "${dir}", or choose another data folder.`
  );
}

/**
 * Keeps a damaged database (and its WAL files) aside under a dated name, so a fresh one can be made
 * without losing the old bytes. Returns the new name of the main file.
 */
export function moveDatabaseAside(dataDir: string, now = new Date()): string {
  const file = path.join(dataDir, DATABASE_FILE);
  const suffix = `.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const extra of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + extra)) fs.renameSync(file + extra, `${file}${suffix}${extra}`);
  }
  return file + suffix;
}
