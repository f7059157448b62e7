import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_SECRET_SCRIPT_SOURCE } from '../../main/core/protocol/pages';
import type { Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  obtainCode,
  pkcePair,
  REDIRECT,
  REGISTERED_ORIGIN,
  tokenRequest,
} from '../helpers/oauth-http';

/**
 * The sign-in session cookie reaches every port of the host, so any local process the browser visits
 * receives it. Replayed server-side (with the replayer's own PKCE, reading the 303 without following
 * it), it must not yield a code: reusing a session also takes the browser secret that only the
 * provider origin's own page can read from its localStorage.
 */

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
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

/** An authorization URL as a replayer builds it: its own PKCE, the registered client and redirect_uri. */
function authorizeUrl(extra: Record<string, string> = {}): { url: string; verifier: string } {
  const { verifier, challenge } = pkcePair();
  const params = new URLSearchParams({
    client_id: 'web',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 'replay',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${engine.issuer}/authorize?${params}`, verifier };
}

function sessionCookie(browser: FormBrowser): string {
  const value = /idp_sandbox_session=([^;]+)/.exec(browser.cookieHeader())?.[1];
  if (!value) throw new Error('the browser holds no session cookie');
  return value;
}

/** A server-side replayer that holds the stolen session cookie and keeps every cookie it is given. */
function replayer(stolenSession: string): FormBrowser {
  const thief = new FormBrowser({ runsScript: false });
  thief.setCookie('idp_sandbox_session', stolenSession);
  return thief;
}

function codeIn(response: Response): string | null {
  const location = response.headers.get('location');
  return location ? new URL(location).searchParams.get('code') : null;
}

describe('a replayed sign-in session cookie', () => {
  it('gets no code for prompt=none: the page asks for the browser secret, and without it the answer is login_required', async () => {
    const victim = await obtainCode(engine.issuer);
    const thief = replayer(sessionCookie(victim.browser));

    // Posting the page as a replayer can: binding and session cookie, but no secret, or a guessed one.
    for (const secret of ['', 'A'.repeat(43)]) {
      const page = await thief.get(authorizeUrl({ prompt: 'none' }).url);
      expect(page.status).toBe(200);
      expect(page.headers.get('location')).toBeNull();
      const html = await page.text();
      expect(html).toContain('id="resume"');
      // The page does not tell who is signed in.
      expect(html).not.toContain('alice');
      const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1] as string;
      const resumed = await thief.postForm(`${engine.issuer}/resume`, {
        interaction,
        browser_secret: secret,
      });
      expect(resumed.status).toBe(303);
      expect(codeIn(resumed)).toBeNull();
      const callback = new URL(resumed.headers.get('location') as string);
      expect(callback.origin + callback.pathname).toBe(REDIRECT);
      expect(callback.searchParams.get('error')).toBe('login_required');
      expect(callback.searchParams.get('state')).toBe('replay');
    }
  });

  it('gets no code for a normal request either: the login page asks for the password', async () => {
    const victim = await obtainCode(engine.issuer);
    const thief = replayer(sessionCookie(victim.browser));
    const answer = await thief.authorize(authorizeUrl().url);
    expect(answer.status).toBe(200);
    expect(codeIn(answer)).toBeNull();
    expect(await answer.text()).toContain('name="password"');
  });

  it('gets no code with another session’s browser secret: each secret is bound to its own session', async () => {
    const victim = await obtainCode(engine.issuer);
    // The replayer signs in itself (its own session and secret), then swaps in the victim's cookie.
    const thief = new FormBrowser();
    await thief.signIn(authorizeUrl().url, 'alice', 'alice-pw');
    thief.setCookie('idp_sandbox_session', sessionCookie(victim.browser));
    const answer = await thief.authorize(authorizeUrl({ prompt: 'none' }).url);
    expect(answer.status).toBe(303);
    expect(codeIn(answer)).toBeNull();
    expect(new URL(answer.headers.get('location') as string).searchParams.get('error')).toBe(
      'login_required',
    );
  });
});

describe('the browser that signed in', () => {
  it('reuses its session (SSO and prompt=none) by posting its browser secret from the provider page', async () => {
    const victim = await obtainCode(engine.issuer);
    for (const extra of [{}, { prompt: 'none' }] as Record<string, string>[]) {
      const { url, verifier } = authorizeUrl(extra);
      const page = await victim.browser.get(url);
      expect(page.status).toBe(200);
      // The page runs one script, known by its hash; its form may end at the client's origin only.
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`script-src ${BROWSER_SECRET_SCRIPT_SOURCE};`);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain(`form-action 'self' ${REGISTERED_ORIGIN};`);
      const answer = await victim.browser.authorize(url);
      expect(answer.status).toBe(303);
      const code = codeIn(answer) as string;
      expect(code).toEqual(expect.any(String));
      const tokens = await tokenRequest(
        engine.issuer,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
        { authorization: basic('web', 'web-secret') },
      );
      expect(tokens.status, tokens.text).toBe(200);
    }
  });

  it('is asked to sign in again when it ran no script at sign-in (no secret was kept)', async () => {
    const browser = new FormBrowser({ runsScript: false });
    const first = await browser.signIn(authorizeUrl().url, 'alice', 'alice-pw');
    expect(new URL(first).searchParams.get('code')).toEqual(expect.any(String));
    // Nothing to present, so nothing to reuse: straight to login_required, and the login page otherwise.
    const silent = await browser.get(authorizeUrl({ prompt: 'none' }).url);
    expect(silent.status).toBe(303);
    expect(new URL(silent.headers.get('location') as string).searchParams.get('error')).toBe(
      'login_required',
    );
    const again = await browser.get(authorizeUrl().url);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="password"');
  });

  it('refuses the resume post from another site (no browser-binding cookie) with 403', async () => {
    const victim = await obtainCode(engine.issuer);
    const page = await victim.browser.get(authorizeUrl().url);
    const interaction = /name="interaction" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    // A cross-site form post carries no SameSite=Lax cookie at all.
    const forged = await fetch(`${engine.issuer}/resume`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ interaction, browser_secret: '' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('CSRF');
  });
});
