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
      // Events come in batches: each message's data is a JSON array of events.
      const frame = received.split('\n\n').find((f) => f.includes('streamed-user')) as string;
      const batch = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as Array<{ username: string }>;
      const event = batch.find((e) => e.username === 'streamed-user');
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
    const uiToken = () => new URL(engine.uiUrl as string).searchParams.get('token') as string;
    const adminCall = (headers: Record<string, string>) =>
      fetch(`${engine.issuer}/admin/api/engine.info`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });

    it('serves the UI files to anyone, with no cookie and no-store (they hold no data)', async () => {
      expect(engine.uiUrl).toMatch(/\/ui\/\?token=/);
      for (const url of [`${engine.issuer}/ui/`, engine.uiUrl as string]) {
        const page = await fetch(url, { redirect: 'manual' });
        expect(page.status).toBe(200);
        expect(page.headers.get('set-cookie')).toBeNull();
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
        expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        const html = await page.text();
        expect(html).toContain('<div id="root">');
        expect(html).not.toContain(uiToken());
        expect(html).not.toContain(engine.adminToken);
      }
      const script = /src="([^"]+\.js)"/.exec(
        await (await fetch(`${engine.issuer}/ui/`)).text(),
      )?.[1] as string;
      const asset = await fetch(new URL(script, `${engine.issuer}/ui/`));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('no-store');
    });

    it('keeps the token of /ui?token=… on its way to /ui/', async () => {
      const response = await fetch(`${engine.issuer}/ui?token=${uiToken()}`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/ui/?token=${uiToken()}`);
    });

    it('answers admin calls with the UI token as a bearer header, and with nothing else the UI had', async () => {
      expect(uiToken()).not.toBe(engine.adminToken);
      expect((await adminCall({ authorization: `Bearer ${uiToken()}` })).status).toBe(200);
      // What the browser UI used before: a cookie plus a marker header. Neither is a credential now.
      const replays: Record<string, string>[] = [
        { cookie: `idp_sandbox_ui=${uiToken()}`, 'x-idp-sandbox-ui': '1' },
        { cookie: `idp_sandbox_ui=${uiToken()}; idp_sandbox_session=${uiToken()}` },
        { 'x-idp-sandbox-ui': '1' },
        { authorization: uiToken() },
        { authorization: `Basic ${Buffer.from(`ui:${uiToken()}`).toString('base64')}` },
      ];
      for (const headers of replays) {
        const response = await adminCall(headers);
        expect({ headers, status: response.status }).toEqual({ headers, status: 401 });
      }
    });

    it('refuses a wrong URL token with a page that says so', async () => {
      const response = await fetch(`${engine.issuer}/ui/?token=wrong`, { redirect: 'manual' });
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).toContain('Link expired');
    });
  });
});
