import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, tempDir } from '../helpers/engine';
import { type Spawned, spawnProcess } from '../helpers/process';
import { currentJwks, tokenRequest } from '../helpers/script-http';

const running: Spawned[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Spawned {
  const spawned = spawnProcess(process.execPath, [BUILT_CLI, ...args], env);
  running.push(spawned);
  return spawned;
}

describe('idp-sandbox CLI (built, spawned for real)', () => {
  it('serves discovery, writes the admin token file and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const proc = cli(['serve', '--port', '0', '--data-dir', dataDir]);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/Admin token:\s+\S+/);
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(issuer);

    const tokenFile = path.join(dataDir, 'admin-token');
    expect(proc.output()).toContain(tokenFile);
    expect((fs.statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const info = await fetch(`${issuer}/admin/api/engine.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(info.status).toBe(200);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.output()).toContain('Stopped (SIGTERM)');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects a bad flag with exit code 2 and says what to do', async () => {
    const proc = cli(['serve', '--port', 'eighty']);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('--port must be a whole number from 0 to 65535 (got "eighty")');
    expect(proc.output()).toContain('idp-sandbox --help');
  });

  it('explains a port that is already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const proc = cli(['serve', '--port', String(port), '--in-memory']);
      expect((await proc.exited).code).toBe(1);
      expect(proc.output()).toContain(`Port 127.0.0.1:${port} is already in use`);
      expect(proc.output()).toContain('--port 0');
    } finally {
      blocker.close();
    }
  });

  it('warns when binding beyond loopback', async () => {
    const proc = cli(['serve', '--port', '0', '--in-memory', '--host', '0.0.0.0']);
    await proc.waitFor(/Issuer:/);
    expect(proc.output()).toContain(
      'warning: binding 0.0.0.0 makes the provider and its admin API reachable',
    );
  });
});

describe('idp-sandbox serve --seed', () => {
  const seed = {
    settings: { access_token_ttl: 300, signing_alg: 'ES256' },
    users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { roles: ['admin'] } }],
    clients: [
      {
        client_id: 'worker',
        client_secret: 'worker-secret',
        grant_types: ['client_credentials'],
        scope: 'orders:read',
        access_token_format: 'reference',
      },
    ],
  };

  function writeSeed(dir: string, content: unknown): string {
    const file = path.join(dir, 'seed.json');
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  }

  async function adminCall(issuer: string, token: string, method: string, input: unknown = {}) {
    const response = await fetch(`${issuer}/admin/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return response.json() as Promise<unknown>;
  }

  it('loads users, clients and settings, and re-running with the same seed is idempotent', async () => {
    const dataDir = tempDir();
    const file = writeSeed(dataDir, seed);
    for (let run = 0; run < 2; run++) {
      const proc = cli(['serve', '--port', '0', '--data-dir', dataDir, '--seed', file]);
      const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
      expect(proc.output()).toContain('1 users, 1 clients');
      const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
      const users = (await adminCall(issuer, token, 'users.list')) as { username: string; sub: string }[];
      expect(users).toEqual([expect.objectContaining({ username: 'alice', sub: 'alice-sub' })]);
      const clients = (await adminCall(issuer, token, 'clients.list')) as { client_id: string }[];
      expect(clients.map((c) => c.client_id)).toEqual(['worker']);
      const settings = (await adminCall(issuer, token, 'settings.get')) as {
        access_token_ttl: number;
        signing_alg: string;
      };
      expect(settings).toMatchObject({ access_token_ttl: 300, signing_alg: 'ES256' });
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(discovery.id_token_signing_alg_values_supported).toContain('ES256');
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['an unknown field', { ...seed, users: [{ username: 'x', colour: 'blue' }] }, ['users[0]', 'colour']],
    [
      'a wrong type',
      { ...seed, settings: { access_token_ttl: 'five minutes' } },
      ['settings.access_token_ttl', 'expected number'],
    ],
    [
      'a reserved claim',
      { users: [{ username: 'a' }, { username: 'b', claims: { iss: 'me' } }] },
      ['users[1].claims.iss', 'set by the provider'],
    ],
  ])('rejects %s naming the file and JSON path, and applies nothing', async (_case, content, expected) => {
    const dataDir = tempDir();
    const file = writeSeed(dataDir, content);
    const proc = cli(['serve', '--port', '0', '--data-dir', dataDir, '--seed', file]);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('seed.json is invalid; nothing was applied');
    for (const fragment of expected) expect(proc.output()).toContain(fragment);
    // Nothing half-applied: the engine never started, so no database was even created.
    expect(fs.existsSync(path.join(dataDir, 'idp-sandbox.db'))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects malformed JSON with its line and column', async () => {
    const dataDir = tempDir();
    const file = writeSeed(dataDir, '{\n  "users": [\n    { "username": "a", }\n  ]\n}');
    const proc = cli(['serve', '--port', '0', '--in-memory', '--seed', file]);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toMatch(/seed\.json is not valid JSON at line 3, column \d+/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('says so when the seed file does not exist', async () => {
    const proc = cli(['serve', '--port', '0', '--in-memory', '--seed', '/nonexistent/seed.json']);
    expect((await proc.exited).code).toBe(2);
    // Named as given: outside the working folder a path relative to it would be ../../nonexistent/….
    expect(proc.output()).toContain('seed file /nonexistent/seed.json does not exist.');
  });
});

describe('idp-sandbox serve --signing-workers', () => {
  it('signs in worker threads beside the built bundle: its tokens verify against /jwks', async () => {
    const dir = tempDir();
    const seedFile = path.join(dir, 'seed.json');
    fs.writeFileSync(
      seedFile,
      JSON.stringify({
        settings: { signing_alg: 'PS256' },
        clients: [
          { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'x' },
        ],
      }),
    );
    const proc = cli(['serve', '--port', '0', '--in-memory', '--seed', seedFile, '--signing-workers', '2']);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/Press Ctrl\+C/);
    const tokens = await Promise.all(
      [1, 2, 3].map(() =>
        tokenRequest(issuer, { clientId: 'svc', secret: 'svc-secret' }, { grant_type: 'client_credentials' }),
      ),
    );
    const jwks = await currentJwks(issuer);
    for (const { access_token } of tokens) {
      const { protectedHeader } = await jwtVerify(access_token, jwks, {
        algorithms: ['PS256'],
        issuer,
        typ: 'at+jwt',
      });
      expect(protectedHeader.alg).toBe('PS256');
    }
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a count outside 0..16 with exit code 2', async () => {
    const proc = cli(['serve', '--in-memory', '--signing-workers', '17']);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('--signing-workers must be a whole number from 0 to 16 (got "17")');
    expect(proc.output()).toContain('idp-sandbox --help');
  });
});

describe('idp-sandbox serve --clock-offset', () => {
  it('issues tokens in provider time and says the clock is moved in its ready lines', async () => {
    const dir = tempDir();
    const seedFile = path.join(dir, 'seed.json');
    fs.writeFileSync(
      seedFile,
      JSON.stringify({
        clients: [
          { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'x' },
        ],
      }),
    );
    const proc = cli(['serve', '--port', '0', '--in-memory', '--seed', seedFile, '--clock-offset', '+1h']);
    const [, issuer] = (await proc.waitFor(/Issuer:\s+(\S+)/)) as [string, string];
    await proc.waitFor(/Press Ctrl\+C/);
    expect(proc.output()).toContain(
      'Clock:       provider time is real time +1 h (Settings → provider clock)',
    );
    const before = Math.floor(Date.now() / 1000);
    const { access_token } = await tokenRequest(
      issuer,
      { clientId: 'svc', secret: 'svc-secret' },
      { grant_type: 'client_credentials' },
    );
    const iat = Number(
      JSON.parse(Buffer.from(access_token.split('.')[1] as string, 'base64url').toString()).iat,
    );
    expect(iat - before).toBeGreaterThanOrEqual(3600);
    expect(iat - before).toBeLessThanOrEqual(3602);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
