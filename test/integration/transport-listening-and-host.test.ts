import net from 'node:net';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST } from '../../main/core/engine';
import { TRANSPORT_SEED } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { basic, REDIRECT, REGISTERED_ORIGIN, rawRequest } from '../helpers/oauth-http';

/** Transport-level hardening: where the engine listens and the Host check (DNS rebinding). */

// No host option: whatever the engine binds by default is what is tested here.
startFileEngine(TRANSPORT_SEED);

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

  it('compares the Host case-insensitively on the routes, and names it lower-cased when refusing', async () => {
    const introspect = (host: string) =>
      rawRequest(engine.issuer, {
        method: 'POST',
        path: '/introspect',
        headers: { ...form, authorization: basic('api', 'api-secret'), host },
        body: 'token=x',
      });
    for (const host of [`LocalHost:${engine.port}`, `127.0.0.1:${engine.port}`]) {
      const response = await introspect(host);
      expect({ host, status: response.status, body: JSON.parse(response.text) }).toEqual({
        host,
        status: 200,
        body: { active: false },
      });
    }
    const refused = await introspect(`Evil.Example:${engine.port}`);
    expect(refused.status).toBe(421);
    const description: string = JSON.parse(refused.text).error_description;
    expect(description).toContain(`evil.example:${engine.port}`);
    expect(description).not.toContain('Evil');
  });
});
