// Drives the real browser flows (authorize → login → redirect with a code) to pre-mint authorization codes
// and refresh tokens before a load round, so the load itself only redeems or rotates them.
import { API_SCOPE, basicAuth, CLIENTS, REDIRECT_URI, USER } from './shared.mjs';

/** A minimal cookie jar for one origin: cookies keyed by name and path, sent where the path matches. */
export class CookieJar {
  constructor() {
    this.cookies = new Map();
  }
  get size() {
    return this.cookies.size;
  }
  update(response, url) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attribute = (key) =>
        attributes
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith(`${key}=`))
          ?.slice(key.length + 1);
      const cookiePath = attribute('path') ?? new URL(url).pathname.replace(/\/[^/]*$/, '') ?? '/';
      const expires = attribute('expires');
      const expired = attribute('max-age') === '0' || (expires && Date.parse(expires) < Date.now());
      const key = `${cookiePath}\n${name}`;
      if (!value || expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path: cookiePath || '/' });
    }
  }
  header(url) {
    const pathname = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/** The authorization request every system gets: code flow, scope openid + the API scope, no PKCE. */
export function authorizationUrl(discovery, state) {
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', CLIENTS.web.id);
  url.searchParams.set('redirect_uri', REDIRECT_URI);
  url.searchParams.set('scope', `openid ${API_SCOPE}`);
  url.searchParams.set('state', state);
  return url.href;
}

/**
 * Follows one authorization from /authorize to the redirect back to the client and returns the code.
 * Signs in at the engine's login page when it is shown; the oidc-provider peer's interaction route signs
 * in by itself. With a session cookie in `jar`, systems skip the login and answer with the code at once.
 */
export async function authorizeOnce(discovery, jar, state) {
  let url = authorizationUrl(discovery, state);
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.update(response, url);
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location'), url);
      await response.arrayBuffer();
      if (location.href.startsWith(REDIRECT_URI)) {
        const code = location.searchParams.get('code');
        if (!code) throw new Error(`authorization failed: ${location.href}`);
        return code;
      }
      url = location.href;
      continue;
    }
    const html = await response.text();
    const interaction = /name="interaction" value="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !interaction) {
      throw new Error(`unexpected authorization answer ${response.status} at ${url}: ${html.slice(0, 200)}`);
    }
    // The engine's login page: one click on the test user (no password).
    const loginUrl = new URL('login', url).href;
    const login = await fetch(loginUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(loginUrl), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction, username: USER.username }),
    });
    jar.update(login, loginUrl);
    await login.arrayBuffer();
    if (login.status !== 303) throw new Error(`login answered ${login.status}`);
    url = new URL(login.headers.get('location'), url).href;
    const location = new URL(url);
    if (url.startsWith(REDIRECT_URI)) return location.searchParams.get('code');
  }
  throw new Error('too many redirects');
}

/** Runs `task(i)` for i < n with `concurrency` at a time; returns the results in order. */
export async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** Signs in once, then mints `n` codes with that browser session (one request per code). */
export async function mintCodes(discovery, n, jar = new CookieJar()) {
  if (!jar.size) await authorizeOnce(discovery, jar, 'first');
  return pool(n, 8, (i) => authorizeOnce(discovery, jar, `s${i}`));
}

export function tokenRequestBody(params) {
  return new URLSearchParams(params).toString();
}

/** Redeems codes for refresh tokens (the starting points of the rotation chains). */
export async function mintRefreshTokens(discovery, n, jar) {
  const codes = await mintCodes(discovery, n, jar);
  return pool(n, 4, async (i) => {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { authorization: basicAuth(CLIENTS.web), 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenRequestBody({
        grant_type: 'authorization_code',
        code: codes[i],
        redirect_uri: REDIRECT_URI,
      }),
    });
    const body = await response.json();
    if (!body.refresh_token) throw new Error(`no refresh token: ${JSON.stringify(body)}`);
    return body.refresh_token;
  });
}
