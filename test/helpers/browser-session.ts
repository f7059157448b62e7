/**
 * A minimal browser stand-in for driving the provider's real login form over HTTP: it keeps cookies,
 * follows nothing automatically, and reads the hidden interaction field from the page.
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();

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

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  async get(url: string): Promise<Response> {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    this.remember(response);
    return response;
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    this.remember(response);
    return response;
  }

  /**
   * Opens an authorization URL and, if the login page appears, signs in as `username` through the
   * form. Returns the URL the provider redirected the browser to (the client's callback).
   */
  async signIn(authorizationUrl: string, username: string, password?: string): Promise<string> {
    const page = await this.get(authorizationUrl);
    if (page.status === 303) return page.headers.get('location') as string;
    if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
    const html = await page.text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1];
    if (!interaction) throw new Error(`No login form in page:\n${html}`);
    const loginUrl = new URL('login', authorizationUrl).href;
    const fields: Record<string, string> = { interaction, username };
    if (password !== undefined) fields.password = password;
    const result = await this.postForm(loginUrl, fields);
    if (result.status !== 303) throw new Error(`login answered ${result.status}: ${await result.text()}`);
    return result.headers.get('location') as string;
  }
}
