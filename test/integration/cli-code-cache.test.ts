import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, ROOT } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';

// The built CLI is a launcher that runs dist/cli/cli-main.cjs from the V8 code cache the build made
// beside it (main/cli/launcher.ts). IDP_SANDBOX_CODE_CACHE_REPORT=1 makes it say on stderr whether V8
// used the cache; whatever the answer, the CLI must start and serve.
const CACHE = 'cli-main.cjs.v8cache';
const require = createRequire(import.meta.url);

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

// Copies of dist/cli sit inside the repository, so the bundle resolves better-sqlite3 from its
// node_modules exactly as from dist/cli.
let copies = '';
beforeAll(() => {
  const results = path.join(ROOT, 'test-results');
  fs.mkdirSync(results, { recursive: true });
  copies = fs.mkdtempSync(path.join(results, 'cli-code-cache-'));
});
afterAll(() => fs.rmSync(copies, { recursive: true, force: true }));

/** A copy of the built CLI folder whose code cache is `cache` (bytes), or has none. */
function cliCopy(name: string, cache: Buffer | null): string {
  const dir = path.join(copies, name);
  fs.cpSync(path.dirname(BUILT_CLI), dir, { recursive: true });
  if (cache) fs.writeFileSync(path.join(dir, CACHE), cache);
  else fs.rmSync(path.join(dir, CACHE));
  return path.join(dir, path.basename(BUILT_CLI));
}

async function expectServes(launcher: string, report: 'used' | 'rejected' | 'none'): Promise<void> {
  const proc = spawnProcess(process.execPath, [launcher, 'serve', '--in-memory', '--port', '0'], {
    ...process.env,
    IDP_SANDBOX_CODE_CACHE_REPORT: '1',
  });
  running.push(proc);
  const [, state] = (await proc.waitFor(/code cache: (\w+)/)) as [string, string];
  expect(state).toBe(report);
  const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(((await response.json()) as { issuer: string }).issuer).toBe(issuer);
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toEqual({ code: 0, signal: null });
}

describe('the CLI code cache', () => {
  it('is made by the build and accepted by V8', async () => {
    expect(fs.statSync(path.join(path.dirname(BUILT_CLI), CACHE)).size).toBeGreaterThan(0);
    await expectServes(BUILT_CLI, 'used');
  });

  it('is rejected when damaged, and the CLI compiles and serves as usual', async () => {
    await expectServes(cliCopy('garbage', Buffer.from('not a V8 code cache '.repeat(500))), 'rejected');
  });

  it('is optional: without one the CLI compiles and serves as usual', async () => {
    await expectServes(cliCopy('none', null), 'none');
  });
});

// Every page of memory a start touches first costs time (≈ 30 µs each on the 2-core benchmark machine),
// and the bundle's source stays in memory while the CLI runs (scripts/build.mjs, docs/BENCHMARKS.md).
describe('what a start reads before the engine', () => {
  it('is a small launcher: it takes in neither zod nor the engine', () => {
    const launcher = fs.readFileSync(BUILT_CLI, 'latin1');
    // 47 kB when written; the engine or the zod schemas pulled in by one import made it 900 kB.
    expect(launcher.length).toBeLessThan(150_000);
    expect(launcher).not.toContain('node_modules/zod/');
  });

  it('leaves what only --https and --ui load to files of their own beside the bundle', async () => {
    const dir = path.dirname(BUILT_CLI);
    const bundle = fs.readFileSync(path.join(dir, 'cli-main.cjs'), 'latin1');
    // esbuild keeps each bundled package file's path as the key of its module wrapper.
    expect(bundle).not.toContain('node_modules/@peculiar/x509/');
    expect(bundle).not.toContain('node_modules/@fastify/static/');
    expect(bundle).toContain('require("./cli-tls.cjs")');
    expect(bundle).toContain('require("./cli-fastify-static.cjs")');
    // A copy of the folder serves the UI from its own parts (the bundle requires them from beside itself),
    // and the built UI from beside its folder, as from dist/.
    const launcher = cliCopy('parts', fs.readFileSync(path.join(dir, CACHE)));
    fs.cpSync(path.join(ROOT, 'dist', 'renderer'), path.join(copies, 'renderer'), { recursive: true });
    const proc = spawnProcess(process.execPath, [launcher, 'serve', '--in-memory', '--port', '0', '--ui'], {
      ...process.env,
    });
    running.push(proc);
    const [, ui] = (await proc.waitFor(/Admin UI:\s+(\S+)/)) as [string, string];
    const page = await fetch(ui);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it("leaves the MCP SDK, Fastify's schema compilers and zod's other languages out of the bundle", () => {
    const bundle = fs.readFileSync(path.join(path.dirname(BUILT_CLI), 'cli-main.cjs'), 'latin1');
    expect(bundle).not.toContain('node_modules/@modelcontextprotocol/');
    expect(bundle).not.toContain('node_modules/ajv/');
    // (Fastify's own error serializer keeps fast-json-stringify's small runtime, lib/serializer.js.)
    expect(bundle).not.toContain('node_modules/fast-json-stringify/index.js');
    expect(bundle).toContain('node_modules/zod/v4/locales/en.js');
    expect(bundle).not.toContain('node_modules/zod/v4/locales/fr.js');
    for (const part of ['cli-mcp-sdk.cjs', 'cli-fastify-ajv.cjs', 'cli-fastify-serializer.cjs'])
      expect(bundle).toContain(`require("./${part}")`);
  });

  it('gives Fastify working schema compilers from their parts when a route has a schema', async () => {
    // The bundle's Fastify gets each compiler's selector from a shim that loads the part on first use
    // (scripts/build.mjs); here the parts are handed to a Fastify app as it would call them.
    const dir = path.dirname(BUILT_CLI);
    const load = (file: string) => require(path.join(dir, file)) as () => never;
    const app = Fastify({
      schemaController: {
        compilersFactory: {
          buildValidator: load('cli-fastify-ajv.cjs')(),
          buildSerializer: load('cli-fastify-serializer.cjs')(),
        },
      },
    });
    const body = { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } };
    const response = { 200: { type: 'object', properties: { n: { type: 'integer' } } } };
    app.post('/echo', { schema: { body, response } }, async (request) => ({
      ...(request.body as object),
      extra: 'left out by the response schema',
    }));
    const ok = await app.inject({ method: 'POST', url: '/echo', payload: { n: 2 } });
    expect(ok.json()).toEqual({ n: 2 });
    const refused = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'two' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('body/n must be integer');
    await app.close();
  });

  it('is a bundle of ASCII only, already wrapped as a CommonJS module function (read as latin1)', () => {
    const bundle = fs.readFileSync(path.join(path.dirname(BUILT_CLI), 'cli-main.cjs'));
    expect(bundle.findIndex((byte) => byte > 0x7f)).toBe(-1);
    const wrapper = '(function (exports, require, module, __filename, __dirname) { ';
    expect(bundle.subarray(0, wrapper.length).toString('latin1')).toBe(wrapper);
  });
});
