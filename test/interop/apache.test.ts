/**
 * Apache httpd with mod_auth_openidc as a gateway in front of a microservice, each on its own origin:
 * (a) as relying party, signing users in through the provider's real login page in Chromium and
 * handing their claims to the microservice as headers, then signing out; (b) as OAuth 2.0 resource
 * server, checking bearer tokens by introspection (reference tokens) and against the JWKS (JWTs).
 * The site configuration of each httpd is the mod_auth_openidc recipe, rendered with the client's
 * values; the test adds only the process boilerplate (ports, modules, logs, the proxy).
 */
import { decodeProtectedHeader } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  modAuthOpenidcLogoutUrl,
  modAuthOpenidcRecipe,
  modAuthOpenidcResourceServerRecipe,
  RESOURCE_SERVER_PATH,
} from '../../shared/recipes/mod-auth-openidc';
import type { Recipe, RecipeClient, RecipeInput } from '../../shared/recipes/types';
import { type Echo, type EchoBackend, startEchoBackend } from './apps/apache/backend';
import {
  checkApacheInstalled,
  copyReadableByWorkers,
  type Httpd,
  reservePort,
  startHttpd,
} from './apps/apache/httpd';
import { requestTrusting } from './apps/apache/trusting-request';
import {
  expectLoginPage,
  type InteropBrowser,
  openBrowser,
  signInWithButton,
  signInWithPassword,
} from './browser';
import { type InteropProvider, startProvider } from './provider';

const ADA = {
  username: 'ada',
  password: 'ada-pw',
  sub: 'ada-0001',
  claims: { name: 'Ada Lovelace', email: 'ada@example.test', roles: ['admin', 'qa'], tenant: 'analytical' },
};
const GRACE = { username: 'grace', sub: 'grace-0002', claims: { name: 'Grace Hopper', roles: ['viewer'] } };

/** The only file each recipe renders: the site configuration httpd runs. */
function renderSite(recipe: Recipe, input: RecipeInput): string {
  const [file, ...others] = recipe.render(input);
  if (!file || others.length > 0) throw new Error(`the ${recipe.id} recipe should render one file`);
  expect(file.language).toBe('apache');
  return file.content;
}

function claimHeaders(echo: Echo): Record<string, string | string[] | undefined> {
  return Object.fromEntries(Object.entries(echo.headers).filter(([name]) => name.startsWith('oidc_claim_')));
}

beforeAll(() => {
  // Before anything starts: a machine without httpd fails here, with how to install it.
  checkApacheInstalled();
});

describe('Apache mod_auth_openidc as relying party, in Chromium', () => {
  let provider: InteropProvider;
  let backend: EchoBackend;
  let gateway: Httpd;
  let input: RecipeInput;
  let browser: InteropBrowser;
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    const port = await reservePort();
    const origin = `http://127.0.0.1:${port}`;
    backend = await startEchoBackend();
    provider = await startProvider({
      seed: {
        users: [ADA, GRACE],
        clients: [
          {
            client_id: 'apache-gateway',
            client_name: 'Apache gateway',
            redirect_uris: [`${origin}/protected/redirect_uri`],
            post_logout_redirect_uris: [`${origin}/signed-out`],
            scope: 'openid profile email',
          },
        ],
      },
    });
    const client = await provider.admin<RecipeClient>('clients.get', { client_id: 'apache-gateway' });
    input = { issuer: provider.issuer, client };
    gateway = await startHttpd({
      port,
      backendOrigin: backend.origin,
      site: renderSite(modAuthOpenidcRecipe, input),
    });
    browser = await openBrowser();
    ({ context, page, consoleErrors } = browser);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await provider?.close();
    await backend?.close();
  });

  /** What the microservice echoed, as the browser shows it. */
  async function shownEcho(): Promise<Echo> {
    return JSON.parse((await page.locator('pre').first().textContent()) ?? '') as Echo;
  }

  it('signs in through the login page and the microservice receives the claims as headers', async () => {
    await page.goto(`${gateway.origin}/protected/orders?page=2`);
    await expectLoginPage(page, provider.issuer);
    await signInWithPassword(page, ADA.username, ADA.password);
    await page.waitForURL(`${gateway.origin}/protected/orders?page=2`);

    const echo = await shownEcho();
    expect(echo.path).toBe('/protected/orders?page=2');
    expect(claimHeaders(echo)).toMatchObject({
      oidc_claim_iss: provider.issuer,
      oidc_claim_sub: ADA.sub,
      oidc_claim_aud: 'apache-gateway',
      oidc_claim_name: ADA.claims.name,
      oidc_claim_email: ADA.claims.email,
      oidc_claim_roles: 'admin,qa',
      oidc_claim_tenant: 'analytical',
    });
    expect(consoleErrors).toEqual([]);
  });

  it('keeps the session: the next request reaches the microservice without the login page', async () => {
    await page.goto(`${gateway.origin}/protected/profile`);
    expect(page.url()).toBe(`${gateway.origin}/protected/profile`);
    expect((await shownEcho()).headers.oidc_claim_sub).toBe(ADA.sub);
  });

  it('replaces claim headers the caller sent with the claims of the signed-in user', async () => {
    // The browser context's own request API: the same session cookie, headers of the caller's choosing.
    const response = await context.request.get(`${gateway.origin}/protected/orders`, {
      headers: { OIDC_CLAIM_roles: 'superuser', OIDC_CLAIM_superpower: 'yes', accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.headers.oidc_claim_roles).toBe('admin,qa');
    expect(echo.headers).not.toHaveProperty('oidc_claim_superpower');
  });

  it('answers 401 to a script without a session, and the microservice sees nothing', async () => {
    // Node's fetch sends Sec-Fetch-Mode: cors, which mod_auth_openidc treats as a request that cannot
    // follow a login redirect (only navigations are sent to the provider).
    const reached = backend.received.length;
    const response = await fetch(`${gateway.origin}/protected/admin-only`, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(backend.received.length).toBe(reached);
  });

  it('signs out through end_session, and the protected page needs a sign-in again', async () => {
    await page.goto(modAuthOpenidcLogoutUrl(input));
    await page.waitForURL(`${gateway.origin}/signed-out`);
    expect(claimHeaders(await shownEcho())).toEqual({});

    await page.goto(`${gateway.origin}/protected/orders`);
    await expectLoginPage(page, provider.issuer);
    // The provider's session ended too: another user can sign in, and the microservice sees them.
    await signInWithButton(page, GRACE.username);
    await page.waitForURL(`${gateway.origin}/protected/orders`);
    expect(claimHeaders(await shownEcho())).toMatchObject({
      oidc_claim_sub: GRACE.sub,
      oidc_claim_roles: 'viewer',
    });
    expect(consoleErrors).toEqual([]);
  });
});

describe('Apache mod_auth_openidc as OAuth 2.0 resource server', () => {
  const REFERENCE = { client_id: 'orders-reference', client_secret: 'orders-reference-secret' };
  const JWT = { client_id: 'orders-jwt', client_secret: 'orders-jwt-secret' };
  let provider: InteropProvider;
  let backend: EchoBackend;
  let introspecting: Httpd;
  let jwksChecking: Httpd;
  let request: ReturnType<typeof requestTrusting>;
  /** The provider's CA, where httpd's workers can read it. */
  let ca: ReturnType<typeof copyReadableByWorkers>;
  /** Minted first with a one-second lifetime, so they have expired by the time the last test runs. */
  let shortLived: { reference: MintedToken; jwt: MintedToken };

  interface ApiCall {
    status: number;
    /** What the API received; undefined when the gateway stopped the call. */
    echo: Echo | undefined;
    challenge: string;
  }

  interface MintedToken {
    value: string;
    token: { expires_at: string };
  }

  async function admin<T>(method: string, body: unknown = {}): Promise<T> {
    const answer = await request(`${provider.issuer}/admin/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (answer.status !== 200) throw new Error(`admin ${method} answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text) as T;
  }

  /** An access token from the token endpoint, as the API's own callers get one (client_credentials). */
  async function clientCredentialsToken(client: {
    client_id: string;
    client_secret: string;
  }): Promise<string> {
    const answer = await request(`${provider.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders.read' }).toString(),
    });
    expect(answer.status, answer.text).toBe(200);
    return (JSON.parse(answer.text) as { access_token: string }).access_token;
  }

  /** What the gateway answered a bearer call, and what the API behind it received if it got through. */
  async function callApi(gateway: Httpd, token?: string): Promise<ApiCall> {
    const reached = backend.received.length;
    const response = await fetch(`${gateway.origin}${RESOURCE_SERVER_PATH}/orders`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    await response.arrayBuffer();
    return {
      status: response.status,
      echo: backend.received.slice(reached)[0],
      challenge: response.headers.get('www-authenticate') ?? '',
    };
  }

  /** The gateway answers 401 with a Bearer challenge, and the API never sees the call. */
  async function expectRefused(gateway: Httpd, token?: string): Promise<ApiCall> {
    const answer = await callApi(gateway, token);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Bearer /);
    expect(answer.echo).toBeUndefined();
    return answer;
  }

  async function startGateway(clientId: string, caFile: string): Promise<Httpd> {
    const client = await admin<RecipeClient>('clients.get', { client_id: clientId });
    const site = renderSite(modAuthOpenidcResourceServerRecipe, { issuer: provider.issuer, client, caFile });
    return startHttpd({ port: await reservePort(), backendOrigin: backend.origin, site });
  }

  beforeAll(async () => {
    backend = await startEchoBackend();
    const machine = { grant_types: ['client_credentials'], scope: 'orders.read', redirect_uris: [] };
    provider = await startProvider({
      // mod_auth_openidc 2.4 refuses http:// for the introspection endpoint and the JWKS URI.
      args: ['--https'],
      seed: {
        clients: [
          { ...REFERENCE, ...machine, access_token_format: 'reference' },
          { ...JWT, ...machine, access_token_format: 'jwt' },
        ],
      },
    });
    expect(provider.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const printedCa = provider.process.output().match(/HTTPS CA:\s+(\S+)/)?.[1];
    if (!printedCa) throw new Error(`the provider printed no CA path:\n${provider.process.output()}`);
    request = requestTrusting(printedCa);
    ca = copyReadableByWorkers(printedCa);
    shortLived = {
      reference: await admin<MintedToken>('tokens.mint', { client_id: REFERENCE.client_id, ttl: 1 }),
      jwt: await admin<MintedToken>('tokens.mint', { client_id: JWT.client_id, ttl: 1 }),
    };
    [introspecting, jwksChecking] = await Promise.all([
      startGateway(REFERENCE.client_id, ca.path),
      startGateway(JWT.client_id, ca.path),
    ]);
  });

  afterAll(async () => {
    await introspecting?.close();
    await jwksChecking?.close();
    await provider?.close();
    await backend?.close();
    ca?.remove();
  });

  it('refuses a call without a bearer token', async () => {
    for (const gateway of [introspecting, jwksChecking]) await expectRefused(gateway);
  });

  it('introspection: lets a valid reference token through, with its claims as headers', async () => {
    const token = await clientCredentialsToken(REFERENCE);
    expect(token.split('.')).toHaveLength(1);
    const answer = await callApi(introspecting, token);
    expect(answer.status, introspecting.errorLog()).toBe(200);
    expect(answer.echo?.path).toBe(`${RESOURCE_SERVER_PATH}/orders`);
    expect(claimHeaders(answer.echo as Echo)).toMatchObject({
      oidc_claim_active: '1',
      oidc_claim_client_id: REFERENCE.client_id,
      oidc_claim_scope: 'orders.read',
    });
  });

  it('introspection: refuses a revoked reference token at once', async () => {
    const token = await clientCredentialsToken(REFERENCE);
    expect((await callApi(introspecting, token)).status).toBe(200);
    const revoked = await request(`${provider.issuer}/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${REFERENCE.client_id}:${REFERENCE.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect((await expectRefused(introspecting, token)).challenge).toContain('invalid_token');
  });

  it('JWKS: lets a valid JWT through and refuses one whose signature does not match', async () => {
    const token = await clientCredentialsToken(JWT);
    const answer = await callApi(jwksChecking, token);
    expect(answer.status, jwksChecking.errorLog()).toBe(200);
    expect(claimHeaders(answer.echo as Echo)).toMatchObject({
      oidc_claim_iss: provider.issuer,
      oidc_claim_client_id: JWT.client_id,
      oidc_claim_scope: 'orders.read',
    });

    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = Buffer.from(signature, 'base64url');
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    await expectRefused(jwksChecking, `${header}.${payload}.${tampered.toString('base64url')}`);
    expect(jwksChecking.errorLog()).toContain('JWT signature verification failed');
    // A reference token is no JWT: a gateway that checks signatures locally cannot accept it.
    await expectRefused(jwksChecking, await clientCredentialsToken(REFERENCE));
  });

  it('JWKS: after a key rotation, accepts tokens signed with the new key', async () => {
    const before = await clientCredentialsToken(JWT);
    expect((await callApi(jwksChecking, before)).status).toBe(200);
    await admin('keys.rotate');
    const after = await clientCredentialsToken(JWT);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    // The new kid is not in the JWKS the gateway cached: it fetches the JWKS again and finds it.
    expect((await callApi(jwksChecking, after)).status, jwksChecking.errorLog()).toBe(200);
    expect(jwksChecking.errorLog()).toContain(
      'could not find a key in the cached JSON Web Keys, doing a forced refresh',
    );
    expect((await callApi(jwksChecking, before)).status).toBe(200);
  });

  it('refuses expired tokens: reference (introspection) and JWT (exp checked locally)', async () => {
    const lastExpiry = Math.max(
      ...[shortLived.reference, shortLived.jwt].map((minted) => Date.parse(minted.token.expires_at)),
    );
    // mod_auth_openidc refuses a JWT once the clock is past exp, in whole seconds.
    const wait = lastExpiry + 1100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await expectRefused(introspecting, shortLived.reference.value);
    await expectRefused(jwksChecking, shortLived.jwt.value);
    expect(jwksChecking.errorLog()).toMatch(/"exp" validation failure \(\d+\): JWT expired/);
  });

  it('JWKS: after the old key is retired, a fresh gateway refuses its tokens and takes the new ones', async () => {
    const keys = await admin<Array<{ kid: string; status: string }>>('keys.list');
    const old = keys.find((key) => key.status === 'previous');
    if (!old) throw new Error(`no previous key to retire: ${JSON.stringify(keys)}`);
    const signedByNew = await admin<MintedToken>('tokens.mint', { client_id: JWT.client_id });
    expect(decodeProtectedHeader(signedByNew.value).kid).not.toBe(old.kid);
    // A token the old key signed before the rotation, found in the provider's own list.
    const { tokens } = await admin<{ tokens: Array<{ id: string; state: string }> }>('tokens.list', {
      client_id: JWT.client_id,
      kind: 'access',
      limit: 500,
    });
    const details = await Promise.all(
      tokens.map((token) => admin<{ jwt: string | null; state: string }>('tokens.get', { id: token.id })),
    );
    const oldToken = details.find(
      (detail) => detail.jwt && decodeProtectedHeader(detail.jwt).kid === old.kid,
    );
    if (!oldToken?.jwt) throw new Error('no token signed by the old key');
    await admin('keys.retire', { kid: old.kid });
    // A gateway that never cached the JWKS: the old kid is not published any more.
    const fresh = await startGateway(JWT.client_id, ca.path);
    try {
      await expectRefused(fresh, oldToken.jwt);
      expect((await callApi(fresh, signedByNew.value)).status, fresh.errorLog()).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
