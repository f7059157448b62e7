import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_TOKEN_VARIANTS, type CheckApiOutput } from '../../shared/lab';
import { CARELESS_FINDINGS, CHECK_API_SEED, strictApiOptions } from '../helpers/check-api-setup';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';
import { startCarelessApi, startStrictApi, type TestApi } from '../helpers/test-apis';
import { elementsNamed, parseXml } from '../helpers/xml';

/**
 * `idp-sandbox check-api` as CI runs it: the built CLI spawned against a `serve` of the built CLI,
 * the exit code being the verdict.
 */

let dataDir: string;
let server: Spawned;
let issuer: string;
let careless: TestApi;
let strict: TestApi;

beforeAll(async () => {
  dataDir = tempDir();
  const seed = path.join(dataDir, 'seed.json');
  fs.writeFileSync(seed, JSON.stringify(CHECK_API_SEED));
  server = spawnProcess(process.execPath, [
    BUILT_CLI,
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--seed',
    seed,
  ]);
  [, issuer] = (await server.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
  await server.waitFor(/Press Ctrl\+C/);
  careless = await startCarelessApi({ issuer, requiredScope: 'orders.read' });
  strict = await startStrictApi(strictApiOptions(issuer));
});

afterAll(async () => {
  await careless?.close();
  await strict?.close();
  if (server?.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `idp-sandbox check-api …` to its end. */
async function checkApi(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const started = performance.now();
  const proc = spawnProcess(process.execPath, [BUILT_CLI, 'check-api', ...args], env);
  const { code } = await proc.exited;
  return { code, output: proc.output(), ms: Math.round(performance.now() - started) };
}

const recipe = [
  '--client',
  'web',
  '--user',
  'alice',
  '--scope',
  'openid orders.read',
  '--required-scope',
  'orders.read',
];

describe('idp-sandbox check-api', () => {
  it('exits 1 on the careless service, prints its findings and writes JUnit and JSON reports', async () => {
    const junit = path.join(dataDir, 'report.xml');
    const json = path.join(dataDir, 'report.json');
    const args = [careless.url, ...recipe, '--format', 'jwt', '--junit', junit, '--json', json];
    const run = await checkApi([...args, '--issuer', issuer, '--data-dir', dataDir]);
    console.info(`CLI check-api against the careless service: ${run.ms} ms (process included)`);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('Baseline: 200, accepted');
    expect(run.output).toContain(
      `${CARELESS_FINDINGS.length} of ${BAD_TOKEN_VARIANTS.length} bad tokens were wrongly accepted`,
    );
    for (const variant of CARELESS_FINDINGS)
      expect(run.output).toMatch(new RegExp(`${variant}\\s+200\\s+WRONGLY ACCEPTED`));

    const suites = parseXml(fs.readFileSync(junit, 'utf8'));
    expect(suites.attributes.failures).toBe(String(CARELESS_FINDINGS.length));
    const failed = elementsNamed(suites, 'testcase')
      .filter((c) => c.children.some((child) => child.name === 'failure'))
      .map((c) => c.attributes.name?.split(':')[0]);
    expect(new Set(failed)).toEqual(new Set(CARELESS_FINDINGS));

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as CheckApiOutput;
    expect(report.findings).toBe(CARELESS_FINDINGS.length);
    expect(report.results).toHaveLength(BAD_TOKEN_VARIANTS.length);
  });

  it('exits 0 on the strict service, finding nothing (admin token from the environment)', async () => {
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const run = await checkApi([strict.url, ...recipe, '--issuer', issuer], {
      ...process.env,
      IDP_SANDBOX_ADMIN_TOKEN: token,
    });
    console.info(`CLI check-api against the strict service: ${run.ms} ms (process included)`);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`0 of ${BAD_TOKEN_VARIANTS.length} bad tokens were wrongly accepted`);
  });

  it('exits 2 when the service does not accept the good token, and says so', async () => {
    const tokenFile = path.join(dataDir, 'admin-token');
    const run = await checkApi([
      strict.url,
      ...recipe,
      '--audience',
      'other-api',
      '--issuer',
      issuer,
      '--admin-token-file',
      tokenFile,
    ]);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('Baseline: 401, NOT accepted');
    expect(run.output).toContain('the good (baseline) token was not accepted, so no bad token was sent');
  });

  it('exits 2 for a URL off this machine, naming --allow-remote', async () => {
    const run = await checkApi([
      'http://192.0.2.10/orders',
      ...recipe,
      '--issuer',
      issuer,
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(2);
    expect(run.output).toContain('not a loopback address');
    expect(run.output).toContain('--allow-remote');
  });

  it('exits 2 when the engine is not there, or the admin token is wrong', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const away = await checkApi([
      careless.url,
      ...recipe,
      '--issuer',
      `http://127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
    ]);
    expect(away.code).toBe(2);
    expect(away.output).toContain(`cannot reach the engine at http://127.0.0.1:${port} (ECONNREFUSED)`);

    const wrong = await checkApi([careless.url, ...recipe, '--issuer', issuer], {
      ...process.env,
      IDP_SANDBOX_ADMIN_TOKEN: 'not-the-token',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('the engine refused the admin token');

    const noFile = await checkApi([
      careless.url,
      ...recipe,
      '--issuer',
      issuer,
      '--admin-token-file',
      path.join(dataDir, 'nope'),
    ]);
    expect(noFile.code).toBe(2);
    expect(noFile.output).toContain('cannot read the admin token from');
  });

  it('exits 2 on a bad flag and documents itself in --help', async () => {
    const bad = await checkApi([careless.url, '--client', 'web', '--accept', 'ok']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--accept must be an HTTP status from 100 to 599 (got "ok")');
    expect(bad.output).toContain('idp-sandbox --help');

    const help = spawnProcess(process.execPath, [BUILT_CLI, '--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.output()).toContain('idp-sandbox check-api URL --client ID [options]');
    expect(help.output()).toContain('--junit FILE');
  });
});
