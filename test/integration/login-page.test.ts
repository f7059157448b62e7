import { describe, expect, it } from 'vitest';
import { redirectSource } from '../../main/core/lib/security-headers';
import { BROWSER_SECRET_SCRIPT_SOURCE } from '../../main/core/protocol/pages';
import { authorizeUrl, get, loginEvents, VALID } from '../helpers/authorize-endpoint';
import { FormBrowser, withoutProviderScript } from '../helpers/browser-session';
import { AUTHORIZE_SEED, XSS_NAME, XSS_USER } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { REDIRECT } from '../helpers/oauth-http';

/** Attacks on and bad input to the login page, over real HTTP. */

startFileEngine(AUTHORIZE_SEED);

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
