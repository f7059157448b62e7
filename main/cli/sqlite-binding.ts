import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where better-sqlite3's install (a prebuilt binary or node-gyp) puts its native module, Release first. */
const BUILDS = ['Release', 'Debug'];

/**
 * better-sqlite3's native module in the installed package, for EngineOptions.nativeBinding. The CLI
 * bundle carries better-sqlite3's JavaScript (scripts/build.mjs), and left to itself better-sqlite3
 * finds its native module with the `bindings` package, which starts from its caller's file (the
 * bundle, not node_modules/better-sqlite3) and tries a dozen paths with require() and fs.statSync. The
 * package is resolved from `from` (the bundle's folder) as a require() from there would. Undefined if
 * it is not installed or has no native module built: opening the database then fails naming what
 * `bindings` tried.
 */
export function sqliteBinding(from: string = import.meta.url): string | undefined {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(from).resolve('better-sqlite3/package.json'));
  } catch {
    return undefined;
  }
  return BUILDS.map((build) => path.join(packageDir, 'build', build, 'better_sqlite3.node')).find((file) =>
    fs.existsSync(file),
  );
}
