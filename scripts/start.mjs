#!/usr/bin/env node
// `npm start`: opens the desktop app when Electron can run here; otherwise prints one line saying
// why and runs the headless engine with the admin UI in the browser instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronNative } from './electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const passThrough = process.argv.slice(2);

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Returns the Electron executable, or the reason it cannot be used on this machine. */
function findElectron() {
  if (process.env.IDP_SANDBOX_BROWSER_MODE === '1') return { reason: 'IDP_SANDBOX_BROWSER_MODE=1 is set' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  const electronDir = path.dirname(require.resolve('electron/package.json'));
  // require('electron') downloads the binary on first use; do it in a child so a failure is caught here.
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("electron"))'], {
    cwd: electronDir,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const binary = probe.status === 0 ? probe.stdout.trim() : '';
  if (!binary || !fs.existsSync(binary)) {
    return { reason: 'the Electron binary is not installed and could not be downloaded' };
  }
  const native = ensureElectronNative();
  if (!native.ok) return { reason: native.reason };
  return { binary };
}

const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const electron = findElectron();
if (electron.binary) {
  run(electron.binary, [root, ...passThrough]);
} else {
  process.stdout.write(
    `Desktop app unavailable: ${electron.reason}. Starting the headless engine with the UI in your browser instead.\n`,
  );
  run(process.execPath, [path.join(root, 'dist/cli/idp-sandbox.cjs'), 'serve', '--ui', ...passThrough]);
}
