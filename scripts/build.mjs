#!/usr/bin/env node
// Builds the outputs: the Node side with esbuild (CLI, Electron main, preload, signing worker) and the
// renderer with Vite. `--if-stale` skips the work when no input is newer than the last build, so
// `npm run serve` and `npm test` can build on demand right after `npm install`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
process.stdout.write('Building IDP Sandbox (main, preload, CLI, SDK, renderer)…\n');
fs.rmSync(dist, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};
// The engine finds files beside its bundle through import.meta.url (the signing worker, the UI); a CJS
// bundle has no import.meta, so it gets the same URL from __filename.
const importMetaUrlFromFilename = {
  define: { 'import.meta.url': 'import_meta_url' },
  banner: { js: "const import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};
const cliDir = path.join(dist, 'cli');
const cliLauncher = path.join(cliDir, 'idp-sandbox.cjs');
const cliBundle = 'dist/cli/cli-main.cjs';
/** Module.wrap's text (node:module), around the CLI bundle. */
const CJS_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})'];
const codeCache = path.join(cliDir, 'cli-main.cjs.v8cache');
/**
 * What only some runs of the CLI load, built as bundles of their own beside cli-main.cjs, which
 * require()s them when they are needed: the HTTPS material (the X.509 and ASN.1 packages, for --https),
 * the static-file plugin of the UI (for --ui), the MCP SDK (for the `mcp` command) and Fastify's schema
 * compilers (Ajv, fast-json-stringify), which only a route with a JSON schema uses: the engine has none.
 * Read on every start although a plain one never runs them, they were 780 kB of a 3.1 MB bundle (the
 * first two) and then 490 kB of 2.0 MB (the others, with zodEnglishOnly below: 1.5 MB left). Each is
 * loaded in one place: engine.ts `import('./tls/material')`, ui-routes.ts
 * `import … from '@fastify/static'`, main/cli/mcp.ts `import('./mcp-sdk')`, and Fastify's
 * schema-controller.js `require(…)` of each compiler. None shares module state with the engine: the
 * X.509 objects stay inside the TLS part, the plugin and the compilers work through Fastify's API, and
 * the SDK is handed plain JSON (tool input schemas are JSON Schema, made by mcp-tools.ts).
 *
 * `importer` (for a relative specifier) is the one file whose import it is. A `selector` part is a
 * package whose export Fastify calls as it builds every app (a compiler selector): its shim returns a
 * selector that loads the part only when Fastify asks it for a compiler.
 */
const CLI_PARTS = [
  {
    specifier: './tls/material',
    importer: 'main/core/engine.ts',
    entry: 'main/core/tls/material.ts',
    file: 'cli-tls.cjs',
  },
  { specifier: '@fastify/static', entry: '@fastify/static', file: 'cli-fastify-static.cjs' },
  {
    specifier: './mcp-sdk',
    importer: 'main/cli/mcp.ts',
    entry: 'main/cli/mcp-sdk.ts',
    file: 'cli-mcp-sdk.cjs',
  },
  {
    specifier: '@fastify/ajv-compiler',
    entry: '@fastify/ajv-compiler',
    file: 'cli-fastify-ajv.cjs',
    selector: true,
  },
  {
    specifier: '@fastify/fast-json-stringify-compiler',
    entry: '@fastify/fast-json-stringify-compiler',
    file: 'cli-fastify-serializer.cjs',
    selector: true,
  },
];
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const cliParts = {
  name: 'cli-parts',
  setup(build) {
    const specifiers = new RegExp(`^(${CLI_PARTS.map((part) => escapeRegExp(part.specifier)).join('|')})$`);
    const partOf = (args) =>
      CLI_PARTS.find(
        (part) =>
          part.specifier === args.path &&
          (!part.importer || path.relative(root, args.importer) === path.normalize(part.importer)),
      );
    // A dynamic import of the part becomes a bundled shim that require()s it: the bundle's require
    // resolves from the bundle's own folder (main/cli/launcher.ts), where a copy of dist/cli runs too.
    build.onResolve({ filter: specifiers }, (args) => {
      const part = partOf(args);
      if (!part) return undefined;
      if (part.selector) return { path: part.file, namespace: 'cli-part-selector' };
      return args.kind === 'dynamic-import'
        ? { path: part.file, namespace: 'cli-part' }
        : { path: `./${part.file}`, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'cli-part' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${args.path}`)});`,
      loader: 'js',
    }));
    build.onLoad({ filter: /.*/, namespace: 'cli-part-selector' }, (args) => ({
      contents: `module.exports = function lazySelector(...selectorArgs) {
  let selector;
  return function fromPart(...args) {
    selector ??= require(${JSON.stringify(`./${args.path}`)})(...selectorArgs);
    return selector(...args);
  };
};`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/cli-[\w-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * zod's namespace (`z`, which shared/ imports) carries `z.locales`, every language's error messages, so
 * a bundle holds all ~50 of them although only English is ever configured (zod sets it itself, from
 * locales/en.js): 310 kB of the CLI bundle (the messages of non-Latin scripts are \u escapes in an
 * ASCII bundle), read and set up on every start. In the CLI's bundles `z.locales` holds English only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

await Promise.all([
  // The CLI is two files: a small launcher (the package bin) and the bundle it runs from a V8 code cache
  // (see writeCodeCache below). Both CommonJS, because Node loads a CommonJS entry synchronously: the
  // launcher's first statement runs before anything has started libuv's thread pool, so
  // main/cli/runtime-tuning.ts can still size it (an ES module entry is read through that pool).
  esbuild.build({
    ...common,
    entryPoints: ['main/cli/launcher.ts'],
    outfile: 'dist/cli/idp-sandbox.cjs',
    format: 'cjs',
    // The launcher begins a fresh start's signing key (main/cli/start-key.ts), so it takes in modules of
    // the engine that derive paths from import.meta.url (none of that code runs in the launcher).
    define: importMetaUrlFromFilename.define,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrlFromFilename.banner.js}` },
  }),
  // The bundle carries the CLI's packages: one file to read instead of hundreds to resolve was most of
  // the headless cold start. better-sqlite3's JavaScript too (its dozen files were loaded and compiled
  // without the code cache on every start); its native module stays in node_modules, and the CLI names
  // it (main/cli/sqlite-binding.ts), since the `bindings` search better-sqlite3 would otherwise run
  // starts from its caller's file, which is this bundle.
  esbuild.build({
    ...common,
    entryPoints: ['main/cli/index.ts'],
    outfile: cliBundle,
    format: 'cjs',
    plugins: [cliParts, zodEnglishOnly],
    define: importMetaUrlFromFilename.define,
    // Written as the launcher compiles it (main/cli/launcher.ts): already wrapped as Node wraps a CommonJS
    // module, ASCII only, so that it is read as latin1 into one external string and compiled as is. Its
    // source stays in memory for as long as the CLI runs (V8 compiles functions from it on first call),
    // and on this machine every page first touched costs ≈ 30 µs: read as UTF-8 (comments had non-ASCII
    // characters), decoded to two bytes a character and wrapped again, the 4.4 MB bundle took 8.8 MB of
    // heap twice over. Without whitespace and comments, and CLI_PARTS aside, it is 2.3 MB (names are kept:
    // profiles and stack traces stay readable through the source map). Licences: cli-main.cjs.LEGAL.txt.
    banner: { js: `${CJS_WRAPPER[0]}${importMetaUrlFromFilename.banner.js}` },
    footer: { js: CJS_WRAPPER[1] },
    minifyWhitespace: true,
    charset: 'ascii',
    legalComments: 'external',
  }),
  ...CLI_PARTS.map((part) =>
    esbuild.build({
      ...common,
      entryPoints: [part.entry],
      outfile: path.join('dist', 'cli', part.file),
      format: 'cjs',
      ...importMetaUrlFromFilename,
      plugins: [zodEnglishOnly],
      minifyWhitespace: true,
      legalComments: 'external',
    }),
  ),
  esbuild.build({
    ...common,
    entryPoints: ['main/electron/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    packages: 'external',
    external: ['electron'],
    ...importMetaUrlFromFilename,
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
  // The Node API for test suites (`import { startSandbox } from 'idp-sandbox'`, package.json exports):
  // ES modules, the packages left to the installing project's node_modules (they are the package's
  // dependencies), and its types beside it (emitSdkTypes below). Split into chunks so that what the
  // engine loads lazily (main/core/index.ts) stays lazy: the TLS modules load only for HTTPS.
  esbuild.build({
    ...common,
    entryPoints: { index: 'main/sdk/index.ts' },
    outdir: 'dist/sdk',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
  }),
]);
fs.chmodSync(cliLauncher, 0o755);
assertAscii(path.join(root, cliBundle));

/** The launcher reads the CLI bundle as latin1: any other byte would change its meaning, so none may be there. */
function assertAscii(file) {
  const bytes = fs.readFileSync(file);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at !== -1) {
    const near = bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
    throw new Error(
      `${path.relative(root, file)} has a non-ASCII byte at offset ${at} (the launcher reads it as latin1), near: ${near}`,
    );
  }
}

/**
 * Makes the CLI's V8 code cache: starts the built CLI once, asks for discovery and JWKS and makes one
 * admin call, stops it, and the launcher writes the cache on exit (IDP_SANDBOX_WRITE_CODE_CACHE), so it
 * covers every function a start, a first request and the admin contract's setup compile (≈ 70 kB of
 * the cache for the last, read by every start: ≈ 40 page faults, against compiling it on the first
 * admin call). V8 accepts the cache only from the same Node version with the same V8 flags: the
 * launcher sets its flags before compiling, and NODE_OPTIONS is left out here because a normal start
 * has none. Any other run compiles as usual, just slower.
 */
async function writeCodeCache(timeoutMs = 30_000) {
  const started = Date.now();
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, [cliLauncher, 'serve', '--in-memory', '--port', '0'], {
    cwd: root,
    env: { ...env, IDP_SANDBOX_WRITE_CODE_CACHE: codeCache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`it did not start, answer and stop within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const run = async () => {
    while (!stdout.includes('Press Ctrl+C to stop.')) {
      if (child.exitCode !== null)
        throw new Error(`the CLI exited with ${child.exitCode} before it was ready`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const issuer = /^ {2}Issuer:\s+(\S+)/m.exec(stdout)?.[1];
    if (!issuer) throw new Error('the CLI printed no Issuer line');
    for (const endpoint of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${issuer}${endpoint}`);
      if (!response.ok) throw new Error(`GET ${endpoint} answered ${response.status}`);
      await response.arrayBuffer();
    }
    // And one admin call: the admin contract loads with the first one (main/core/admin/contract-loader.ts),
    // after the start, and its module setup is then compiled from the cache too.
    const tokenFile = /^ {2}Admin token:\s+(\S+)/m.exec(stdout)?.[1];
    if (!tokenFile) throw new Error('the CLI printed no Admin token line');
    const adminToken = fs.readFileSync(tokenFile, 'utf8').trim();
    const admin = await fetch(`${issuer}/admin/api/settings.get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (!admin.ok) throw new Error(`POST /admin/api/settings.get answered ${admin.status}`);
    await admin.arrayBuffer();
    child.kill('SIGINT');
    const code = await exited;
    if (code !== 0) throw new Error(`the CLI exited with ${code} after SIGINT`);
  };
  const steps = run();
  steps.catch(() => {}); // After a timeout it fails too, once the child is killed; the timeout is the news.
  try {
    await Promise.race([steps, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `Could not make the CLI's code cache (${path.relative(root, codeCache)}): ${error.message}\n${stdout}${stderr}`,
    );
  } finally {
    clearTimeout(timer);
  }
  const size = fs.statSync(codeCache, { throwIfNoEntry: false })?.size;
  if (!size)
    throw new Error(
      `The CLI ran but did not write its code cache ${path.relative(root, codeCache)}.\n${stderr}`,
    );
  process.stdout.write(
    `Code cache: ${path.relative(root, codeCache)} (${Math.round(size / 1024)} kB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

/**
 * The SDK's declaration files, for the types entry of package.json's exports. tsc emits declarations
 * for every file the entry imports (the engine included: --noCheck, since typechecking is `npm run
 * typecheck`'s job), then only the ones the entry's public types reach are kept, their relative imports
 * given explicit .js extensions so that both "bundler" and "node16"/"nodenext" resolution find them.
 */
async function emitSdkTypes() {
  const emitted = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-sdk-types-'));
  try {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--ignoreConfig', '--declaration', '--emitDeclarationOnly', '--noCheck', '--skipLibCheck'];
    const settings = ['--target', 'ES2023', '--module', 'preserve', '--moduleResolution', 'bundler'];
    const args = [...flags, ...settings, '--resolveJsonModule', '--types', 'node'];
    await run(process.execPath, [tsc, ...args, '--rootDir', root, '--outDir', emitted, 'main/sdk/index.ts']);
    const outDir = path.join(dist, 'sdk', 'types');
    const pending = [path.join('main', 'sdk', 'index.d.ts')];
    const kept = new Set();
    while (pending.length) {
      const file = pending.pop();
      if (kept.has(file)) continue;
      kept.add(file);
      const text = fs.readFileSync(path.join(emitted, file), 'utf8');
      const rewritten = text.replace(/(from |import\()'(\.{1,2}\/[^']*)'/g, (_, lead, specifier) => {
        const target = path.join(path.dirname(file), specifier);
        const asIndex = fs.existsSync(path.join(emitted, target, 'index.d.ts'));
        pending.push(asIndex ? path.join(target, 'index.d.ts') : `${target}.d.ts`);
        return `${lead}'${specifier}${asIndex ? '/index.js' : '.js'}'`;
      });
      fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
      fs.writeFileSync(path.join(outDir, file), rewritten);
    }
  } finally {
    fs.rmSync(emitted, { recursive: true, force: true });
  }
}

/** Runs a command from the project folder; rejects with its output when it fails. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0])} exited with ${code}:\n${output}`)),
    );
  });
}

await Promise.all([
  writeCodeCache(),
  emitSdkTypes(),
  viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' }),
]);

fs.writeFileSync(stampFile, new Date().toISOString());
process.stdout.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s → dist/\n`);
