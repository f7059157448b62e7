// The CLI's entry (dist/cli/idp-sandbox.cjs): runs the CLI bundle beside it (cli-main.cjs) from the V8
// code cache the build made (cli-main.cjs.v8cache), so a start skips compiling most of the 3 MB bundle.
// Node 20 has no module.enableCompileCache, hence vm.Script with cachedData.
// First, before anything can start libuv's thread pool, and before compiling: V8 accepts a code cache
// only when the flags it was made with match, and this sets V8 flags (heap and young-generation growth).
import './runtime-tuning';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { beginStartKey } from './start-key';

// Next, a fresh start's signing key, the slowest step of a start: generated in libuv's thread pool
// while this thread compiles and evaluates the CLI bundle and builds the server (start-key.ts).
beginStartKey(process.argv.slice(2));

const bundlePath = path.join(__dirname, 'cli-main.cjs');
const cachePath = `${bundlePath}.v8cache`;

/** A missing or unreadable cache only means a normal compile; nothing depends on it. */
function readCache(): Buffer | undefined {
  try {
    return fs.readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

const cachedData = readCache();
// The build wrote the bundle already wrapped as a CommonJS module function (Module.wrap's text) and
// ASCII only (scripts/build.mjs checks it). Read as latin1, a file that size becomes one external string
// (outside V8's heap, one byte a character) that V8 compiles and keeps as the script's source as it is.
// Read as UTF-8 and wrapped here, it was decoded to two bytes a character, then concatenated and
// flattened into a second copy on the heap (docs/ARCHITECTURE.md, Build).
const script = new vm.Script(fs.readFileSync(bundlePath, 'latin1'), {
  filename: bundlePath,
  cachedData,
  // The bundle has no import() of its own; this keeps one working as in a module Node loaded itself.
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// V8 rejects a cache made by another Node version or with other V8 flags, and one that does not match
// the source; the script is then compiled as usual. The report is for tests and the build.
if (process.env.IDP_SANDBOX_CODE_CACHE_REPORT === '1') {
  const state = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  process.stderr.write(`code cache: ${state}\n`);
}

// For the build only (scripts/build.mjs): written on exit, after a start and a first request, so the
// cache holds every function compiled by then and not just the bundle's top level.
const writeCacheTo = process.env.IDP_SANDBOX_WRITE_CODE_CACHE;
if (writeCacheTo) process.on('exit', () => fs.writeFileSync(writeCacheTo, script.createCachedData()));

// Run it as Node runs a CommonJS module: its own module object, require resolving from its folder, and
// __filename/__dirname of the bundle (it finds the signing worker and the UI beside itself through them).
const bundle = new Module(bundlePath, module);
bundle.filename = bundlePath;
bundle.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
script
  .runInThisContext()
  .call(bundle.exports, bundle.exports, createRequire(bundlePath), bundle, bundlePath, __dirname);
bundle.loaded = true;
