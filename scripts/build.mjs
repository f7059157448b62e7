#!/usr/bin/env node
// Builds the outputs: the Node side with esbuild (CLI, Electron main, preload, signing worker) and the
// renderer with Vite. `--if-stale` skips the work when no input is newer than the last build, so
// `npm run serve` and `npm test` can build on demand right after `npm install`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
const inputs = ['main', 'shared', 'renderer', 'package.json', 'vite.config.ts', 'scripts/build.mjs'];

function newestMtime(target) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function isStale() {
  const stamp = fs.statSync(stampFile, { throwIfNoEntry: false });
  if (!stamp) return true;
  return inputs.some((input) => newestMtime(path.join(root, input)) > stamp.mtimeMs);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const started = Date.now();
process.stdout.write('Building IDP Sandbox (main, preload, CLI, renderer)…\n');
fs.rmSync(dist, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['main/cli/index.ts'],
    outfile: 'dist/cli/idp-sandbox.cjs',
    // CommonJS, because Node loads a CommonJS entry synchronously: the CLI's first statement runs before
    // anything has started libuv's thread pool, so main/cli/runtime-tuning.ts can still size it (an ES
    // module entry is read through that pool). The CLI also carries its packages in the bundle: one
    // file to read instead of hundreds to resolve was most of the headless cold start. Only
    // better-sqlite3 stays outside (a native module).
    format: 'cjs',
    external: ['better-sqlite3'],
    define: { 'import.meta.url': 'import_meta_url' },
    banner: {
      js: "#!/usr/bin/env node\nconst import_meta_url = require('node:url').pathToFileURL(__filename).href;",
    },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['main/electron/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    packages: 'external',
    external: ['electron'],
    // The engine finds files beside its bundle through import.meta.url (the signing worker); a CJS
    // bundle has no import.meta, so it gets the same URL from __filename.
    define: { 'import.meta.url': 'import_meta_url' },
    banner: { js: "const import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // The JWT signing worker (main/core/tokens/signer.ts), one file beside each bundle that runs the
  // engine. jose is bundled in, so the worker resolves no package: it loads the same way from dist/,
  // from a copy elsewhere and from inside the desktop app's asar.
  ...['dist/cli/sign-worker.cjs', 'dist/electron/sign-worker.cjs'].map((outfile) =>
    esbuild.build({ ...common, entryPoints: ['main/core/tokens/sign-worker.ts'], outfile, format: 'cjs' }),
  ),
  // A sandboxed preload can only require('electron'), so everything else is bundled into it.
  esbuild.build({
    ...common,
    entryPoints: ['main/electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
]);
fs.chmodSync(path.join(dist, 'cli/idp-sandbox.cjs'), 0o755);

await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });

fs.writeFileSync(stampFile, new Date().toISOString());
process.stdout.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s → dist/\n`);
