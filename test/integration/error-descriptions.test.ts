import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION_CHARS, OAuthError, toErrorDescription } from '../../main/core/protocol/errors';
import type { Workspace } from '../../shared/schemas';
import { ROOT, startTestEngine } from '../helpers/engine';
import { basic, REDIRECT, rawRequest } from '../helpers/oauth-http';

/**
 * RFC 6749 §5.2: error_description may hold only %x20-21 / %x23-5B / %x5D-7E. Strict clients refuse
 * anything else. The engine builds every error body through OAuthError, which makes the text fit; this
 * file proves the constructor for any text, that no code path writes an error_description by hand, and
 * that what actually goes over HTTP, for hostile input at every endpoint, passes.
 */

const HOSTILE = 'qu"ote back\\slash tab\tnew\nline é 漢 😀';

describe('OAuthError: error_description within RFC 6749 §5.2', () => {
  it('fits any text, and keeps allowed text as it is except for quotes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const error = new OAuthError(400, 'invalid_request', text);
        expect(error.errorDescription).toMatch(ERROR_DESCRIPTION_CHARS);
        expect(error.toJSON().error_description).toBe(error.errorDescription);
        // The message itself (shown on HTML pages) is untouched.
        expect(error.message).toBe(text);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' !#$%&()*+,-./09:;<=>?@AZ[]^_`az{|}~') }), (text) => {
        expect(toErrorDescription(text)).toBe(text);
      }),
    );
  });

  it('says what the message said: quotes become single quotes, the rest is percent-encoded UTF-8', () => {
    expect(toErrorDescription('Wrong client secret for "acc-machine".')).toBe(
      "Wrong client secret for 'acc-machine'.",
    );
    expect(toErrorDescription('a\\b é\n')).toBe('a%5Cb %C3%A9%0A');
    expect(decodeURIComponent(toErrorDescription('client "é"'))).toBe("client 'é'");
    expect(toErrorDescription('\uD800')).toBe('%EF%BF%BD');
  });

  it('is the only place an error_description is written in the engine', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.endsWith(path.join('protocol', 'errors.ts'))) {
          fs.readFileSync(file, 'utf8')
            .split('\n')
            .forEach((line, index) => {
              // Allowed: passing on an OAuthError's own errorDescription, or one read from an answer the
              // engine already gave (the playground's steps, the request log), whose right-hand side names it.
              const passedOn = /error_description\s*:.*(errorDescription|error_description)/.test(line);
              if (/error_description\s*:/.test(line) && !passedOn) {
                offenders.push(`${path.relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
              }
            });
        }
      }
    };
    walk(path.join(ROOT, 'main', 'core'));
    expect(offenders).toEqual([]);
  });
});

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', claims: {} }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'svc "quoted\\x"',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      audience: ['https://api.example.test/'],
    },
  ],
};

describe('every error the endpoints answer with hostile input', () => {
  let engine: Awaited<ReturnType<typeof startTestEngine>>;
  beforeAll(async () => {
    engine = await startTestEngine({ inMemory: true, seed: SEED });
  });
  afterAll(async () => {
    await engine.cleanup();
  });

  it('passes the RFC 6749 character check in JSON bodies, redirects and WWW-Authenticate', async () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const formHeaders = (extra: Record<string, string> = {}) => ({
      'content-type': 'application/x-www-form-urlencoded',
      ...extra,
    });
    const svc = basic('svc "quoted\\x"', 'svc-secret');
    const requests: Array<{
      method?: string;
      path: string;
      headers?: Record<string, string>;
      body?: string;
    }> = [
      // token endpoint
      { method: 'POST', path: '/token', headers: formHeaders(), body: form({ grant_type: HOSTILE }) },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: basic('svc "quoted\\x"', `wrong${HOSTILE}`) }),
        body: form({ grant_type: 'client_credentials' }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: basic(`nobody ${HOSTILE}`, 'x') }),
        body: form({ grant_type: 'client_credentials' }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: svc }),
        body: form({ grant_type: 'client_credentials', scope: HOSTILE }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: svc }),
        body: form({ grant_type: 'client_credentials', resource: `https://x/${HOSTILE}` }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: basic('web', 'web-secret') }),
        body: form({ grant_type: 'refresh_token', refresh_token: HOSTILE }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: basic('web', 'web-secret') }),
        body: form({
          grant_type: 'authorization_code',
          code: HOSTILE,
          redirect_uri: `${REDIRECT}${HOSTILE}`,
        }),
      },
      {
        method: 'POST',
        path: '/token',
        headers: formHeaders({ authorization: basic('web', 'web-secret') }),
        body: `${form({ grant_type: 'password' })}&grant_type=x`,
      },
      { method: 'POST', path: '/token', headers: { 'content-type': 'text/plain; x="q\\é"' }, body: HOSTILE },
      // userinfo, introspection, revocation
      { path: '/userinfo', headers: { authorization: 'Bearer not-a-token' } },
      { path: '/userinfo' },
      {
        method: 'POST',
        path: '/introspect',
        headers: formHeaders({ authorization: basic('web', HOSTILE) }),
        body: form({ token: 'x' }),
      },
      {
        method: 'POST',
        path: '/revoke',
        headers: formHeaders({ authorization: basic('web', 'web-secret') }),
        body: form({ token: 'x', token_type_hint: HOSTILE }),
      },
      // routing, Host check, malformed paths
      { path: `/no-such-${encodeURIComponent(HOSTILE)}` },
      { path: '/.well-known/openid-configuration', headers: { host: 'evil"host\\:1' } },
    ];
    const descriptions: string[] = [];
    for (const request of requests) {
      const response = await rawRequest(engine.issuer, request);
      expect(response.status, `${request.method ?? 'GET'} ${request.path}`).toBeGreaterThanOrEqual(400);
      const body = JSON.parse(response.text) as { error: string; error_description: string };
      expect(body.error, response.text).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
      descriptions.push(body.error_description);
      const challenge = response.headers['www-authenticate'];
      const described = /error_description="([^"]*)"/.exec(challenge ?? '');
      if (described) descriptions.push(described[1] as string);
    }

    // authorize errors go back to the client in the redirect's query (RFC 6749 §4.1.2.1).
    const query = new URLSearchParams({
      client_id: 'web',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: `openid ${HOSTILE}`,
    });
    const authorize = await rawRequest(engine.issuer, { path: `/authorize?${query}` });
    expect(authorize.status).toBe(303);
    const redirected = new URL(authorize.headers.location as string).searchParams;
    expect(redirected.get('error')).toBe('invalid_scope');
    descriptions.push(redirected.get('error_description') as string);

    expect(descriptions.length).toBeGreaterThanOrEqual(requests.length + 1);
    for (const description of descriptions) {
      expect(typeof description, JSON.stringify(descriptions)).toBe('string');
      expect(description).toMatch(ERROR_DESCRIPTION_CHARS);
    }
    // The quoted client id is still named, in single quotes.
    expect(descriptions.some((d) => d.includes("'svc 'quoted%5Cx''"))).toBe(true);
  });
});
