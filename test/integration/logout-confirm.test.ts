import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARAMETER_LIMITS } from '../../main/core/protocol/parameter-limits';
import type { EngineEvent, Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import { basic, obtainCode, postForm, REDIRECT, redeem } from '../helpers/oauth-http';

/**
 * RP-Initiated Logout §2: any site can navigate the browser to /logout, so only an id_token_hint of
 * the browser's own session ends it at once; anything else is confirmed by the user on a page that a
 * form from another site cannot answer.
 */

const BYE = 'http://127.0.0.1:5173/bye';
const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
  clients: [
    {
      client_id: 'web',
      client_name: 'Web App',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [BYE],
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

/** A browser signed in to `web`, and the tokens its sign-in produced. */
async function signedIn() {
  const result = await obtainCode(engine.issuer);
  const tokens = await redeem(engine.issuer, result);
  return { browser: result.browser, tokens };
}

/** Introspection by the client the token was issued to. */
async function isActive(token: string): Promise<boolean> {
  const answer = await postForm(
    engine.issuer,
    '/introspect',
    { token },
    { authorization: basic('web', 'web-secret') },
  );
  expect(answer.status).toBe(200);
  return answer.json.active as boolean;
}

async function logoutEvents(): Promise<EngineEvent[]> {
  return (await engine.call('events.list', { type: 'logout', limit: 5000 })) as EngineEvent[];
}

function logoutUrl(params: Record<string, string>): string {
  return `${engine.issuer}/logout?${new URLSearchParams(params)}`;
}

/** Opens a logout URL and returns the confirmation page's request id, checking nothing ended. */
async function openConfirmation(browser: FormBrowser, url: string) {
  const page = await browser.get(url);
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(page.headers.get('location')).toBeNull();
  expect(html).toContain('Sign out of IDP Sandbox?');
  const request = /name="logout_request" value="([^"]+)"/.exec(html)?.[1];
  expect(request).toEqual(expect.any(String));
  return { page, request: request as string };
}

describe('logout without a valid id_token_hint', () => {
  it('asks the user to confirm and ends nothing until the confirmation is posted', async () => {
    const { browser, tokens } = await signedIn();
    const before = (await logoutEvents()).length;
    const url = logoutUrl({ client_id: 'web', post_logout_redirect_uri: BYE, state: 'bye-state' });
    const { page, request } = await openConfirmation(browser, url);
    expect(await isActive(tokens.refresh_token as string)).toBe(true);
    expect(await logoutEvents()).toHaveLength(before);
    expect(browser.hasCookie('idp_sandbox_session')).toBe(true);
    // The confirmed post ends in a redirect to the post_logout_redirect_uri: form-action names its origin.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`form-action 'self' ${new URL(BYE).origin};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    const binding = page.headers.getSetCookie().find((c) => c.startsWith('idp_sandbox_logout_'));
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Lax/i);

    const confirmed = await browser.postForm(`${engine.issuer}/logout/confirm`, { logout_request: request });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`${BYE}?state=bye-state`);
    expect(await isActive(tokens.refresh_token as string)).toBe(false);
    expect(await isActive(tokens.access_token)).toBe(false);
    expect(await logoutEvents()).toHaveLength(before + 1);
    // The request is single-use.
    const again = await browser.postForm(`${engine.issuer}/logout/confirm`, { logout_request: request });
    expect(again.status).toBe(400);
  });

  it('asks on POST /logout too, and shows the signed-out page when there is nowhere to return', async () => {
    const { browser, tokens } = await signedIn();
    const page = await browser.postForm(`${engine.issuer}/logout`, {});
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign out of IDP Sandbox?');
    expect(await isActive(tokens.refresh_token as string)).toBe(true);
    const done = await browser.logout(`${engine.issuer}/logout`);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Signed out');
    expect(await isActive(tokens.refresh_token as string)).toBe(false);
  });

  it('refuses a confirmation posted from another site (no browser-binding cookie) and ends nothing', async () => {
    const { browser, tokens } = await signedIn();
    const { request } = await openConfirmation(browser, logoutUrl({}));
    const before = (await logoutEvents()).length;
    const session = /idp_sandbox_session=([^;]+)/.exec(browser.cookieHeader())?.[1] as string;
    // A cross-site form post carries no SameSite=Lax cookie; a forger that has the session cookie
    // (a local listener) still lacks the binding of the page the user was shown.
    for (const cookie of [null, `idp_sandbox_session=${session}`, `idp_sandbox_logout_${request}=guessed`]) {
      const forged = await fetch(`${engine.issuer}/logout/confirm`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.example',
          ...(cookie === null ? {} : { cookie }),
        },
        body: new URLSearchParams({ logout_request: request }).toString(),
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.get('location')).toBeNull();
      expect(await forged.text()).toContain('CSRF');
    }
    expect(await isActive(tokens.refresh_token as string)).toBe(true);
    expect(await logoutEvents()).toHaveLength(before);
  });

  it('asks as well for an id_token_hint of another session (any site can hold its own ID token)', async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    const url = logoutUrl({
      id_token_hint: attacker.tokens.id_token as string,
      post_logout_redirect_uri: BYE,
    });
    await openConfirmation(victim.browser, url);
    expect(await isActive(victim.tokens.refresh_token as string)).toBe(true);
  });
});

describe('logout with an id_token_hint of this session', () => {
  it('ends the session at once and returns to the registered URI with state', async () => {
    const { browser, tokens } = await signedIn();
    const before = (await logoutEvents()).length;
    const response = await browser.get(
      logoutUrl({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: BYE, state: 's1' }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${BYE}?state=s1`);
    expect(browser.hasCookie('idp_sandbox_session')).toBe(false);
    expect(await isActive(tokens.refresh_token as string)).toBe(false);
    expect(await logoutEvents()).toHaveLength(before + 1);
  });

  it('refuses a state over the /authorize limit before keeping anything, and ends nothing', async () => {
    const { browser, tokens } = await signedIn();
    const response = await browser.get(
      logoutUrl({
        client_id: 'web',
        post_logout_redirect_uri: BYE,
        state: 's'.repeat(PARAMETER_LIMITS.state + 1),
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`state is too long: at most ${PARAMETER_LIMITS.state} bytes`);
    expect(await isActive(tokens.refresh_token as string)).toBe(true);
  });

  it('ends nothing and asks nothing when the browser has no session', async () => {
    const { tokens } = await signedIn();
    const response = await new FormBrowser().get(
      logoutUrl({ client_id: 'web', post_logout_redirect_uri: BYE }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(BYE);
    expect(await isActive(tokens.refresh_token as string)).toBe(true);
  });
});
