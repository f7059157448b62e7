/**
 * The Microsoft Entra ID profile against Microsoft's own library, @azure/msal-node, unmodified. MSAL
 * refuses any authority that is not https (msal-common UrlString.validateAsUri: authorityUriInsecure),
 * so the engine serves HTTPS with its local CA, and MSAL is given a network client that trusts that CA
 * (`system.networkClient`, MSAL's documented hook for its HTTP calls). The authority is the tenant URL
 * with its host in `knownAuthorities`, which makes MSAL skip Microsoft's cloud instance discovery and
 * read `<authority>/v2.0/.well-known/openid-configuration` from the sandbox, as it does from
 * login.microsoftonline.com.
 */
import fs from 'node:fs';
import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { spawnProcess } from '../helpers/process';
import { startProfileIssuers } from '../helpers/profile-issuers';
import { fetchTrusting } from '../helpers/tls-fetch';

/** A tenant named by its GUID, as Entra's are: the issuer and `tid` then carry the same id. */
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ORDERS_API = 'api://orders';
const REDIRECT = 'http://localhost:3000/redirect';

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { name: 'Alice Example' } }],
  clients: [
    {
      // A daemon app with an application permission on the orders API: it asks for `<api>/.default`.
      client_id: 'orders-daemon',
      client_secret: 'orders-daemon-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: `${ORDERS_API}/.default`,
      audience: [ORDERS_API],
    },
    {
      // A web app signing users in; MSAL always adds openid, profile and offline_access.
      client_id: 'web-app',
      client_secret: 'web-app-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: `openid profile email offline_access ${ORDERS_API}/orders.read`,
      audience: [ORDERS_API],
    },
  ],
};

/** A client-credentials daemon with MSAL's defaults but the authority: argv is [authority, host]. */
const DAEMON = `
import { ConfidentialClientApplication } from '@azure/msal-node';
const [authority, host] = process.argv.slice(1);
const app = new ConfidentialClientApplication({
  auth: { clientId: 'orders-daemon', clientSecret: 'orders-daemon-secret', authority, knownAuthorities: [host] },
});
const result = await app.acquireTokenByClientCredential({ scopes: ['${ORDERS_API}/.default'] });
console.log('access_token=' + result.accessToken);
`;

let engine: Awaited<ReturnType<typeof startProfileIssuers>>['engine'];
let tenant: IssuerSummary;
let ca: string;

beforeAll(async () => {
  let issuers: IssuerSummary[];
  ({ engine, issuers } = await startProfileIssuers('entra', [TENANT_ID], SEED, { https: true }));
  tenant = issuers[0] as IssuerSummary;
  ca = fs.readFileSync(engine.tls?.caCertPath as string, 'utf8');
});
afterAll(async () => {
  await engine?.cleanup();
});

/** MSAL's INetworkModule over a fetch that trusts only the engine's local CA. */
function networkTrusting(caPem: string): INetworkModule {
  const trustingFetch = fetchTrusting(caPem);
  const send = async <T>(
    url: string,
    method: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const response = await trustingFetch(url, {
      method,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
    });
    return {
      headers: Object.fromEntries(response.headers.entries()),
      body: (await response.json()) as T,
      status: response.status,
    };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

/** The configuration an Entra app has, with the sandbox's tenant URL as its authority. */
function msalConfig(clientId: string): Configuration {
  return {
    auth: {
      clientId,
      clientSecret: `${clientId}-secret`,
      authority: `${engine.issuer}/${TENANT_ID}`,
      knownAuthorities: [new URL(engine.issuer).host],
    },
    system: { networkClient: networkTrusting(ca) },
  };
}

describe('@azure/msal-node against an Entra-profile tenant (HTTPS with the local CA)', () => {
  it('serves the tenant over https at the Entra paths', () => {
    expect(engine.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(tenant.issuer).toBe(`${engine.issuer}/${TENANT_ID}/v2.0`);
  });

  it('is why the engine serves HTTPS here: MSAL refuses an http authority itself', async () => {
    const insecure = new ConfidentialClientApplication({
      ...msalConfig('orders-daemon'),
      auth: { ...msalConfig('orders-daemon').auth, authority: `http://127.0.0.1:1/${TENANT_ID}` },
    });
    await expect(
      insecure.acquireTokenByClientCredential({ scopes: [`${ORDERS_API}/.default`] }),
    ).rejects.toMatchObject({
      errorCode: 'authority_uri_insecure',
    });
  });

  it('acquires an application token with acquireTokenByClientCredential', async () => {
    const app = new ConfidentialClientApplication(msalConfig('orders-daemon'));
    const result = await app.acquireTokenByClientCredential({ scopes: [`${ORDERS_API}/.default`] });
    expect(result?.tokenType).toBe('Bearer');
    const token = result?.accessToken as string;
    // A resource server verifies it with the tenant's keys at Entra's JWKS path.
    const jwks = createRemoteJWKSet(new URL(`${engine.issuer}/${TENANT_ID}/discovery/v2.0/keys`), {
      [customFetch]: fetchTrusting(ca),
    });
    const { payload: claims } = await jwtVerify(token, jwks, { issuer: tenant.issuer, audience: ORDERS_API });
    expect(claims).toMatchObject({
      iss: tenant.issuer,
      aud: ORDERS_API,
      // Entra's application-token claims (the profile's claim shapes).
      tid: TENANT_ID,
      ver: '2.0',
      azp: 'orders-daemon',
      idtyp: 'app',
    });
    // Cached: the second call answers from MSAL's token cache without asking the tenant.
    const again = await app.acquireTokenByClientCredential({ scopes: [`${ORDERS_API}/.default`] });
    expect(again?.accessToken).toBe(token);
    expect(again?.fromCache).toBe(true);
  });

  it('works with MSAL’s own network client too, when node trusts the CA through NODE_EXTRA_CA_CERTS', async () => {
    // A daemon as it ships: no custom networkClient; node reads the extra CA at start, so a child process.
    const daemon = spawnProcess(
      process.execPath,
      ['--input-type=module', '-e', DAEMON, `${engine.issuer}/${TENANT_ID}`, new URL(engine.issuer).host],
      { ...process.env, NODE_EXTRA_CA_CERTS: engine.tls?.caCertPath as string },
    );
    const [, token = ''] = (await daemon.waitFor(/access_token=(\S+)/)) as RegExpMatchArray;
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(decodeJwt(token)).toMatchObject({ iss: tenant.issuer, aud: ORDERS_API, tid: TENANT_ID });
  });

  it('builds the sign-in URL, and redeems the code with PKCE (acquireTokenByCode)', async () => {
    const app = new ConfidentialClientApplication(msalConfig('web-app'));
    const { verifier, challenge } = await pkcePair();
    const scopes = [`${ORDERS_API}/orders.read`];
    const url = await app.getAuthCodeUrl({
      scopes,
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: 'state-1',
    });
    expect(new URL(url).origin + new URL(url).pathname).toBe(
      `${engine.issuer}/${TENANT_ID}/oauth2/v2.0/authorize`,
    );

    const callback = new URL(await browserSignIn(url));
    expect(callback.searchParams.get('state')).toBe('state-1');
    const result = await app.acquireTokenByCode({
      code: callback.searchParams.get('code') as string,
      scopes,
      redirectUri: REDIRECT,
      codeVerifier: verifier,
    });
    expect(result.account?.username).toBe('alice');
    expect(result.account?.tenantId).toBe(TENANT_ID);
    // MSAL's local account id is the user's object id (oid) when the ID token has one.
    const { oid } = result.idTokenClaims as { oid?: string };
    expect(oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.account?.localAccountId).toBe(oid);
    expect(result.account?.name).toBe('Alice Example');
    expect(result.idTokenClaims).toMatchObject({
      iss: tenant.issuer,
      aud: 'web-app',
      tid: TENANT_ID,
      ver: '2.0',
    });
    expect(decodeJwt(result.accessToken)).toMatchObject({
      aud: ORDERS_API,
      scp: 'orders.read',
      tid: TENANT_ID,
      azp: 'web-app',
      preferred_username: 'alice',
    });
  });
});

/** RFC 7636 S256 pair, as an app's code makes one (MSAL's CryptoProvider would too). */
async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const { CryptoProvider } = await import('@azure/msal-node');
  return new CryptoProvider().generatePkceCodes();
}

/** The user at the browser: the sandbox's login form over HTTPS, trusting the local CA. */
async function browserSignIn(url: string): Promise<string> {
  return new FormBrowser({ fetch: fetchTrusting(ca) }).signIn(url, 'alice', 'alice-pw');
}
