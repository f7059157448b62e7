import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminMethods } from '../../shared/contract';
import { adminErrorCodes } from '../../shared/errors';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { basic, type RawResponse, REDIRECT, rawRequest } from '../helpers/oauth-http';

/**
 * Bad input never yields a 5xx: random parameters, encodings, content types and credentials thrown
 * at the OAuth endpoints and the admin API of a real engine. Bounded to a few hundred requests so it
 * runs in seconds; a failure prints the fast-check seed and the shrunk request to replay it.
 */

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw' },
    { username: 'bob', claims: { name: 'Bob' } },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: ['http://127.0.0.1:5173/bye'],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'worker',
      client_secret: 'worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
      access_token_format: 'reference',
    },
  ],
};

/** Runs per property; FUZZ_RUNS=5000 npx vitest run … bad-input-fuzz searches deeper by hand. */
const RUNS = Number(process.env.FUZZ_RUNS) || 0;

let engine: Awaited<ReturnType<typeof startTestEngine>>;

/** Real tokens, substituted for the `<access>`, `<refresh>`, `<id>` placeholders in generated values. */
const live: Record<string, string> = {};

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
  const response = await rawRequest(engine.issuer, {
    method: 'POST',
    path: '/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic('web', 'web-secret'),
    },
    body: 'grant_type=password&username=alice&password=alice-pw&scope=openid%20offline_access',
  });
  const tokens = JSON.parse(response.text);
  live['<access>'] = tokens.access_token;
  live['<refresh>'] = tokens.refresh_token;
  live['<id>'] = tokens.id_token;
});

function substitute(text: string): string {
  return text.replace(/<access>|<refresh>|<id>/g, (placeholder) => live[placeholder] ?? placeholder);
}
afterAll(async () => {
  await engine.cleanup();
});

// ---------------------------------------------------------------- generators

/** Characters a header value may carry (node:http refuses control characters before sending). */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const PARAM_NAMES = [
  'grant_type',
  'code',
  'redirect_uri',
  'client_id',
  'client_secret',
  'code_verifier',
  'refresh_token',
  'scope',
  'username',
  'password',
  'resource',
  'token',
  'token_type_hint',
  'access_token',
  'response_type',
  'response_mode',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'code_challenge',
  'code_challenge_method',
  'login_hint',
  'request',
  'request_uri',
  'interaction',
  'id_token_hint',
  'post_logout_redirect_uri',
  '__proto__',
  'constructor',
  'toString',
];

const KNOWN_VALUES = [
  'web',
  'spa',
  'worker',
  'web-secret',
  'worker-secret',
  'alice',
  'alice-pw',
  'bob',
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'code',
  'token',
  'openid',
  'openid profile offline_access',
  'orders:read',
  'S256',
  'plain',
  'none',
  'login',
  'access_token',
  REDIRECT,
  'http://127.0.0.1:9/callback',
  'http://127.0.0.1:5173/bye',
  'https://evil.example/',
  'a'.repeat(43),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'a.b.c',
  '',
  ' ',
  '%',
  '%zz',
  '%E0%A4%A',
  '%FF%FE',
  '%00',
  '%C0%AF',
  '+%2B',
  '\u0000',
  '\uD800',
  '9999999999999999999999',
  '-1',
  'x'.repeat(3000),
  '<access>',
  '<refresh>',
  '<id>',
];

const value = fc.oneof(
  fc.constantFrom(...KNOWN_VALUES),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
);
const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PARAM_NAMES) },
  fc.string({ maxLength: 12 }),
);
const pairs = fc.array(fc.tuple(name, value), { maxLength: 10 });

/** Lone surrogates (which fast-check's "binary" strings contain) as U+FFFD, so they can be URL-encoded. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Percent-encodes only what an HTTP request line cannot carry; stray `%`, `&`, `=`, `+` stay raw. */
function looseEncode(text: string): string {
  return Array.from(wellFormed(text))
    .map((ch) => (/^[\x21-\x7e]$/.test(ch) && ch !== '#' ? ch : encodeURIComponent(ch)))
    .join('');
}

type Encoding = 'form' | 'loose' | 'json' | 'bytes';
function encode(list: [string, string][], encoding: Encoding, bytes: Uint8Array): string | Buffer {
  switch (encoding) {
    case 'form':
      return new URLSearchParams(
        list.map(([k, v]): [string, string] => [wellFormed(k), wellFormed(v)]),
      ).toString();
    case 'loose':
      return list.map(([k, v]) => `${looseEncode(k)}=${looseEncode(v)}`).join('&');
    case 'json':
      return JSON.stringify(Object.fromEntries(list));
    case 'bytes':
      return Buffer.from(bytes);
  }
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'garbage',
  '',
];

const authorization = fc.option(
  fc.oneof(
    fc
      .tuple(
        fc.oneof(fc.constantFrom('web', 'spa', 'worker', ''), headerText),
        fc.oneof(fc.constantFrom('web-secret', 'worker-secret'), headerText),
      )
      .map(([id, secret]) => basic(id, secret)),
    headerText.map((s) => `Basic ${s}`),
    headerText.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    headerText.map((s) => `Bearer ${s}`),
    headerText,
  ),
  { nil: undefined },
);

const OAUTH_PATHS = ['/token', '/authorize', '/introspect', '/revoke', '/userinfo', '/login', '/logout'];

const oauthRequest = fc.record({
  path: fc.constantFrom(...OAUTH_PATHS),
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('POST', 'GET') },
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD'),
  ),
  params: pairs,
  query: pairs,
  encoding: fc.constantFrom<Encoding>('form', 'form', 'loose', 'json', 'bytes'),
  bytes: fc.uint8Array({ maxLength: 200 }),
  contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
  authorization,
  cookie: fc.option(
    headerText.map((s) => `idp_sandbox_session=${s}; idp_sandbox_interaction_x=${s}`),
    { nil: undefined },
  ),
});

/**
 * Valid requests for each endpoint, which the "near-valid" property mutates a little (a value
 * replaced, a parameter dropped, repeated or added), so the fuzzing gets past client authentication
 * and parameter checks into the grant, token and session logic.
 */
interface Template {
  path: string;
  method: 'GET' | 'POST';
  params: [string, string][];
  authorization?: string;
}
const WEB_BASIC = basic('web', 'web-secret');
const TEMPLATES: Template[] = [
  {
    path: '/token',
    method: 'POST',
    params: [
      ['grant_type', 'client_credentials'],
      ['client_id', 'worker'],
      ['client_secret', 'worker-secret'],
      ['scope', 'orders:read'],
    ],
  },
  {
    path: '/token',
    method: 'POST',
    authorization: WEB_BASIC,
    params: [
      ['grant_type', 'password'],
      ['username', 'alice'],
      ['password', 'alice-pw'],
      ['scope', 'openid offline_access'],
      ['resource', 'https://api.example/'],
    ],
  },
  {
    path: '/token',
    method: 'POST',
    authorization: WEB_BASIC,
    params: [
      ['grant_type', 'refresh_token'],
      ['refresh_token', '<refresh>'],
      ['scope', 'openid'],
    ],
  },
  {
    path: '/token',
    method: 'POST',
    authorization: WEB_BASIC,
    params: [
      ['grant_type', 'authorization_code'],
      ['code', 'x'],
      ['redirect_uri', REDIRECT],
      ['code_verifier', 'a'.repeat(43)],
    ],
  },
  {
    path: '/authorize',
    method: 'GET',
    params: [
      ['client_id', 'web'],
      ['redirect_uri', REDIRECT],
      ['response_type', 'code'],
      ['scope', 'openid profile'],
      ['state', 's'],
      ['nonce', 'n'],
      ['code_challenge', 'a'.repeat(43)],
      ['code_challenge_method', 'S256'],
      ['prompt', 'login'],
      ['max_age', '60'],
      ['login_hint', 'alice'],
    ],
  },
  { path: '/introspect', method: 'POST', authorization: WEB_BASIC, params: [['token', '<access>']] },
  {
    path: '/revoke',
    method: 'POST',
    authorization: WEB_BASIC,
    params: [
      ['token', '<access>'],
      ['token_type_hint', 'access_token'],
    ],
  },
  { path: '/userinfo', method: 'GET', authorization: 'Bearer <access>', params: [] },
  { path: '/userinfo', method: 'POST', params: [['access_token', '<access>']] },
  {
    path: '/logout',
    method: 'GET',
    params: [
      ['id_token_hint', '<id>'],
      ['post_logout_redirect_uri', 'http://127.0.0.1:5173/bye'],
      ['state', 's'],
    ],
  },
];

interface Mutation {
  kind: 'set' | 'drop' | 'repeat' | 'add';
  index: number;
  name: string;
  value: string;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'drop', 'repeat', 'add'),
  index: fc.nat(),
  name,
  value,
});
const nearValidRequest = fc.record({
  template: fc.nat({ max: TEMPLATES.length - 1 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  encoding: fc.constantFrom<Encoding>('form', 'form', 'loose'),
  authorization: fc.option(authorization, { freq: 4, nil: null }),
});

function mutate(params: [string, string][], mutations: Mutation[]): [string, string][] {
  const out = params.map(([k, v]) => [k, v] as [string, string]);
  for (const m of mutations) {
    const at = out.length ? m.index % out.length : 0;
    const target = out[at];
    if (m.kind === 'add' || !target) out.push([m.name, m.value]);
    else if (m.kind === 'set') target[1] = m.value;
    else if (m.kind === 'drop') out.splice(at, 1);
    else out.push([target[0], m.value]);
  }
  return out;
}

// ---------------------------------------------------------------- checks

/** Any answer to bad input: not a 5xx, and an error is either the provider's HTML page or OAuth JSON. */
function checkOAuthAnswer(path: string, response: RawResponse, method: string): void {
  const context = `${method} ${path} → ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, context).toBeGreaterThanOrEqual(200);
  expect(response.status, context).toBeLessThan(500);
  const type = String(response.headers['content-type'] ?? '');
  if (response.status === 303) {
    // A redirect only ever goes to a URI registered for the client.
    const location = String(response.headers.location);
    expect(
      location.startsWith(`${REDIRECT}?`) || location.startsWith('http://127.0.0.1:5173/bye'),
      context,
    ).toBe(true);
    return;
  }
  if (method === 'HEAD' || response.text === '') return;
  if (type.startsWith('text/html')) {
    expect(['/authorize', '/login', '/logout'], context).toContain(path);
    expect(response.text, context).toMatch(/^<!doctype html>/i);
    expect(response.headers['content-security-policy'], context).toContain("frame-ancestors 'none'");
    return;
  }
  expect(type, context).toMatch(/^application\/json/);
  const body = JSON.parse(response.text);
  if (response.status >= 400) {
    expect(typeof body.error, context).toBe('string');
    expect(typeof body.error_description, context).toBe('string');
  }
}

function checkAdminAnswer(response: RawResponse, context: string): void {
  expect(response.status, context).toBeLessThan(500);
  expect(String(response.headers['content-type']), context).toMatch(/^application\/json/);
  const body = JSON.parse(response.text);
  if (response.status >= 400) {
    expect(adminErrorCodes, context).toContain(body.code);
    expect(body.code, context).not.toBe('internal');
    expect(typeof body.message, context).toBe('string');
  }
}

describe('bad input never yields a 5xx', () => {
  it('OAuth endpoints: random parameters, encodings, content types and credentials', async () => {
    await fc.assert(
      fc.asyncProperty(oauthRequest, async (req) => {
        const query = req.query.length
          ? `?${encode(req.query, req.encoding === 'loose' ? 'loose' : 'form', req.bytes)}`
          : '';
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const body = hasBody ? encode(req.params, req.encoding, req.bytes) : undefined;
        const headers: Record<string, string> = {};
        if (hasBody && req.contentType !== undefined) headers['content-type'] = req.contentType;
        // Well-framed HTTP (node sends no length for a DELETE body); broken framing has its own test.
        if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
        if (req.authorization !== undefined) headers.authorization = req.authorization;
        if (req.cookie !== undefined) headers.cookie = req.cookie;
        const response = await rawRequest(engine.issuer, {
          method: req.method,
          path: `${req.path}${query}`,
          headers,
          body,
        });
        checkOAuthAnswer(req.path, response, req.method);
      }),
      { numRuns: RUNS || 300 },
    );
  });

  it('OAuth endpoints: valid requests with a few parameters changed, dropped, repeated or added', async () => {
    await fc.assert(
      fc.asyncProperty(nearValidRequest, async (req) => {
        const template = TEMPLATES[req.template] as Template;
        const params = mutate(template.params, req.mutations).map(
          ([k, v]) => [k, substitute(v)] as [string, string],
        );
        const encoded = params.length ? String(encode(params, req.encoding, new Uint8Array())) : '';
        const headers: Record<string, string> = {};
        const auth = req.authorization === null ? template.authorization : req.authorization;
        if (auth !== undefined) headers.authorization = substitute(auth);
        let path = template.path;
        let body: string | undefined;
        if (template.method === 'GET') {
          if (encoded) path += `?${encoded}`;
        } else {
          body = encoded;
          headers['content-type'] = 'application/x-www-form-urlencoded';
          headers['content-length'] = String(Buffer.byteLength(body));
        }
        const response = await rawRequest(engine.issuer, { method: template.method, path, headers, body });
        checkOAuthAnswer(template.path, response, template.method);
      }),
      { numRuns: RUNS || 250 },
    );
  });

  it('admin API (with the admin token): random methods, JSON values, shapes and content types', async () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const field = fc.constantFrom(
      'username',
      'password',
      'sub',
      'claims',
      'client_id',
      'client_secret',
      'redirect_uris',
      'grant_types',
      'token_endpoint_auth_method',
      'scope',
      'audience',
      'access_token_format',
      'access_token_ttl',
      'id',
      'grant_id',
      'kind',
      'state',
      'limit',
      'offset',
      'kid',
      'search',
      'include_keys',
      'signing_alg',
      'authorization_code_ttl',
      'login_hint_skips_login',
      'user',
      '__proto__',
    );
    const shaped = fc.dictionary(field, fc.oneof(json, value), { maxKeys: 5 });
    const workspace = fc.record(
      {
        settings: shaped,
        users: fc.array(shaped, { maxLength: 2 }),
        clients: fc.array(shaped, { maxLength: 2 }),
        keys: fc.array(
          fc.record({
            kid: fc.string(),
            alg: fc.constantFrom('RS256', 'ES256', 'XX'),
            status: fc.constantFrom('current', 'previous'),
            created_at: fc.string(),
            private_jwk: fc.dictionary(fc.string({ maxLength: 3 }), json),
          }),
          { maxLength: 1 },
        ),
      },
      { requiredKeys: [] },
    );
    const adminRequest = fc.record({
      method: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...adminMethods) },
        fc.constantFrom(
          '__proto__',
          'constructor',
          'toString',
          'users',
          '..',
          '%2e%2e',
          '%zz',
          'users.list%00',
          'events.stream',
        ),
        headerText.map(encodeURIComponent),
      ),
      body: fc.oneof(
        { weight: 3, arbitrary: shaped.map((v) => JSON.stringify(v)) },
        workspace.map((v) => JSON.stringify(v)),
        json.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}'),
      ),
      contentType: fc.oneof(
        { weight: 5, arbitrary: fc.constant('application/json') },
        fc.constantFrom(...CONTENT_TYPES),
      ),
    });
    await fc.assert(
      fc.asyncProperty(adminRequest, async (req) => {
        // workspace.reset with {"confirm":true} would be legal; it is fine for it to run here.
        const response = await rawRequest(engine.issuer, {
          method: 'POST',
          path: `/admin/api/${req.method}`,
          headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': req.contentType },
          body: req.body,
        });
        checkAdminAnswer(
          response,
          `${req.method} ${req.body.slice(0, 200)} → ${response.status} ${response.text.slice(0, 300)}`,
        );
      }),
      { numRuns: RUNS || 150 },
    );
    // The engine is still whole afterwards.
    const discovery = await rawRequest(engine.issuer, { path: '/.well-known/openid-configuration' });
    expect(discovery.status).toBe(200);
  });

  it('workspace.import: one thing it cannot keep, anywhere in a valid document, refuses it all by its path', async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,7}$/).map((n) => `c_${n}`);
    const plain = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 12 }).filter((t) => !/\p{Cs}/u.test(t)),
    );
    const claims = fc.dictionary(name, fc.oneof(plain, fc.array(plain, { maxLength: 3 })), { maxKeys: 4 });
    // Where the fault goes, below the user's claims: object names and array positions.
    const route = fc.array(fc.oneof(name, fc.nat({ max: 2 })), { maxLength: 4 });
    const fault = fc.constantFrom(
      {
        json: '{"__proto__":{"admin":true}}',
        below: '.__proto__',
        expected: '"__proto__" cannot be used as a name',
      },
      { json: '9007199254740993', below: '', expected: 'integers must be between' },
      { json: '-18014398509481984', below: '', expected: 'integers must be between' },
      { json: '1e400', below: '', expected: 'numbers must be finite' },
      { json: '"\\udc00 half"', below: '', expected: 'lone surrogate' },
      { json: `${'['.repeat(300)}${']'.repeat(300)}`, below: '', expected: 'nests deeper than 256 levels' },
    );
    const PLACEHOLDER = '"__fault__"';
    const documents = fc.record({
      users: fc.array(fc.record({ claims }), { minLength: 1, maxLength: 3 }),
      at: fc.nat(),
      claim: name,
      route,
      fault,
    });
    const before = await exportAll();
    await fc.assert(
      fc.asyncProperty(documents, async ({ users, at, claim, route, fault }) => {
        const index = at % users.length;
        let hole: unknown = '__fault__';
        for (const step of [...route].reverse()) {
          hole = typeof step === 'number' ? [...Array(step).fill(0), hole] : { [step]: hole };
        }
        const doc = {
          users: users.map((user, i) => ({
            username: `fuzz-${i}`,
            claims: i === index ? { ...user.claims, [claim]: hole } : user.claims,
          })),
        };
        const body = JSON.stringify(doc).replace(PLACEHOLDER, fault.json);
        const where = `users[${index}].claims.${claim}${route.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
        const response = await rawRequest(engine.issuer, {
          method: 'POST',
          path: '/admin/api/workspace.import',
          headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
          body,
        });
        const context = `${body.slice(0, 300)} → ${response.status} ${response.text.slice(0, 300)}`;
        expect(response.status, context).toBe(400);
        const { code, message } = JSON.parse(response.text);
        expect(code, context).toBe('invalid_input');
        expect(message, context).toContain(fault.expected);
        // The depth fault's path is cut short (it would be hundreds of [0]s); the others are exact.
        expect(message, context).toContain(
          fault.expected.startsWith('nests') ? where.slice(0, 60) : `${where}${fault.below}:`,
        );
      }),
      { numRuns: RUNS || 100 },
    );
    expect(await exportAll()).toEqual(before);
  });
});

/** Everything stored, for before/after comparisons. */
async function exportAll(): Promise<unknown> {
  const response = await rawRequest(engine.issuer, {
    method: 'POST',
    path: '/admin/api/workspace.export',
    headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
    body: '{"include_keys":true}',
  });
  expect(response.status).toBe(200);
  return JSON.parse(response.text);
}
