import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectSource } from '../../main/core/http/security-headers';
import { BROWSER_SECRET_SCRIPT_SOURCE } from '../../main/core/oauth/pages';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { FormBrowser, withoutProviderScript } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import { pkcePair, REDIRECT, tokenRequest } from '../helpers/hardening-http';

/** Attacks on and bad input to the authorization endpoint and the login page, over real HTTP. */

const XSS_USER = '<script>alert("user")</script>';
const XSS_NAME = '<img src=x onerror=alert(1)>';
const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice Example' } },
    { username: XSS_USER, claims: { name: XSS_NAME } },
    { username: 'pw"><script>x()</script>', password: 'x' },
  ],
  clients: [
    {
      client_id: 'web',
      client_name: 'Web <b>App</b>',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
    },
    {
      client_id: 'spa',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    {
      client_id: 'remote',
      client_secret: 'remote-secret',
      redirect_uris: ['https://app.example.com/cb'],
      scope: 'openid',
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine.cleanup();
});

const { challenge } = pkcePair();
const VALID = {
  client_id: 'web',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid',
  state: 'st',
};

function authorizeUrl(params: Record<string, string> | string): string {
  return `${engine.issuer}/authorize?${typeof params === 'string' ? params : new URLSearchParams(params)}`;
}

async function get(params: Record<string, string> | string, browser = new FormBrowser()) {
  const response = await browser.get(authorizeUrl(params));
  return { response, text: await response.text() };
}

/** An error the provider must show as its own page: 400 HTML, no redirect anywhere. */
async function expectErrorPage(response: Response, text: string, mentions: string) {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(text).toContain(mentions);
}

/** An error sent back to the client (RFC 6749 §4.1.2.1): a 303 to the registered URI with error and state. */
function expectRedirectError(response: Response, error: string, state: string | null = VALID.state) {
  expect(response.status).toBe(303);
  const location = response.headers.get('location') as string;
  expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
  const params = new URL(location).searchParams;
  expect(params.get('error')).toBe(error);
  expect(params.get('state')).toBe(state);
  expect(params.get('iss')).toBe(engine.issuer);
  expect(params.get('code')).toBeNull();
  return params;
}

async function loginEvents(): Promise<EngineEvent[]> {
  return (await engine.call('events.list', { type: 'login', limit: 5000 })) as EngineEvent[];
}

describe('authorization endpoint: who may be redirected to', () => {
  it('shows an error page for an unknown client, on GET and POST, and never redirects', async () => {
    const { response, text } = await get({ ...VALID, client_id: 'nobody' });
    await expectErrorPage(response, text, 'Unknown client &quot;nobody&quot;');

    const posted = await fetch(`${engine.issuer}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...VALID, client_id: 'nobody' }).toString(),
    });
    await expectErrorPage(posted, await posted.text(), 'Unknown client');

    const missing = await get({ redirect_uri: REDIRECT, response_type: 'code' });
    await expectErrorPage(missing.response, missing.text, 'no client_id');
  });

  it('shows an error page for an unregistered redirect_uri, even when the request has other errors', async () => {
    for (const redirect of ['https://evil.example/callback', 'javascript:alert(1)', 'not a url', '']) {
      const { response, text } = await get({ ...VALID, redirect_uri: redirect, response_type: 'token' });
      await expectErrorPage(response, text, 'redirect_uri');
    }
  });

  it('refuses a redirect_uri that differs from the registered one only by path, query, trailing slash or spelling', async () => {
    const variants = [
      `${REDIRECT}/`,
      `${REDIRECT}?x=1`,
      `${REDIRECT}?`,
      `${REDIRECT}#frag`,
      `${REDIRECT}2`,
      'http://127.0.0.1:5173/Callback',
      'http://127.0.0.1:5173/',
      'http://127.0.0.1:5173',
      'http://127.0.0.1:5173/callback/../callback',
      'http://127.0.0.1:5173/./callback',
      'http://127.0.0.1:5173/%63allback',
      'http://127.0.0.1:5173\\callback',
      'HTTP://127.0.0.1:5173/callback',
      'http://127.1:5173/callback',
      'http://user@127.0.0.1:5173/callback',
      'https://127.0.0.1:5173/callback',
    ];
    for (const redirect of variants) {
      const { response, text } = await get({ ...VALID, redirect_uri: redirect });
      expect({ redirect, status: response.status }).toEqual({ redirect, status: 400 });
      await expectErrorPage(response, text, 'is not registered');
    }
    // A non-loopback URI gets no port leeway at all.
    for (const redirect of [
      'https://app.example.com:8443/cb',
      'https://app.example.com/cb/',
      'http://app.example.com/cb',
    ]) {
      const { response, text } = await get({ ...VALID, client_id: 'remote', redirect_uri: redirect });
      await expectErrorPage(response, text, 'is not registered');
    }
  });

  it('accepts a loopback redirect_uri on another port for a public native client (RFC 8252 §7.3), not on another host, never for a confidential one', async () => {
    const otherPort = 'http://127.0.0.1:49152/callback';
    const pkce = pkcePair();
    // spa: public, with a loopback IP redirect, so any port is allowed by default.
    const native = {
      ...VALID,
      client_id: 'spa',
      redirect_uri: otherPort,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    };
    const { response, text } = await get(native);
    expect(response.status).toBe(200);
    expect(text).toContain('name="interaction"');

    const browser = new FormBrowser();
    const location = await browser.signIn(authorizeUrl(native), 'alice', 'alice-pw');
    expect(location.startsWith(`${otherPort}?`)).toBe(true);
    // ...and the code is redeemable only with that exact redirect_uri.
    const code = new URL(location).searchParams.get('code') as string;
    const redeemed = await tokenRequest(engine.issuer, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: otherPort,
      client_id: 'spa',
      code_verifier: pkce.verifier,
    });
    expect(redeemed.status).toBe(200);

    for (const redirect of [
      'http://localhost:5173/callback',
      'http://[::1]:5173/callback',
      'http://127.0.0.2:5173/callback',
      'http://localhost:49152/callback',
    ]) {
      const refused = await get({ ...native, redirect_uri: redirect });
      await expectErrorPage(refused.response, refused.text, 'is not registered');
    }
    // A confidential client's redirect URI matches exactly, port included (RFC 9700 §4.1.3).
    const confidential = await get({ ...VALID, redirect_uri: otherPort });
    await expectErrorPage(confidential.response, confidential.text, 'allow_loopback_port_variance');
  });
});

describe('authorization endpoint: errors sent back to the client', () => {
  it('redirects with unsupported_response_type and echoes state exactly, unusual characters included', async () => {
    const state = `a b+c&d=e/?#%25%zz ü 😀 <>"'\`;,é\t~`;
    for (const responseType of ['token', 'id_token', 'code id_token', 'code token', 'CODE', 'none']) {
      const { response } = await get({ ...VALID, response_type: responseType, state });
      expectRedirectError(response, 'unsupported_response_type', state);
    }
    const missing = await get({ client_id: 'web', redirect_uri: REDIRECT, scope: 'openid', state });
    expectRedirectError(missing.response, 'invalid_request', state);
  });

  it('refuses PKCE code_challenge_method=plain and unknown methods', async () => {
    for (const method of ['plain', 'S512', 's256']) {
      const { response } = await get({ ...VALID, code_challenge: challenge, code_challenge_method: method });
      expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain('S256');
    }
    // A malformed challenge is refused too (RFC 7636 §4.2: 43–128 unreserved characters).
    const short = await get({ ...VALID, code_challenge: 'abc', code_challenge_method: 'S256' });
    expectRedirectError(short.response, 'invalid_request');
  });

  it('refuses a public client without PKCE', async () => {
    const { response } = await get({ ...VALID, client_id: 'spa' });
    expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain('PKCE');
    const methodOnly = await get({ ...VALID, client_id: 'spa', code_challenge_method: 'S256' });
    expectRedirectError(methodOnly.response, 'invalid_request');
  });

  it('answers invalid_scope for a scope the client may not request', async () => {
    for (const scope of ['openid admin', 'openid orders:write', 'openid\u0000profile']) {
      const { response } = await get({ ...VALID, scope });
      expectRedirectError(response, 'invalid_scope');
    }
  });

  it('answers invalid_request for a parameter sent twice, and shows a page when it is client_id or redirect_uri', async () => {
    const base = new URLSearchParams(VALID);
    const twice = (name: string, value: string) => {
      const params = new URLSearchParams(base);
      if (!params.has(name)) params.append(name, value);
      params.append(name, value);
      return params.toString();
    };
    for (const name of ['scope', 'response_type', 'nonce', 'code_challenge']) {
      const { response } = await get(twice(name, name === 'scope' ? 'openid' : challenge));
      expect(expectRedirectError(response, 'invalid_request').get('error_description')).toContain(name);
    }
    // Which of two states is the client's? Neither is echoed.
    const states = await get(twice('state', 'other'));
    expectRedirectError(states.response, 'invalid_request', null);

    const clients = await get(twice('client_id', 'spa'));
    await expectErrorPage(clients.response, clients.text, 'more than once');
    const redirects = await get(twice('redirect_uri', 'https://evil.example/cb'));
    await expectErrorPage(redirects.response, redirects.text, 'more than once');
  });

  it('answers login_required for prompt=none without a session', async () => {
    const { response } = await get({ ...VALID, prompt: 'none' });
    expectRedirectError(response, 'login_required');
  });

  it('ignores unknown parameters', async () => {
    const { response, text } = await get({
      ...VALID,
      foo: 'bar',
      'x[y]': '1',
      claims_locales: 'xx',
      ui_locales: '?',
    });
    expect(response.status).toBe(200);
    expect(text).toContain('name="interaction"');
  });
});

describe('login page', () => {
  async function openLogin(params: Record<string, string> = VALID) {
    const browser = new FormBrowser();
    const { response, text } = await get(params, browser);
    expect(response.status).toBe(200);
    const interaction = /name="interaction" value="([^"]+)"/.exec(text)?.[1] as string;
    expect(interaction).toEqual(expect.any(String));
    return { browser, response, text, interaction };
  }

  it('allows its form to end at the redirect_uri of this request and nowhere else', async () => {
    const remote = await openLogin({
      ...VALID,
      client_id: 'remote',
      redirect_uri: 'https://app.example.com/cb',
    });
    const csp = remote.response.headers.get('content-security-policy') ?? '';
    expect(/form-action ([^;]*)/.exec(csp)?.[1]).toBe("'self' https://app.example.com");
    expect(redirectSource('com.example.app:/callback')).toBe('com.example.app:');
    // CSP cannot name an IPv6 literal: the scheme is the narrowest source that allows it.
    expect(redirectSource('http://[::1]:3000/cb')).toBe('http:');
    expect(redirectSource('http://localhost:3000/cb?x=1')).toBe('http://localhost:3000');
  });

  it('is served with CSP (frame-ancestors none), X-Frame-Options, nosniff, Referrer-Policy and no-store', async () => {
    const { response, text } = await openLogin();
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    // One script runs, known by its hash (it keeps the browser secret; signin-session.test.ts).
    expect(csp).toContain(`script-src ${BROWSER_SECRET_SCRIPT_SOURCE};`);
    // The form's answer redirects to the client (another origin): form-action names that origin only.
    expect(csp).toContain(`form-action 'self' ${new URL(REDIRECT).origin};`);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(withoutProviderScript(text)).not.toMatch(/<script/i);
    // The browser-binding cookie is HttpOnly and not sent cross-site on POSTs.
    const binding = response.headers.getSetCookie().find((c) => c.startsWith('idp_sandbox_interaction_'));
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Lax/i);
  });

  it('refuses a POST /login without the browser-binding cookie (CSRF) with 403 and creates no session', async () => {
    const { browser, interaction } = await openLogin();
    const before = (await loginEvents()).length;
    const forged = async (cookie: string | null) => {
      const response = await fetch(`${engine.issuer}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.example',
          ...(cookie === null ? {} : { cookie }),
        },
        body: new URLSearchParams({ interaction, username: 'alice', password: 'alice-pw' }).toString(),
      });
      const text = await response.text();
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.getSetCookie().some((c) => c.startsWith('idp_sandbox_session='))).toBe(false);
      expect(text).toContain('CSRF');
      return response;
    };
    await forged(null);
    await forged(`idp_sandbox_interaction_${interaction}=guessed`);
    // The binding cookie of another interaction does not fit this one.
    const other = await openLogin();
    const otherBinding = other.browser.cookieHeader().split('=')[1] as string;
    await forged(other.browser.cookieHeader());
    await forged(`idp_sandbox_interaction_${interaction}=${otherBinding}`);
    expect(await loginEvents()).toHaveLength(before);

    // The real browser can still sign in afterwards: the forged posts consumed nothing.
    const result = await browser.postForm(`${engine.issuer}/login`, {
      interaction,
      username: 'alice',
      password: 'alice-pw',
    });
    expect(result.status).toBe(303);
    expect(await loginEvents()).toHaveLength(before + 1);
  });

  it('answers an unknown or expired interaction with a 400 page', async () => {
    const response = await fetch(`${engine.issuer}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'interaction=nope&username=alice&password=alice-pw',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('location')).toBeNull();
  });

  it('re-shows the page with 401 on a wrong password or unknown user, without signing in', async () => {
    const { browser, interaction } = await openLogin();
    const before = (await loginEvents()).length;
    const attempts: Record<string, string>[] = [
      { username: 'alice', password: 'wrong' },
      { username: 'alice', password: '' },
      { username: 'alice' },
      { username: 'mallory', password: 'x' },
    ];
    for (const fields of attempts) {
      const response = await browser.postForm(`${engine.issuer}/login`, { interaction, ...fields });
      const text = await response.text();
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(text).toContain('name="password"');
      expect(text).toMatch(/Wrong password|No test user/);
      expect(browser.hasCookie('idp_sandbox_session')).toBe(false);
    }
    expect(await loginEvents()).toHaveLength(before);
  });

  it('redirects with 303 after a successful sign-in, with code, state and iss', async () => {
    const { browser, interaction } = await openLogin();
    const response = await browser.postForm(`${engine.issuer}/login`, {
      interaction,
      username: 'alice',
      password: 'alice-pw',
    });
    expect(response.status).toBe(303);
    const callback = new URL(response.headers.get('location') as string);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(callback.searchParams.get('state')).toBe(VALID.state);
    expect(callback.searchParams.get('iss')).toBe(engine.issuer);
    const session = response.headers.getSetCookie().find((c) => c.startsWith('idp_sandbox_session='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    // The interaction is single-use: posting it again is refused.
    const again = await browser.postForm(`${engine.issuer}/login`, {
      interaction,
      username: 'alice',
      password: 'alice-pw',
    });
    expect(again.status).toBe(400);
  });

  it('escapes user names, claims, client names and reflected input on its pages', async () => {
    const hint = '"><script>alert("hint")</script>';
    const { text } = await openLogin({ ...VALID, login_hint: hint });
    for (const raw of [XSS_USER, XSS_NAME, hint, 'pw"><script>x()</script>', 'Web <b>App</b>']) {
      expect(text).not.toContain(raw);
    }
    expect(text).toContain('&lt;script&gt;alert(&quot;user&quot;)&lt;/script&gt;');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(text).toContain('Web &lt;b&gt;App&lt;/b&gt;');
    expect(withoutProviderScript(text)).not.toMatch(/<script/i);

    // The error message that repeats the typed user name is escaped as well.
    const { browser, interaction } = await openLogin();
    const wrong = await browser.postForm(`${engine.issuer}/login`, {
      interaction,
      username: '<script>x</script>',
    });
    expect(wrong.status).toBe(401);
    expect(withoutProviderScript(await wrong.text())).not.toMatch(/<script/i);

    // So are the client_id and redirect_uri an error page repeats.
    const page = await get({ ...VALID, client_id: '<script>alert(1)</script>' });
    expect(page.text).not.toMatch(/<script/i);
    const redirect = await get({ ...VALID, redirect_uri: 'https://x.example/"><script>alert(1)</script>' });
    expect(redirect.text).not.toMatch(/<script/i);

    // A user without a password signs in with the escaped name from the one-click button.
    const signIn = await new FormBrowser().signIn(authorizeUrl(VALID), XSS_USER);
    expect(new URL(signIn).searchParams.get('code')).toEqual(expect.any(String));
  });
});
