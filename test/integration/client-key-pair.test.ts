import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  SignJWT,
} from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedClientKeyPair } from '../../shared/contract';
import { CLIENT_KEY_ASSERTION_ALGS, type Client, type EngineEvent } from '../../shared/schemas';
import { ROOT, startTestEngine } from '../helpers/engine';
import { type AdminHttpError, adminHttp } from '../helpers/script-http';

/**
 * clients.generateKeyPair (RFC 7523 §2.2): the admin API makes a key pair for a private_key_jwt client,
 * stores its public half beside the client's other keys and hands the private half back once. Driven
 * over the admin HTTP API as a script would, on an engine with a real SQLite file; the key is then used
 * by openid-client v6 (PrivateKeyJwt), by jose directly, and by the answer's own snippet run in sh.
 */

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let dataDir: string;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function generate(input: Record<string, unknown>): Promise<GeneratedClientKeyPair> {
  return adminHttp<GeneratedClientKeyPair>(engine, 'clients.generateKeyPair', input);
}

/** The admin API's refusal of `input`: its status and body. */
async function refusal(input: Record<string, unknown>): Promise<AdminHttpError> {
  const error = await generate(input).then(
    () => undefined,
    (caught: unknown) => caught as AdminHttpError,
  );
  if (!error) throw new Error(`clients.generateKeyPair(${JSON.stringify(input)}) succeeded`);
  return error;
}

async function publicJwk(alg: 'ES256' | 'RS256' | 'PS256', kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
}

const service = (client_id: string, fields: Record<string, unknown>) =>
  adminHttp<Client>(engine, 'clients.create', {
    client_id,
    grant_types: ['client_credentials'],
    scope: 'orders:read',
    ...fields,
  });

/** openid-client, strict but for plain HTTP on loopback. */
function rp(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(engine.issuer), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** client_credentials with a hand-made assertion signed by `key`, as the snippet does it. */
async function tokenWithAssertion(clientId: string, key: JWK): Promise<Response> {
  const alg = key.alg as string;
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg, kid: key.kid as string })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(`${engine.issuer}/token`)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(await importJWK(key, alg));
  return fetch(`${engine.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    }),
  });
}

beforeAll(async () => {
  engine = await startTestEngine();
  dataDir = engine.dataDir as string;
});
afterAll(async () => {
  await engine.cleanup();
});

describe('clients.generateKeyPair', () => {
  it('adds an ES256 key beside the existing ones; openid-client gets a token with the private key', async () => {
    const existing = await publicJwk('RS256', 'existing-1');
    await service('billing', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [existing] } });

    const generated = await generate({ client_id: 'billing' });
    expect(generated.private_jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(generated.kid).toBe(await calculateJwkThumbprint(generated.public_jwk as JWK));
    expect(generated.public_jwk).toMatchObject({ kid: generated.kid, alg: 'ES256' });
    expect(generated.public_jwk).not.toHaveProperty('d');
    expect(generated.private_key_pem).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n?$/,
    );
    // The old key is kept: a service still signing with it goes on working.
    expect(generated.client.jwks?.keys).toEqual([existing, generated.public_jwk]);
    expect(generated.client.token_endpoint_auth_method).toBe('private_key_jwt');

    const key = await importPKCS8(generated.private_key_pem, 'ES256');
    const config = await rp('billing', oidc.PrivateKeyJwt({ key, kid: generated.kid }));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      client_id: 'billing',
    });

    const events = await adminHttp<EngineEvent[]>(engine, 'events.list', {
      type: 'client.updated',
      client_id: 'billing',
    });
    expect(events.map((event) => event.data)).toEqual([{ key_generated: generated.kid }]);
  });

  it('stores no private key: not in clients.get, an export with keys, or the SQLite files', async () => {
    await service('vault', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [await publicJwk('ES256', 'v1')] },
    });
    const generated = await generate({ client_id: 'vault', alg: 'RS256' });
    const privateJwk = generated.private_jwk as JWK;
    expect(privateJwk).toMatchObject({ kty: 'RSA', alg: 'RS256' });

    const stored = await adminHttp<Client>(engine, 'clients.get', { client_id: 'vault' });
    expect(stored.jwks?.keys).toHaveLength(2);
    for (const key of stored.jwks?.keys ?? []) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
    const exported = JSON.stringify(await adminHttp(engine, 'workspace.export', { include_keys: true }));

    // Every private member and the PEM's body, searched for in the database, its WAL and the export.
    const pemBody = generated.private_key_pem.split('\n')[1] as string;
    const secrets = (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).map(
      (member) => privateJwk[member] as string,
    );
    const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('idp-sandbox.db'));
    expect(files).toContain('idp-sandbox.db');
    const bytes = files.map((name) => fs.readFileSync(path.join(dataDir, name)).toString('latin1')).join('');
    // The public key is there (the search reaches the stored client), its private parts are not.
    expect(bytes).toContain(privateJwk.n as string);
    for (const secret of [...secrets, pemBody]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(bytes.includes(secret), 'a private key member in the SQLite files').toBe(false);
      expect(exported.includes(secret), 'a private key member in the export').toBe(false);
    }
  });

  it('makes a working key for every assertion algorithm', async () => {
    for (const alg of CLIENT_KEY_ASSERTION_ALGS) {
      const clientId = `svc-${alg.toLowerCase()}`;
      await service(clientId, { client_secret: 'to-be-dropped' });
      const generated = await generate({ client_id: clientId, alg, switch_auth_method: true });
      expect(generated.public_jwk.alg).toBe(alg);
      const response = await tokenWithAssertion(clientId, generated.private_jwk as JWK);
      expect(response.status, `${alg}: ${await response.clone().text()}`).toBe(200);
      expect(await response.json()).toMatchObject({ token_type: 'Bearer' });
    }
  });

  it("the answer's snippet runs as it is: it signs an assertion and curl gets a token", async () => {
    await service('snippet-svc', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [await publicJwk('ES256', 'old')] },
    });
    const generated = await generate({ client_id: 'snippet-svc' });
    // Inside the repository, so `import 'jose'` resolves from its node_modules as after `npm install jose`.
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const folder = fs.mkdtempSync(path.join(ROOT, 'test-results', 'client-key-snippet-'));
    try {
      fs.writeFileSync(path.join(folder, 'private-key.pem'), generated.private_key_pem);
      // Asynchronously: the engine answering curl runs in this process.
      const run = await promisify(execFile)('sh', ['-c', generated.snippet], {
        cwd: folder,
        timeout: 20_000,
      });
      expect(JSON.parse(run.stdout)).toMatchObject({
        access_token: expect.any(String),
        token_type: 'Bearer',
      });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    expect(generated.snippet).toContain(`${engine.issuer}/token`);
  });

  it('switches a secret client to private_key_jwt only when asked, dropping its secret', async () => {
    await service('legacy', {
      client_secret: 'legacy-secret',
      token_endpoint_auth_method: 'client_secret_post',
    });
    const refused = await refusal({ client_id: 'legacy' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      code: 'conflict',
      message: expect.stringContaining('switch_auth_method'),
    });
    expect(await adminHttp<Client>(engine, 'clients.get', { client_id: 'legacy' })).toMatchObject({
      token_endpoint_auth_method: 'client_secret_post',
      client_secret: 'legacy-secret',
      jwks: null,
    });

    const generated = await generate({ client_id: 'legacy', switch_auth_method: true });
    expect(generated.client).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      client_secret: null,
      jwks: { keys: [generated.public_jwk] },
    });
    const events = await adminHttp<EngineEvent[]>(engine, 'events.list', { client_id: 'legacy' });
    expect(events.find((event) => event.type === 'client.updated')?.data).toEqual({
      key_generated: generated.kid,
      auth_method_switched: true,
    });
    const secretLogin = await fetch(`${engine.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'legacy',
        client_secret: 'legacy-secret',
      }),
    });
    expect(secretLogin.status).toBe(401);
  });

  it('refuses what it cannot do, saying why, and changes nothing', async () => {
    await service('remote', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'http://127.0.0.1:1/jwks.json',
    });
    await adminHttp(engine, 'clients.create', {
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1:5173/cb'],
    });
    await service('pinned', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [await publicJwk('PS256', 'pinned-1')] },
      token_endpoint_auth_signing_alg: 'PS256',
    });
    const full = await Promise.all(Array.from({ length: 20 }, (_, i) => publicJwk('ES256', `k${i}`)));
    await service('full', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: full } });

    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [{ client_id: 'remote' }, 409, 'conflict', /jwks_uri/],
      [{ client_id: 'spa', switch_auth_method: true }, 409, 'conflict', /public/],
      [{ client_id: 'pinned', alg: 'ES256' }, 400, 'invalid_input', /only PS256/],
      [{ client_id: 'full' }, 409, 'conflict', /20 keys/],
      [{ client_id: 'nobody' }, 404, 'not_found', /nobody/],
      [{ client_id: 'remote', alg: 'HS256' }, 400, 'invalid_input', /alg/],
      [{ client_id: 'remote', private_key: 'x' }, 400, 'invalid_input', /private_key/],
    ];
    const before = await adminHttp<Client[]>(engine, 'clients.list');
    const eventsBefore = await adminHttp<EngineEvent[]>(engine, 'events.list', { type: 'client.updated' });
    for (const [input, status, code, message] of cases) {
      const error = await refusal(input);
      expect(error.status, JSON.stringify(input)).toBe(status);
      expect(error.body.code).toBe(code);
      expect(error.body.message).toMatch(message);
    }
    expect(await adminHttp<Client[]>(engine, 'clients.list')).toEqual(before);
    expect(await adminHttp<EngineEvent[]>(engine, 'events.list', { type: 'client.updated' })).toEqual(
      eventsBefore,
    );

    // With the pinned algorithm (the default for that client) it succeeds.
    expect((await generate({ client_id: 'pinned' })).public_jwk).toMatchObject({ alg: 'PS256', kty: 'RSA' });
  });
});
