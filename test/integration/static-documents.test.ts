import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine } from '../helpers/engine';

// The root issuer's discovery documents and JWK set are answered by the server's dispatch, before
// Fastify (main/core/http/static-documents.ts). While any fault is active they go through the app's
// routes instead, which answers exactly as before: comparing the two answers shows they are the same.

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a fresh connection, with the raw header names and values the server sent. */
function get(path: string, options: { method?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${engine.issuer}${path}`,
      {
        method: options.method ?? 'GET',
        headers: options.host ? { host: options.host } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const { date: _date, ...headers } = res.headers;
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The same request answered by the app's routes: a fault on another endpoint turns the dispatch's answer off. */
async function throughTheApp<T>(run: () => Promise<T>): Promise<T> {
  await engine.call('faults.add', { endpoint: 'userinfo', effect: { kind: 'latency', ms: 1 }, seconds: 60 });
  try {
    return await run();
  } finally {
    await engine.call('faults.clear', {});
  }
}

const DISCOVERY = '/.well-known/openid-configuration';

describe('discovery and JWKS answered by the dispatch', () => {
  it('answers the discovery document with the same status, headers and bytes as its route', async () => {
    const direct = await get(DISCOVERY);
    const routed = await throughTheApp(() => get(DISCOVERY));
    expect(direct.status).toBe(200);
    expect(direct).toEqual(routed);
    expect(direct.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
      'content-length': String(Buffer.byteLength(direct.body)),
    });
    expect(JSON.parse(direct.body).issuer).toBe(engine.issuer);
  });

  it('answers the JWK set with the same status, headers and bytes as its route', async () => {
    const direct = await get('/jwks');
    const routed = await throughTheApp(() => get('/jwks'));
    expect(direct).toEqual(routed);
    expect(direct.headers).toMatchObject({
      'content-type': 'application/jwk-set+json; charset=utf-8',
      'cache-control': 'no-cache',
    });
    expect(JSON.parse(direct.body).keys).toHaveLength(1);
  });

  it('ignores a query string, as the route does', async () => {
    const plain = await get(DISCOVERY);
    expect(await get(`${DISCOVERY}?from=test`)).toEqual(plain);
  });

  it('leaves HEAD, another Host and a path with a trailing slash to the app', async () => {
    const head = await get('/jwks', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8');
    expect((await get(DISCOVERY, { host: `attacker.example:${engine.port}` })).status).toBe(421);
    expect((await get(`${DISCOVERY}/`)).status).toBe(404);
  });

  it('serves what changed after a key rotation and a new client scope', async () => {
    const before = JSON.parse((await get('/jwks')).body).keys as { kid: string }[];
    await engine.call('keys.rotate', {});
    const after = JSON.parse((await get('/jwks')).body).keys as { kid: string }[];
    expect(after).toHaveLength(before.length + 1);
    await engine.call('clients.create', {
      client_id: 'static-docs-client',
      client_secret: 'static-docs-secret',
      grant_types: ['client_credentials'],
      scope: 'static-docs:read',
    });
    const discovery = JSON.parse((await get(DISCOVERY)).body) as { scopes_supported: string[] };
    expect(discovery.scopes_supported).toContain('static-docs:read');
  });

  it('answers a content fault of the lab through the route', async () => {
    await engine.call('faults.add', {
      endpoint: 'discovery',
      effect: { kind: 'discovery_wrong_issuer', issuer: 'https://elsewhere.test' },
      requests: 1,
    });
    expect(JSON.parse((await get(DISCOVERY)).body).issuer).toBe('https://elsewhere.test');
    expect(JSON.parse((await get(DISCOVERY)).body).issuer).toBe(engine.issuer);
  });
});
