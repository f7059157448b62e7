import os from 'node:os';
import path from 'node:path';

/** The engine's database in its data folder. */
export const DATABASE_FILE = 'idp-sandbox.db';

/** The product name; Electron derives its userData folder from it, so the CLI uses the same folder. */
export const PRODUCT_NAME = 'IDP Sandbox';

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
