import { describe, expect, it } from 'vitest';
import { TRANSPORT_SEED } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { basic, REDIRECT, REGISTERED_ORIGIN } from '../helpers/oauth-http';

/** Transport-level hardening: which origins may read which endpoints (CORS). */

startFileEngine(TRANSPORT_SEED);

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
      // SPA libraries (keycloak-js) send these with credentials: 'include'; no cookie is read here.
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
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
        expect({
          path,
          origin,
          acao: refused.headers.get('access-control-allow-origin'),
          credentials: refused.headers.get('access-control-allow-credentials'),
        }).toEqual({ path, origin, acao: null, credentials: null });
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
