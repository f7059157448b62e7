#!/usr/bin/env node
// Provides better-sqlite3 compiled for Electron's ABI in .native/electron/, beside (not instead of)
// the Node-ABI build in node_modules that the CLI and the tests load. The desktop host passes this
// file to better-sqlite3 as `nativeBinding`, so neither build ever has to be swapped for the other.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const targetDir = path.join(root, '.native', 'electron');
const targetFile = path.join(targetDir, 'better_sqlite3.node');
const stampFile = path.join(targetDir, 'versions.json');

function versions() {
  return {
    electron: require('electron/package.json').version,
    betterSqlite3: require('better-sqlite3/package.json').version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Ensures the Electron-ABI build exists; returns { ok } or { ok: false, reason }. */
export function ensureElectronNative() {
  const wanted = versions();
  if (fs.existsSync(targetFile) && fs.existsSync(stampFile)) {
    const have = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    if (JSON.stringify(have) === JSON.stringify(wanted)) return { ok: true };
  }
  // Work on a copy so the Node-ABI build in node_modules is never touched.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-native-'));
  try {
    const source = path.dirname(require.resolve('better-sqlite3/package.json'));
    fs.cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });
    const prebuild = spawnSync(
      process.execPath,
      [
        require.resolve('prebuild-install/bin.js'),
        '--runtime',
        'electron',
        '--target',
        wanted.electron,
        '--arch',
        wanted.arch,
      ],
      { cwd: work, stdio: 'pipe', encoding: 'utf8' },
    );
    let built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
    if (prebuild.status !== 0 || !fs.existsSync(built)) {
      const rebuild = spawnSync(
        process.execPath,
        [
          path.join(root, 'node_modules', '@electron', 'rebuild', 'lib', 'cli.js'),
          '--version',
          wanted.electron,
          '--module-dir',
          work,
          '--only',
          'better-sqlite3',
        ],
        { cwd: work, stdio: 'pipe', encoding: 'utf8' },
      );
      built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
      if (rebuild.status !== 0 || !fs.existsSync(built)) {
        return {
          ok: false,
          reason: 'better-sqlite3 for Electron could neither be downloaded nor built (needs internet once)',
        };
      }
    }
    fs.mkdirSync(targetDir, { recursive: true });
    fs.copyFileSync(built, targetFile);
    fs.writeFileSync(stampFile, JSON.stringify(wanted));
    return { ok: true };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = ensureElectronNative();
  if (!result.ok) {
    process.stderr.write(`electron-native: ${result.reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`better-sqlite3 for Electron is ready in ${path.relative(root, targetFile)}\n`);
}
