import { randomBytes } from 'node:crypto';
import { BROWSER_SECRET_SCRIPT } from '../../main/core/protocol/pages';

/** A provider page without its one known script, so a test can check that no other script got in. */
export function withoutProviderScript(html: string): string {
  return html.replaceAll(`<script>${BROWSER_SECRET_SCRIPT}</script>`, '');
}

/**
 * A minimal browser stand-in for driving the provider's real login form over HTTP: it keeps cookies,
 * follows nothing automatically, and reads the hidden interaction field from the page. Unless made
 * with `runsScript: false` it also does what the pages' one script does: keep a browser secret (the
 * provider origin's localStorage) at sign-in and post it back on the page that resumes a session.
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();
  private storedSecret: string | null = null;
  private readonly runsScript: boolean;
  private readonly fetch: (url: string, init: RequestInit) => Promise<Response>;

  /** `fetch`: another fetch, e.g. one trusting an HTTPS engine's local CA (tls-fetch.ts). */
  constructor(
    options: { runsScript?: boolean; fetch?: (url: string, init: RequestInit) => Promise<Response> } = {},
  ) {
    this.runsScript = options.runsScript ?? true;
    this.fetch = options.fetch ?? fetch;
  }

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The browser secret the provider's page script would hold in localStorage now. */
  browserSecret(): string | null {
    return this.storedSecret;
  }

  /** Sets a cookie by hand, as a replayer holding a stolen value does. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  async get(url: string): Promise<Response> {
    const response = await this.fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    this.remember(response);
    return response;
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    const response = await this.fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    this.remember(response);
    return response;
  }

  /**
   * Opens an authorization URL. When the provider answers with the page that resumes a session, posts
   * it as the page's script would (with the stored browser secret, or without when script is off) and
   * returns the answer to that post instead.
   */
  async authorize(authorizationUrl: string): Promise<Response> {
    const page = await this.get(authorizationUrl);
    if (page.status !== 200) return page;
    const html = await page.text();
    const interaction = /<form id="resume"[^>]*><input type="hidden" name="interaction" value="([^"]+)"/.exec(
      html,
    )?.[1];
    if (!interaction) return new Response(html, { status: page.status, headers: page.headers });
    const secret = this.runsScript ? (this.storedSecret ?? '') : '';
    return this.postForm(new URL('resume', authorizationUrl).href, {
      interaction,
      browser_secret: secret,
    });
  }

  /**
   * Opens an authorization URL and, if the login page appears, signs in as `username` through the
   * form. Returns the URL the provider redirected the browser to (the client's callback).
   */
  async signIn(authorizationUrl: string, username: string, password?: string): Promise<string> {
    const page = await this.authorize(authorizationUrl);
    if (page.status === 303) return page.headers.get('location') as string;
    if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
    const html = await page.text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1];
    if (!interaction) throw new Error(`No login form in page:\n${html}`);
    const loginUrl = new URL('login', authorizationUrl).href;
    const fields: Record<string, string> = { interaction, username };
    if (password !== undefined) fields.password = password;
    if (this.runsScript) {
      // As the login page's script does on submit: a fresh secret, kept and posted.
      this.storedSecret = randomBytes(32).toString('base64url');
      fields.browser_secret = this.storedSecret;
    }
    const result = await this.postForm(loginUrl, fields);
    if (result.status !== 303) throw new Error(`login answered ${result.status}: ${await result.text()}`);
    return result.headers.get('location') as string;
  }

  /**
   * Opens a logout URL and, when the provider asks whether to sign out, confirms as the user would.
   * Returns the final answer (the 303 to the post_logout_redirect_uri, or the signed-out page).
   */
  async logout(logoutUrl: string): Promise<Response> {
    const page = await this.get(logoutUrl);
    if (page.status !== 200) return page;
    const html = await page.text();
    const request = /name="logout_request" value="([^"]+)"/.exec(html)?.[1];
    if (!request) return new Response(html, { status: page.status, headers: page.headers });
    return this.postForm(new URL('logout/confirm', logoutUrl).href, { logout_request: request });
  }
}
