import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST } from '../../main/core/engine';
import { HEADER_LIMIT_BYTES } from '../../main/core/http/server';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { basic, REDIRECT, REGISTERED_ORIGIN, rawRequest } from '../helpers/hardening-http';

/** Transport-level hardening: where the engine listens, the Host check (DNS rebinding) and CORS. */

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw' }],
  clients: [
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      // A gateway: it introspects the tokens of every client here.
      introspect_any_token: true,
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  // No host option: whatever the engine binds by default is what is tested here.
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('listening address', () => {
  it('binds 127.0.0.1 by default, unreachable on every other address of the machine', async () => {
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(engine.issuer).toBe(`http://127.0.0.1:${engine.port}`);
    expect(await connects('127.0.0.1', engine.port)).toBe(true);

    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80'))
      .map((a) => a?.address as string);
    // ::1 (a dual-stack or IPv6 bind would answer there) and, on Linux where all of 127/8 is
    // loopback, 127.0.0.2 (a 0.0.0.0 bind would answer there).
    others.push('::1');
    if (process.platform === 'linux') others.push('127.0.0.2');
    for (const address of others) {
      expect({ address, connects: await connects(address, engine.port) }).toEqual({
        address,
        connects: false,
      });
    }
  });
});

describe('Host header check (DNS rebinding)', () => {
  const admin = () => ({ authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const endpoints = (): {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }[] => [
    { method: 'GET', path: '/.well-known/openid-configuration' },
    { method: 'GET', path: '/.well-known/oauth-authorization-server' },
    { method: 'GET', path: '/jwks' },
    {
      method: 'GET',
      path: `/authorize?client_id=spa&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code`,
    },
    { method: 'POST', path: '/authorize', headers: form, body: 'client_id=spa' },
    { method: 'POST', path: '/login', headers: form, body: 'interaction=x&username=alice' },
    {
      method: 'POST',
      path: '/token',
      headers: { ...form, authorization: basic('api', 'api-secret') },
      body: 'grant_type=client_credentials',
    },
    { method: 'GET', path: '/userinfo', headers: { authorization: 'Bearer x' } },
    {
      method: 'POST',
      path: '/introspect',
      headers: { ...form, authorization: basic('api', 'api-secret') },
      body: 'token=x',
    },
    {
      method: 'POST',
      path: '/revoke',
      headers: { ...form, authorization: basic('api', 'api-secret') },
      body: 'token=x',
    },
    { method: 'GET', path: '/logout' },
    { method: 'POST', path: '/admin/api/engine.info', headers: admin(), body: '{}' },
    { method: 'POST', path: '/admin/api/users.list', headers: admin(), body: '{}' },
    { method: 'GET', path: '/admin/api/events.stream', headers: admin() },
    {
      method: 'OPTIONS',
      path: '/token',
      headers: { origin: REGISTERED_ORIGIN, 'access-control-request-method': 'POST' },
    },
    { method: 'GET', path: '/ui/' },
    { method: 'GET', path: '/no-such-path' },
    // Refused by Fastify while routing, before any hook: an undecodable and an over-long admin method.
    { method: 'POST', path: '/admin/api/%zz', headers: admin(), body: '{}' },
    { method: 'POST', path: `/admin/api/${'a'.repeat(150)}`, headers: admin(), body: '{}' },
  ];

  it('refuses a foreign Host with 421 on every endpoint, admin included', async () => {
    for (const host of [
      `evil.example:${engine.port}`,
      'evil.example',
      `127.0.0.1.evil.example:${engine.port}`,
      `localhost.evil.example:${engine.port}`,
      `127.0.0.1:${engine.port + 1}`,
      `127.0.0.1:${engine.port}@evil.example`,
    ]) {
      for (const endpoint of endpoints()) {
        const response = await rawRequest(engine.issuer, {
          ...endpoint,
          headers: { ...endpoint.headers, host },
        });
        expect({ host, path: endpoint.path, status: response.status }).toEqual({
          host,
          path: endpoint.path,
          status: 421,
        });
        expect(JSON.parse(response.text)).toMatchObject({ error: 'invalid_request' });
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      }
    }
    // Nothing was done on the way: no user was listed, no admin call made it through.
    const events = (await engine.call('events.list', {})) as { type: string }[];
    expect(events.some((e) => e.type === 'token.issued')).toBe(false);
  });

  it('answers the loopback names of the issuer', async () => {
    for (const host of [
      `127.0.0.1:${engine.port}`,
      `localhost:${engine.port}`,
      `[::1]:${engine.port}`,
      `LOCALHOST:${engine.port}`,
    ]) {
      const response = await rawRequest(engine.issuer, {
        path: '/.well-known/openid-configuration',
        headers: { host },
      });
      expect({ host, status: response.status }).toEqual({ host, status: 200 });
    }
  });
});

describe('requests Fastify refuses before routing', () => {
  function rawSocket(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(engine.port, '127.0.0.1', () => socket.end(bytes));
      let out = '';
      socket.on('data', (chunk) => {
        out += chunk.toString();
      });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
  }

  function parse(raw: string) {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
  }

  it('answers malformed HTTP with an OAuth-shaped 400 (431 for oversized headers) and keeps serving', async () => {
    for (const [bytes, status] of [
      ['GARBAGE\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nContent-Length: x\r\n\r\n`, 400],
      [
        `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        400,
      ],
      [
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nX-Big: ${'a'.repeat(HEADER_LIMIT_BYTES + 1)}\r\n\r\n`,
        431,
      ],
    ] as const) {
      const response = parse(await rawSocket(bytes));
      expect({ sent: bytes.slice(0, 30), status: response.status }).toEqual({
        sent: bytes.slice(0, 30),
        status,
      });
      expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    const alive = await rawRequest(engine.issuer, { path: '/.well-known/openid-configuration' });
    expect(alive.status).toBe(200);
  });

  it('answers an undecodable or over-long admin method as unknown, with the usual headers', async () => {
    for (const path of ['/admin/api/%zz', `/admin/api/${'a'.repeat(150)}`]) {
      const response = await rawRequest(engine.issuer, {
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text)).toEqual({ code: 'unknown_method', message: expect.any(String) });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });
});

describe('CORS', () => {
  function preflight(path: string, origin: string, method = 'POST') {
    return fetch(`${engine.issuer}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type',
      },
    });
  }

  it('lets any origin read discovery and JWKS, without credentials', async () => {
    for (const path of [
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/jwks',
    ]) {
      const response = await fetch(`${engine.issuer}${path}`, {
        headers: { origin: 'https://anyone.example' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      const pre = await preflight(path, 'https://anyone.example', 'GET');
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('allows token, userinfo and revocation from the origin of a registered redirect URI only', async () => {
    for (const path of ['/token', '/userinfo', '/revoke']) {
      const allowed = await preflight(path, REGISTERED_ORIGIN, path === '/userinfo' ? 'GET' : 'POST');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(REGISTERED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
      expect(allowed.headers.get('vary')).toMatch(/origin/i);

      for (const origin of [
        'https://evil.example',
        'http://127.0.0.1:5174',
        'http://localhost:5173',
        'https://127.0.0.1:5173',
        'null',
        `${REGISTERED_ORIGIN}.evil.example`,
      ]) {
        const refused = await preflight(path, origin);
        expect(refused.status).toBeLessThan(500);
        expect({ path, origin, acao: refused.headers.get('access-control-allow-origin') }).toEqual({
          path,
          origin,
          acao: null,
        });
      }
    }
    // The actual requests carry the header for the registered origin and not for another.
    const fromApp = await fetch(`${engine.issuer}/token`, {
      method: 'POST',
      headers: { origin: REGISTERED_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(REGISTERED_ORIGIN);
    const fromEvil = await fetch(`${engine.issuer}/userinfo`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(fromEvil.status).toBe(401);
    expect(fromEvil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never sends CORS headers from authorize, login, logout, introspection or admin, whatever the origin', async () => {
    const requests: [string, RequestInit][] = [
      [`/authorize?client_id=spa&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code`, {}],
      [
        '/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'interaction=x',
        },
      ],
      ['/logout', {}],
      [
        '/introspect',
        {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic('api', 'api-secret'),
          },
          body: 'token=x',
        },
      ],
      [
        '/admin/api/engine.info',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${engine.adminToken}` },
          body: '{}',
        },
      ],
    ];
    for (const origin of [REGISTERED_ORIGIN, 'https://evil.example', engine.issuer]) {
      for (const [path, init] of requests) {
        const response = await fetch(`${engine.issuer}${path}`, {
          redirect: 'manual',
          ...init,
          headers: { ...(init.headers as Record<string, string>), origin },
        });
        expect(response.status).toBeLessThan(500);
        expect({ path, origin, acao: response.headers.get('access-control-allow-origin') }).toEqual({
          path,
          origin,
          acao: null,
        });
        const pre = await preflight(path.split('?')[0] as string, origin);
        expect(pre.status).toBeLessThan(500);
        expect(pre.headers.get('access-control-allow-origin')).toBeNull();
        expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      }
    }
    // The admin call answered (so the missing header is the policy, not a failure).
    const info = await fetch(`${engine.issuer}/admin/api/engine.info`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${engine.adminToken}`,
        origin: REGISTERED_ORIGIN,
      },
      body: '{}',
    });
    expect(info.status).toBe(200);
  });
});
