import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../main/core/http/server';
import type { Client, User } from '../../shared/schemas';
import { MAX_INPUT_DEPTH } from '../../shared/validation';
import { FormBrowser, withoutProviderScript } from '../helpers/browser-session';
import { BUILT_CLI, startTestEngine, tempDir } from '../helpers/engine';
import {
  deeplyNested,
  HOSTILE,
  HOSTILE_KEYS,
  hostileClaims,
  hostileDocuments,
  hostileUsername,
  INJECTED_MARKUP,
} from '../helpers/hostile';
import {
  basic,
  jwtPayload,
  pkcePair,
  postForm,
  REDIRECT,
  rawRequest,
  tokenRequest,
} from '../helpers/oauth-http';
import { spawnProcess } from '../helpers/process';
import { adminHttp } from '../helpers/script-http';

/**
 * Hostile strings (SQL, HTML/script, control characters, bidi and emoji, 100 kB values, deep nesting)
 * in user names, claims and client metadata: stored and returned byte-identical through the admin
 * HTTP API, inside tokens (ID token, JWT access token, userinfo, introspection) and after a restart;
 * escaped on the login page. What cannot be stored faithfully is refused with a 4xx, never a 5xx.
 */

type Started = Awaited<ReturnType<typeof startTestEngine>>;

const dataDir = tempDir('idp-sandbox-hostile-');
let engine: Started;
const BIG = `${HOSTILE.script}${'x'.repeat(100_000)}${HOSTILE.control}`;
const DEEP = deeplyNested(100);

/** The client whose every free-text field is hostile (client_id is printable ASCII by rule). */
const HOSTILE_CLIENT = {
  client_id: `'; DROP TABLE clients; --<script>alert(1)</script>"`,
  client_name: `${HOSTILE.img}${HOSTILE.control}`.slice(0, 200),
  client_secret: `${HOSTILE.sql}${HOSTILE.emoji}${HOSTILE.control}`,
  redirect_uris: [`${REDIRECT}?x=${encodeURIComponent(HOSTILE.script)}`],
  grant_types: ['authorization_code', 'refresh_token', 'password'],
  scope: 'openid profile email offline_access',
  audience: [HOSTILE.script, HOSTILE.sql, HOSTILE.bidi, HOSTILE.emoji],
};

const created: { users: User[]; clients: Client[] } = { users: [], clients: [] };

function call<T = unknown>(method: string, input: unknown = {}): Promise<T> {
  return adminHttp<T>(engine, method, input);
}

beforeAll(async () => {
  engine = await startTestEngine({ dataDir });
  for (const key of HOSTILE_KEYS) {
    created.users.push(
      await call<User>('users.create', {
        username: hostileUsername(key),
        // Half of them sign in by name alone (one-click buttons on the login page).
        ...(key.length % 2 ? { password: HOSTILE[key] } : {}),
        claims: { ...hostileClaims(), name: HOSTILE[key] },
      }),
    );
  }
  created.users.push(
    await call<User>('users.create', { username: 'big', password: 'big-pw', claims: { big: BIG } }),
  );
  created.users.push(
    await call<User>('users.create', { username: 'deep', password: 'deep-pw', claims: { deep: DEEP } }),
  );
  created.clients.push(await call<Client>('clients.create', HOSTILE_CLIENT));
}, 30_000);

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const client = () => ({ authorization: basic(HOSTILE_CLIENT.client_id, HOSTILE_CLIENT.client_secret) });

describe('admin API', () => {
  it('returns every user and client exactly as sent, on create, get and list', async () => {
    for (const key of HOSTILE_KEYS) {
      const user = await call<User>('users.get', { username: hostileUsername(key) });
      expect(user.username).toBe(hostileUsername(key));
      expect(user.password).toBe(key.length % 2 ? HOSTILE[key] : null);
      expect(user.claims).toEqual({ ...hostileClaims(), name: HOSTILE[key] });
    }
    expect((await call<User>('users.get', { username: 'big' })).claims.big).toBe(BIG);
    expect((await call<User>('users.get', { username: 'deep' })).claims.deep).toEqual(DEEP);
    expect(await call<User[]>('users.list', {})).toEqual(
      [...created.users].sort((a, b) => (a.username < b.username ? -1 : 1)),
    );

    const stored = await call<Client>('clients.get', { client_id: HOSTILE_CLIENT.client_id });
    expect(stored).toMatchObject(HOSTILE_CLIENT);
    expect(stored).toEqual(created.clients[0]);
  });

  it('finds users by a hostile search string, treating SQL and LIKE wildcards as text', async () => {
    const bySql = await call<User[]>('users.list', { search: HOSTILE.sql });
    expect(bySql.map((u) => u.username)).toContain(hostileUsername('sql'));
    const wildcard = await call<User[]>('users.list', { search: '%_%' });
    expect(wildcard).toEqual([]);
  });

  it(`nests 100 levels deep; deeper than ${MAX_INPUT_DEPTH} is refused with 400, never a 500`, async () => {
    const levels = (n: number) => `{"username":"deep-${n}","claims":{"d":${'['.repeat(n)}${']'.repeat(n)}}}`;
    const send = (body: string) =>
      rawRequest(engine.issuer, {
        method: 'POST',
        path: '/admin/api/users.create',
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body,
      });
    expect((await send(levels(MAX_INPUT_DEPTH - 2))).status).toBe(200);
    // The body limit (256 kB) lets through far deeper input than any validator can recurse into.
    for (const n of [MAX_INPUT_DEPTH, 5_000, 100_000, Math.floor(BODY_LIMIT_BYTES / 2) - 100]) {
      const answer = await send(levels(n));
      expect(answer.status, `${n} levels`).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'invalid_input' });
      expect(JSON.parse(answer.text).message).toContain(`deeper than ${MAX_INPUT_DEPTH} levels`);
    }
    expect((await send(levels(BODY_LIMIT_BYTES))).status).toBe(413);
    await expect(call('users.get', { username: 'deep-5000' })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses what it could not store faithfully: lone surrogates, __proto__ keys; stores nothing', async () => {
    const before = await call<User[]>('users.list', {});
    for (const input of [
      { username: 'lone-\uD800-surrogate' },
      { username: 'ok', claims: { note: 'half a pair \uDC00' } },
      { username: 'ok', claims: { 'key-\uD83D': 1 } },
      { username: 'ok', password: '\uDFFF' },
    ]) {
      await expect(call('users.create', input)).rejects.toMatchObject({
        status: 400,
        body: { code: 'invalid_input' },
      });
    }
    const answer = await rawRequest(engine.issuer, {
      method: 'POST',
      path: '/admin/api/users.create',
      headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
      body: '{"username":"proto","claims":{"__proto__":{"polluted":true}}}',
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).message).toBe(
      'Invalid input for users.create: claims.__proto__: "__proto__" cannot be used as a name',
    );
    // The in-process path (the desktop app's IPC, seed files) has no JSON parser to refuse it first.
    await expect(
      engine.call(
        'users.create',
        JSON.parse('{"username":"proto","claims":{"__proto__":{"polluted":true}}}'),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await call<User[]>('users.list', {})).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores "constructor" and "prototype" claim names exactly, polluting nothing', async () => {
    const claims = { constructor: { prototype: { polluted: true } }, prototype: 'p', toString: 1 };
    const answer = await rawRequest(engine.issuer, {
      method: 'POST',
      path: '/admin/api/users.create',
      headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'constructor-claims', claims }),
    });
    expect(answer.status, answer.text).toBe(200);
    expect((await call<User>('users.get', { username: 'constructor-claims' })).claims).toEqual(claims);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    await call('users.delete', { username: 'constructor-claims' });
  });
});

describe('seed files and workspace.import refuse what they cannot keep exactly', () => {
  const documents = hostileDocuments();
  const seedDir = tempDir('idp-sandbox-hostile-seed-');
  afterAll(() => fs.rmSync(seedDir, { recursive: true, force: true }));

  it('each one: the CLI exits 2 naming the file and where, with no stack trace, and does not start', async () => {
    // All at once: each is a process start, most of the time spent loading.
    const runs = documents.map((document) => {
      const file = path.join(seedDir, `${document.name.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(file, document.bytes);
      const args = [BUILT_CLI, 'serve', '--port', '0', '--in-memory', '--seed', file];
      return { document, file, proc: spawnProcess(process.execPath, args) };
    });
    for (const { document, file, proc } of runs) {
      const { code } = await proc.exited;
      const output = proc.output();
      expect(code, `${document.name}: ${output}`).toBe(2);
      expect(output, document.name).toContain(`seed file ${file}`);
      expect(output, document.name).toContain(document.where);
      expect(output, document.name).toContain(document.expected);
      expect(output, document.name).not.toMatch(/RangeError|\n\s+at /);
      expect(output, document.name).not.toContain('is ready');
    }
  }, 60_000);

  it.each(documents.map((d) => [d.name, d] as const))(
    '%s: workspace.import over HTTP answers 400 naming where, and nothing stored changes',
    async (_name, document) => {
      const before = await call('workspace.export', { include_keys: true });
      const answer = await rawRequest(engine.issuer, {
        method: 'POST',
        path: '/admin/api/workspace.import',
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body: document.bytes,
      });
      expect(answer.status, answer.text).toBe(400);
      const { code, message } = JSON.parse(answer.text);
      expect(code).toBe('invalid_input');
      expect(message).toContain(document.where);
      expect(message).toContain(document.expected);
      expect(await call('workspace.export', { include_keys: true })).toEqual(before);
    },
  );

  it('the in-process transport (IPC) refuses the same documents with the same messages', async () => {
    const before = await call('workspace.export', { include_keys: true });
    for (const document of documents.filter((d) => d.name !== 'bytes that are not UTF-8')) {
      await expect(
        engine.call('workspace.import', JSON.parse(document.bytes.toString('utf8'))),
        document.name,
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining(`${document.where}`),
      });
    }
    expect(await call('workspace.export', { include_keys: true })).toEqual(before);
  });
});

describe('inside tokens', () => {
  it('puts hostile claims and audiences into the ID token, the access token, userinfo and introspection unchanged', async () => {
    for (const key of HOSTILE_KEYS.filter((k) => k.length % 2)) {
      const answer = await tokenRequest(
        engine.issuer,
        {
          grant_type: 'password',
          username: hostileUsername(key),
          password: HOSTILE[key],
          scope: 'openid profile',
        },
        client(),
      );
      expect(answer.status, answer.text).toBe(200);
      const expected = { ...hostileClaims(), name: HOSTILE[key] };
      const id = jwtPayload(answer.json.id_token);
      const access = jwtPayload(answer.json.access_token);
      // `name` is a standard (profile) claim: ID token and userinfo; access tokens carry custom claims.
      const { name: _standard, ...custom } = expected;
      for (const [name, value] of Object.entries(expected))
        expect(id[name], `ID token ${name}`).toEqual(value);
      for (const [name, value] of Object.entries(custom)) {
        expect(access[name], `access token ${name}`).toEqual(value);
      }
      expect(access.aud).toEqual(HOSTILE_CLIENT.audience);
      expect(id.aud).toBe(HOSTILE_CLIENT.client_id);

      const userinfo = await postForm(engine.issuer, '/userinfo', { access_token: answer.json.access_token });
      expect(userinfo.status).toBe(200);
      expect(userinfo.json).toMatchObject(expected);

      const introspection = await postForm(
        engine.issuer,
        '/introspect',
        { token: answer.json.access_token },
        client(),
      );
      expect(introspection.json).toMatchObject({ ...custom, active: true, username: hostileUsername(key) });
    }
  });

  it('carries a 100 kB claim and 100 levels of nesting through a token (userinfo by form body)', async () => {
    for (const [username, name, value] of [
      ['big', 'big', BIG],
      ['deep', 'deep', DEEP],
    ] as const) {
      const answer = await tokenRequest(
        engine.issuer,
        { grant_type: 'password', username, password: `${username}-pw`, scope: 'openid' },
        client(),
      );
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      expect(jwtPayload(answer.json.id_token)[name]).toEqual(value);
      expect(jwtPayload(answer.json.access_token)[name]).toEqual(value);
      // A 130 kB token does not fit in a header (16 kB); RFC 6750 §2.2 allows the form body.
      const userinfo = await postForm(engine.issuer, '/userinfo', { access_token: answer.json.access_token });
      expect(userinfo.status).toBe(200);
      expect(userinfo.json[name]).toEqual(value);
    }
  });
});

describe('the login page', () => {
  it('shows hostile user names, claims and client names as escaped text', async () => {
    const { challenge } = pkcePair();
    const browser = new FormBrowser();
    const page = await browser.get(
      `${engine.issuer}/authorize?${new URLSearchParams({
        client_id: HOSTILE_CLIENT.client_id,
        redirect_uri: HOSTILE_CLIENT.redirect_uris[0] as string,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        login_hint: HOSTILE.attribute,
      })}`,
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const markup of [...INJECTED_MARKUP, HOSTILE.attribute]) expect(html).not.toContain(markup);
    expect(withoutProviderScript(html)).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&#39;; DROP TABLE users; --');
    // Each passwordless user has its one-click button, named exactly (the browser decodes the entities).
    for (const key of HOSTILE_KEYS.filter((k) => !(k.length % 2))) {
      const decoded = [...html.matchAll(/name="username" value="([^"]*)"/g)].map((m) =>
        decodeEntities(m[1] as string),
      );
      expect(decoded).toContain(hostileUsername(key));
    }
  });
});

/** What a browser makes of an attribute value escaped the way the pages escape. */
function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('after a restart', () => {
  it('returns the same users, clients and token claims byte for byte', async () => {
    const token = await tokenRequest(
      engine.issuer,
      { grant_type: 'password', username: 'big', password: 'big-pw', scope: 'openid' },
      client(),
    );
    const users = await call<User[]>('users.list', {});
    const clients = await call<Client[]>('clients.list', {});
    const port = engine.port;
    await engine.close();
    engine = await startTestEngine({ dataDir, port });

    expect(await call<User[]>('users.list', {})).toEqual(users);
    expect(await call<Client[]>('clients.list', {})).toEqual(clients);
    for (const key of HOSTILE_KEYS) {
      expect((await call<User>('users.get', { username: hostileUsername(key) })).claims).toEqual({
        ...hostileClaims(),
        name: HOSTILE[key],
      });
    }
    const introspection = await postForm(
      engine.issuer,
      '/introspect',
      { token: token.json.access_token },
      client(),
    );
    expect(introspection.json).toMatchObject({ active: true, big: BIG });
  });
});
