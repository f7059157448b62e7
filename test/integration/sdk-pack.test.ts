// The packed package in a fresh project, as a user installs it: `npm pack`, `npm install` of the
// tarball, then the README's vitest and node:test examples run there, and its types are checked by
// tsc with Node's own ("nodenext") resolution. Needs dist/ (npm test builds it first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/engine';

const INSTALL_TIMEOUT_MS = 600_000;
const work = tempDir('idp-sandbox-pack-');
const project = path.join(work, 'project');
let tarball = '';

/** Runs a command to its end, without colours and without this test run's own variables (vitest's). */
function run(command: string, args: string[], cwd: string, timeout = 120_000) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'),
  );
  const result = spawnSync(command, args, { cwd, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout });
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error ?? ''}` };
}

function npm(args: string[], cwd: string, timeout?: number) {
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd, timeout);
}

/** The README's code blocks marked `<!-- example: FILE -->`, by file name. */
function readmeExamples(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const examples = new Map<string, string>();
  for (const [, file, code] of readme.matchAll(/<!-- example: (\S+) -->\n```\w+\n([\s\S]*?)\n```/g))
    examples.set(file as string, `${code}\n`);
  return examples;
}

/** The version of a package this repository has installed, so that npm finds it in its cache. */
function installedVersion(name: string, from = ROOT): string {
  const manifest = path.join(from, 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * better-sqlite3 compiles its native module at install (minutes on two cores, when no prebuilt binary
 * can be downloaded). The install skips scripts and takes this repository's build of the same version,
 * which is what compiling would make; another version is compiled for real.
 */
function provideNativeSqlite(): void {
  const version = installedVersion('better-sqlite3', project);
  if (version !== installedVersion('better-sqlite3')) {
    const rebuilt = npm(['rebuild', 'better-sqlite3'], project, INSTALL_TIMEOUT_MS);
    if (rebuilt.status !== 0) throw new Error(`npm rebuild better-sqlite3 failed:\n${rebuilt.output}`);
    return;
  }
  const release = path.join('node_modules', 'better-sqlite3', 'build', 'Release');
  fs.mkdirSync(path.join(project, release), { recursive: true });
  fs.copyFileSync(
    path.join(ROOT, release, 'better_sqlite3.node'),
    path.join(project, release, 'better_sqlite3.node'),
  );
}

const TYPE_CHECK = `import { type Sandbox, startSandbox } from 'idp-sandbox';

export async function typed(sandbox: Sandbox): Promise<string> {
  // @ts-expect-error users.create needs a username
  await sandbox.admin.users.create({ claims: {} });
  // @ts-expect-error not a method of the admin contract
  await sandbox.admin.call('users.explode', {});
  const minted = await sandbox.admin.call('tokens.mint', { client_id: 'orders' });
  // @ts-expect-error the output is typed: the value is a string
  const wrong: number = minted.value;
  await startSandbox({ deterministicKeys: 'x', seed: { users: [{ username: 'alice' }] } });
  return minted.value + String(wrong);
}
`;

beforeAll(async () => {
  const packed = npm(['pack', '--pack-destination', work, '--json'], ROOT);
  expect(packed.status, packed.output).toBe(0);
  const [{ filename }] = JSON.parse(packed.output.slice(packed.output.indexOf('['))) as [
    { filename: string },
  ];
  tarball = path.join(work, filename);

  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'uses-idp-sandbox', private: true, type: 'module' }),
  );
  for (const [file, code] of readmeExamples()) fs.writeFileSync(path.join(project, file), code);
  fs.writeFileSync(path.join(project, 'type-check.ts'), TYPE_CHECK);
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['sandbox.test.ts', 'type-check.ts'],
    }),
  );
  const peers = ['openid-client', 'jose', 'vitest', '@types/node'].map(
    (name) => `${name}@${installedVersion(name)}`,
  );
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  const installed = npm(['install', tarball, ...peers, ...flags], project, INSTALL_TIMEOUT_MS);
  expect(installed.status, installed.output).toBe(0);
  provideNativeSqlite();
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh project', () => {
  it('packs the CLI, the SDK with its types and the UI, and nothing of the sources', () => {
    const listed = run('tar', ['tzf', tarball], work);
    const files = listed.output.split('\n');
    for (const file of [
      'package/dist/sdk/index.js',
      'package/dist/sdk/types/main/sdk/index.d.ts',
      'package/dist/cli/idp-sandbox.cjs',
      'package/dist/cli/cli-main.cjs',
      'package/dist/renderer/index.html',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /^package\/(main|shared|test|renderer)\//.test(file))).toEqual([]);
  });

  it('runs the README vitest example (openid-client client credentials, jose verification)', () => {
    const vitest = path.join(project, 'node_modules', 'vitest', 'vitest.mjs');
    const result = run(process.execPath, [vitest, 'run', 'sandbox.test.ts'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/Tests\s+3 passed/);
  });

  it('runs the README node:test example', () => {
    const result = run(process.execPath, ['--test', 'sandbox.test.mjs'], project);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/# pass 1\b/);
  });

  it('gives TypeScript the types of the admin contract under Node resolution', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    expect(result.status, result.output).toBe(0);
  });

  it('installs the CLI as the package bin', () => {
    const result = run(path.join(project, 'node_modules', '.bin', 'idp-sandbox'), ['--version'], project);
    expect(result.status, result.output).toBe(0);
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(result.output.trim()).toBe(version);
  });
});
