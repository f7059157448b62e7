import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EngineInfo, PlaygroundOutput } from '../../shared/contract';
import { BUILT_CLI, startTestEngine, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';
import { fetchTrusting } from '../helpers/tls-fetch';

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

const dataDir = tempDir();
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const seedFile = path.join(dataDir, 'seed.json');
fs.writeFileSync(
  seedFile,
  JSON.stringify({
    clients: [
      {
        client_id: 'svc',
        client_secret: 'svc-secret',
        grant_types: ['client_credentials'],
        scope: 'orders:read',
        audience: ['orders-api'],
      },
    ],
  }),
);

interface Started {
  proc: Spawned;
  issuer: string;
  caPath: string;
  caNote: string;
  fingerprint: string;
}

/** Starts the built CLI with --https and reads what it printed about the CA. */
async function serveHttps(extra: string[] = []): Promise<Started> {
  const proc = spawnProcess(process.execPath, [BUILT_CLI, 'serve', '--https', '--seed', seedFile, ...extra]);
  running.push(proc);
  await proc.waitFor(/Press Ctrl\+C to stop/);
  const text = proc.output();
  const [, issuer = ''] = text.match(/Issuer:\s+(\S+)/) ?? [];
  const [, caPath = '', caNote = ''] = text.match(/HTTPS CA:\s+(.+?) \((.+)\)\n/) ?? [];
  const [, fingerprint = ''] = text.match(/SHA-256 ([0-9A-F:]+)/) ?? [];
  return { proc, issuer, caPath, caNote, fingerprint };
}

async function stop({ proc }: Started): Promise<void> {
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toEqual({ code: 0, signal: null });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('idp-sandbox serve --https (built CLI, clients trusting only the printed CA)', () => {
  let firstCa = '';
  let firstFingerprint = '';

  it('serves an https issuer whose every endpoint is https, and prints the CA and how to trust it', async () => {
    const started = await serveHttps(['--port', '0', '--data-dir', dataDir]);
    const { issuer, caPath, proc } = started;
    expect(issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(caPath).toBe(path.join(dataDir, 'tls', 'ca.crt'));
    expect(started.caNote).toContain('new');
    expect((fs.statSync(path.join(dataDir, 'tls', 'ca.key')).mode & 0o777).toString(8)).toBe('600');
    const q = `'${caPath}'`;
    for (const command of [
      `sudo cp ${q} /usr/local/share/ca-certificates/idp-sandbox.crt && sudo update-ca-certificates`,
      `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${q}`,
      `certutil -user -addstore Root "${caPath}"`,
      `NODE_EXTRA_CA_CERTS=${q}`,
      `curl --cacert ${q} ${issuer}/.well-known/openid-configuration`,
    ]) {
      expect(proc.output()).toContain(command);
    }

    firstCa = fs.readFileSync(caPath, 'utf8');
    firstFingerprint = started.fingerprint;
    const response = await fetchTrusting(firstCa)(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(issuer);
    const urls = Object.entries(metadata).filter(([key]) => /_endpoint$|_uri$/.test(key));
    expect(urls.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'authorization_endpoint',
        'token_endpoint',
        'jwks_uri',
        'introspection_endpoint',
      ]),
    );
    for (const [key, url] of urls) expect(`${key} ${url}`).toMatch(new RegExp(`^${key} ${issuer}/`));
    await stop(started);
  });

  it('completes a client_credentials grant with openid-client trusting the CA; an untrusting client is refused', async () => {
    const started = await serveHttps(['--port', '0', '--data-dir', dataDir]);
    const trusted = { [oidc.customFetch]: fetchTrusting(fs.readFileSync(started.caPath, 'utf8')) };
    const config = await oidc.discovery(
      new URL(started.issuer),
      'svc',
      undefined,
      oidc.ClientSecretBasic('svc-secret'),
      trusted,
    );
    config[oidc.customFetch] = trusted[oidc.customFetch];
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, iss: started.issuer, client_id: 'svc' });

    // Node's fetch with only the system's CAs, and openid-client left to it: the certificate is refused.
    const discoveryUrl = `${started.issuer}/.well-known/openid-configuration`;
    const untrusted = expect.stringMatching(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
    await expect(fetch(discoveryUrl)).rejects.toMatchObject({ cause: { code: untrusted } });
    await expect(oidc.discovery(new URL(started.issuer), 'svc', 'svc-secret')).rejects.toMatchObject({
      cause: { code: untrusted },
    });
    await stop(started);
  });

  it('reuses the data folder CA at the next start, and covers an issuer on another host name', async () => {
    const again = await serveHttps(['--port', '0', '--data-dir', dataDir]);
    expect(again.fingerprint).toBe(firstFingerprint);
    expect(again.caNote).toBe('kept in the data folder');
    expect(fs.readFileSync(again.caPath, 'utf8')).toBe(firstCa);
    expect((await fetchTrusting(firstCa)(`${again.issuer}/jwks`)).status).toBe(200);
    await stop(again);

    // A name outside the CA's name constraints needs a new CA (which still allows the old names).
    const port = await freePort();
    const named = await serveHttps([
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--issuer',
      'https://idp.test:8443',
    ]);
    expect(named.issuer).toBe('https://idp.test:8443');
    expect(named.fingerprint).not.toBe(firstFingerprint);
    const response = await fetchTrusting(fs.readFileSync(named.caPath, 'utf8'), 'idp.test')(
      `https://127.0.0.1:${port}/.well-known/openid-configuration`,
      { headers: { host: 'idp.test:8443' } },
    );
    expect(((await response.json()) as { token_endpoint: string }).token_endpoint).toBe(
      'https://idp.test:8443/token',
    );
    await stop(named);
  });

  it('makes a CA for the run in a temporary folder with --in-memory, and removes it at exit', async () => {
    const started = await serveHttps(['--port', '0', '--in-memory']);
    expect(started.caNote).toContain('temporary folder');
    const ca = fs.readFileSync(started.caPath, 'utf8');
    expect((await fetchTrusting(ca)(`${started.issuer}/jwks`)).status).toBe(200);
    await stop(started);
    expect(fs.existsSync(started.caPath)).toBe(false);
  });

  it('refuses --https with an http:// issuer: exit code 2 and what to do', async () => {
    const proc = spawnProcess(process.execPath, [
      BUILT_CLI,
      'serve',
      '--https',
      '--in-memory',
      '--issuer',
      'http://127.0.0.1:9400',
    ]);
    running.push(proc);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('--https serves TLS, so the issuer must be https://');
    expect(proc.output()).toContain('idp-sandbox --help');
  });
});

describe('the desktop HTTPS choice (EngineOptions.httpsPreference, as the desktop host starts the engine)', () => {
  it('is off at first, saved by engine.setHttps, and taken at the next start', async () => {
    const folder = tempDir();
    const first = await startTestEngine({ dataDir: folder, httpsPreference: true });
    expect(((await first.call('engine.info', {})) as EngineInfo).https).toEqual({
      enabled: false,
      caCertPath: null,
      trustCommands: [],
      nextStart: false,
    });
    expect(await first.call('engine.setHttps', { enabled: true })).toEqual({ nextStart: true });
    const saved = ((await first.call('engine.info', {})) as EngineInfo).https;
    expect(saved).toMatchObject({ enabled: false, nextStart: true });
    expect(first.issuer).toMatch(/^http:\/\//);
    await first.cleanup();

    const second = await startTestEngine({ dataDir: folder, httpsPreference: true });
    try {
      expect(second.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { https } = (await second.call('engine.info', {})) as EngineInfo;
      const caCertPath = path.join(folder, 'tls', 'ca.crt');
      expect(https).toMatchObject({ enabled: true, nextStart: true, caCertPath });
      expect(https.trustCommands.map((c) => c.label)).toEqual(
        expect.arrayContaining(['Debian/Ubuntu', 'macOS', 'Windows (current user)', 'Node.js', 'curl']),
      );
      // The flow playground calls the provider over HTTPS, trusting the CA.
      await second.call('clients.create', {
        client_id: 'svc',
        grant_types: ['client_credentials'],
        scope: 'orders:read',
      });
      const run = (await second.call('playground.run', {
        flow: 'client_credentials',
        client_id: 'svc',
      })) as PlaygroundOutput;
      expect(run.ok).toBe(true);
      expect(run.steps.find((step) => step.http)?.http?.request.url).toMatch(/^https:\/\//);
    } finally {
      await second.close();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('is refused where the host decides with a flag (the CLI)', async () => {
    const engine = await startTestEngine({ inMemory: true });
    try {
      expect(((await engine.call('engine.info', {})) as EngineInfo).https.nextStart).toBeNull();
      await expect(engine.call('engine.setHttps', { enabled: true })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('--https'),
      });
    } finally {
      await engine.cleanup();
    }
  });
});
