import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_UI, startTestEngine } from '../helpers/engine';

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ uiDir: BUILT_UI });
});
afterAll(async () => {
  await engine.cleanup();
});

describe('engine over real HTTP', () => {
  it('binds 127.0.0.1 and answers discovery with its issuer', async () => {
    expect(engine.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${engine.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(engine.issuer);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a request whose Host is not the issuer host (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${engine.issuer}/.well-known/openid-configuration`,
        { headers: { host: `attacker.example:${engine.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  describe('admin API', () => {
    const call = (method: string, init: RequestInit = {}) =>
      fetch(`${engine.issuer}/admin/api/${method}`, { method: 'POST', ...init });

    it('answers with the bearer admin token', async () => {
      const response = await call('engine.info', {
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ issuer: engine.issuer, version: expect.any(String) });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses a missing or wrong token with 401', async () => {
      expect((await call('engine.info')).status).toBe(401);
      const wrong = await call('engine.info', { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: 'unauthorized' });
    });

    it('refuses an unknown method and an invalid payload with readable errors', async () => {
      const headers = { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' };
      const unknown = await call('users.explode', { headers, body: '{}' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 'unknown_method' });
      const invalid = await call('engine.info', { headers, body: '{"x":1}' });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ code: 'invalid_input' });
      const malformed = await call('engine.info', { headers, body: '{nope' });
      expect(malformed.status).toBe(400);
    });

    it('streams lifecycle events live over server-sent events', async () => {
      const controller = new AbortController();
      const stream = await fetch(`${engine.issuer}/admin/api/events.stream`, {
        headers: { authorization: `Bearer ${engine.adminToken}` },
        signal: controller.signal,
      });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      const reader = (stream.body as ReadableStream<Uint8Array>)
        .pipeThrough(new TextDecoderStream())
        .getReader();
      await engine.call('users.create', { username: 'streamed-user' });
      let received = '';
      while (!received.includes('streamed-user')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value;
      }
      controller.abort();
      const frame = received.split('\n\n').find((f) => f.includes('streamed-user')) as string;
      const event = JSON.parse(frame.slice(frame.indexOf('data: ') + 6));
      expect(event).toMatchObject({
        type: 'user.created',
        username: 'streamed-user',
        id: expect.any(Number),
      });
    });

    it('refuses a form post (no CSRF via HTML forms)', async () => {
      const response = await call('engine.info', {
        headers: {
          authorization: `Bearer ${engine.adminToken}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'a=1',
      });
      expect(response.status).toBe(415);
    });
  });

  describe('browser-mode UI sign-in', () => {
    it('serves nothing under /ui/ without the session cookie', async () => {
      const response = await fetch(`${engine.issuer}/ui/`, { redirect: 'manual' });
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('Open the full URL the engine printed');
    });

    it('exchanges the URL token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
      expect(engine.uiUrl).toMatch(/\/ui\/\?token=/);
      const exchange = await fetch(engine.uiUrl as string, { redirect: 'manual' });
      expect(exchange.status).toBe(303);
      expect(exchange.headers.get('location')).toBe('/ui/');
      const cookie = exchange.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const session = cookie.split(';')[0] as string;
      expect(session).not.toContain(engine.adminToken);

      const page = await fetch(`${engine.issuer}/ui/`, { headers: { cookie: session } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await page.text()).toContain('<div id="root">');

      const withoutHeader = await fetch(`${engine.issuer}/admin/api/engine.info`, {
        method: 'POST',
        headers: { cookie: session, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(withoutHeader.status).toBe(401);
      const withHeader = await fetch(`${engine.issuer}/admin/api/engine.info`, {
        method: 'POST',
        headers: { cookie: session, 'content-type': 'application/json', 'x-idp-sandbox-ui': '1' },
        body: '{}',
      });
      expect(withHeader.status).toBe(200);
    });

    it('refuses a wrong URL token', async () => {
      const response = await fetch(`${engine.issuer}/ui/?token=wrong`, { redirect: 'manual' });
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
    });
  });
});
