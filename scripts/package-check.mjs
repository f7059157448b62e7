#!/usr/bin/env node
// Offline check of the packaging config: runs electron-builder (--dir) against a stub Electron
// executable, then inspects what it produced. The stub carries Electron's fuse sentinel so the
// configured fuses are really flipped and can be read back.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exportJWK, generateKeyPair, jwtVerify } from 'jose';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
// Fuse states are the ASCII digits '0' (off) and '1' (on) in the binary.
const FuseState = { DISABLE: 48, ENABLE: 49 };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-package-'));
const stubDir = path.join(work, 'electron-stub');
const outDir = path.join(work, 'out');
const failures = [];
const check = (ok, message) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${message}\n`);
  if (!ok) failures.push(message);
};

/** Starts `file` as a worker thread (it must need nothing beside itself) and checks its JWT verifies. */
async function signsInWorker(file) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'package-check' };
  const header = { alg: 'ES256', kid: 'package-check', typ: 'JWT' };
  const worker = new Worker(file);
  try {
    const reply = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ id: 1, payload: { sub: 'package-check' }, header, jwk });
    });
    if (!reply.jws) throw new Error(reply.error);
    const { payload } = await jwtVerify(reply.jws, publicKey, { algorithms: ['ES256'] });
    return payload.sub === 'package-check';
  } catch (error) {
    process.stderr.write(`package-check: the signing worker failed: ${error.message}\n`);
    return false;
  } finally {
    await worker.terminate();
  }
}

try {
  // Electron's own fuse defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on,
  // asar integrity off, only-load-from-asar off, V8 snapshot off, file-protocol privileges on.
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  fs.mkdirSync(stubDir, { recursive: true });
  const stub = path.join(stubDir, 'electron');
  fs.writeFileSync(
    stub,
    Buffer.concat([
      Buffer.from('#!/bin/sh\nexit 0\n'),
      Buffer.from(SENTINEL),
      Buffer.from([1, 8]),
      Buffer.from('10110001'),
    ]),
  );
  fs.chmodSync(stub, 0o755);

  const started = Date.now();
  const builder = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/electron-builder/cli.js'),
      '--config',
      'electron-builder.yml',
      '--linux',
      '--dir',
      `-c.electronDist=${stubDir}`,
      `-c.directories.output=${outDir}`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  if (builder.status !== 0) {
    process.stderr.write(builder.stdout + builder.stderr);
    throw new Error(`electron-builder exited with ${builder.status}`);
  }
  process.stdout.write(
    `electron-builder --dir finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const appDir = path.join(outDir, 'linux-unpacked');
  const resources = path.join(appDir, 'resources');
  const asarFile = path.join(resources, 'app.asar');
  check(fs.existsSync(asarFile), 'app.asar exists');
  const files = asar.listPackage(asarFile).map((f) => f.replaceAll('\\', '/'));
  const has = (p) => files.includes(p);

  check(has('/dist/electron/main.cjs'), 'asar holds the built main process (dist/electron/main.cjs)');
  check(has('/dist/electron/preload.cjs'), 'asar holds the built preload (dist/electron/preload.cjs)');
  check(has('/dist/renderer/index.html'), 'asar holds the built renderer (dist/renderer/index.html)');
  check(has('/dist/renderer/icon.png'), 'asar holds the window icon (dist/renderer/icon.png)');
  check(
    files.some((f) => /^\/dist\/renderer\/assets\/.+\.js$/.test(f)),
    'asar holds the renderer bundle',
  );
  check(has('/node_modules/fastify/package.json'), 'asar holds runtime dependencies (fastify)');

  // The JWT signing worker stays inside the asar (Electron loads worker_threads scripts from an asar
  // since 17.3), where asar integrity covers it; the main bundle looks for it beside itself.
  check(
    has('/dist/electron/sign-worker.cjs'),
    'asar holds the signing worker (dist/electron/sign-worker.cjs)',
  );
  check(
    !fs.existsSync(path.join(resources, 'app.asar.unpacked/dist/electron/sign-worker.cjs')),
    'the signing worker is not unpacked from the asar',
  );
  const mainBundle = asar.extractFile(asarFile, 'dist/electron/main.cjs').toString('utf8');
  check(
    mainBundle.startsWith("const import_meta_url = require('node:url').pathToFileURL(__filename).href;") &&
      mainBundle.includes('"sign-worker.cjs"'),
    'the main bundle resolves sign-worker.cjs beside itself (import.meta.url from __filename)',
  );
  const workerFile = path.join(work, 'sign-worker.cjs');
  fs.writeFileSync(workerFile, asar.extractFile(asarFile, 'dist/electron/sign-worker.cjs'));
  check(await signsInWorker(workerFile), 'the packaged signing worker runs on its own and signs a JWT');

  const forbidden = [
    [/^\/(main|renderer|shared)\/.*\.tsx?$/, 'TypeScript sources'],
    [/^\/test\//, 'tests'],
    [/^\/scripts\//, 'build scripts'],
    [/^\/\.ci\//, 'CI files'],
    [/^\/docs\//, 'docs'],
    [/\.map$/, 'source maps'],
    [/^\/(tsconfig.*|biome|vite\.config|vitest\.config)\b/, 'dev configuration'],
    [
      /^\/node_modules\/(vite|vitest|electron|electron-builder|typescript|@biomejs|react|@mantine|playwright-core)\//,
      'dev dependencies',
    ],
  ];
  for (const [pattern, what] of forbidden) {
    const found = files.filter((f) => pattern.test(f));
    check(
      found.length === 0,
      `no ${what} in the asar${found.length ? ` (found ${found.slice(0, 3).join(', ')})` : ''}`,
    );
  }

  const unpackedNative = path.join(
    resources,
    'app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  );
  check(fs.existsSync(unpackedNative), 'better-sqlite3 native module is unpacked from the asar');

  const fuses = await getCurrentFuseWire(path.join(appDir, 'idp-sandbox'));
  check(fuses[FuseV1Options.RunAsNode] === FuseState.DISABLE, 'fuse RunAsNode is off');
  check(
    fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable] === FuseState.DISABLE,
    'fuse NODE_OPTIONS is off',
  );
  check(
    fuses[FuseV1Options.EnableNodeCliInspectArguments] === FuseState.DISABLE,
    'fuse --inspect arguments is off',
  );
  check(
    fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation] === FuseState.ENABLE,
    'fuse asar integrity is on',
  );
  check(fuses[FuseV1Options.OnlyLoadAppFromAsar] === FuseState.ENABLE, 'fuse only-load-app-from-asar is on');
  // The renderer is served as app://, so file:// pages keep no extra powers.
  check(
    fuses[FuseV1Options.GrantFileProtocolExtraPrivileges] === FuseState.DISABLE,
    'fuse file-protocol extra privileges is off',
  );
} catch (error) {
  failures.push(error.message);
  process.stderr.write(`package-check: ${error.message}\n`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  process.stderr.write(`package-check: ${failures.length} check(s) failed\n`);
  process.exit(1);
}
process.stdout.write('package-check: all checks passed\n');
