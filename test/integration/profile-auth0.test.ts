/**
 * The Auth0 profile against Auth0's own API middleware, express-oauth2-jwt-bearer, unmodified: an
 * Express API on its own port configured as Auth0's quickstart says (`auth({ issuerBaseURL, audience })`,
 * the tenant URL and the API identifier), and machine tokens asked for as Auth0's docs show (a form POST
 * of client_credentials with client_secret_post and `audience` to /oauth/token).
 */
import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { listenOnLoopback, startProfileIssuers } from '../helpers/profile-issuers';

const ORDERS_API = 'https://orders.example/api';
const BILLING_API = 'https://billing.example/api';

/** Machine clients as an Auth0 tenant has them: each authorized for one API (its audience). */
const SEED: Workspace = {
  clients: [
    {
      client_id: 'orders-worker',
      client_secret: 'orders-worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'read:orders',
      audience: [ORDERS_API],
    },
    {
      client_id: 'billing-worker',
      client_secret: 'billing-worker-secret',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'read:invoices',
      audience: [BILLING_API],
    },
  ],
};

/** What the library's errors carry (UnauthorizedError and its subclasses). */
interface ApiError {
  status?: number;
  code?: string;
  message: string;
  headers?: Record<string, string>;
}

let engine: Awaited<ReturnType<typeof startProfileIssuers>>['engine'];
let tenant: IssuerSummary;
let otherTenant: IssuerSummary;
let api: Awaited<ReturnType<typeof listenOnLoopback>>;

beforeAll(async () => {
  let issuers: IssuerSummary[];
  ({ engine, issuers } = await startProfileIssuers('auth0', ['dev-tenant', 'other-tenant'], SEED));
  [tenant, otherTenant] = issuers as [IssuerSummary, IssuerSummary];

  // The API of Auth0's Express quickstart: the tenant's URL (http is allowed: the library fetches
  // discovery and JWKS with node's http or https module by the URL's scheme) and the API identifier.
  const app = express();
  app.use(auth({ issuerBaseURL: tenant.issuer, audience: ORDERS_API }));
  app.get('/orders', (request, response) => {
    response.json({ payload: request.auth?.payload });
  });
  // As an API's error handler does: the library's status and WWW-Authenticate header, its message as JSON.
  app.use(
    (error: ApiError, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
      response
        .status(error.status ?? 500)
        .set(error.headers ?? {})
        .json({ code: error.code, message: error.message });
    },
  );
  api = await listenOnLoopback(app);
});
afterAll(async () => {
  await api?.close();
  await engine?.cleanup();
});

/** A machine token as Auth0's docs ask for one (form body, client_secret_post, `audience`). */
async function machineToken(issuer: string, clientId: string, audience: string): Promise<string> {
  const response = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: `${clientId}-secret`,
      audience,
    }),
  });
  const body = (await response.json()) as { access_token?: string; token_type?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(body.token_type).toBe('Bearer');
  return body.access_token as string;
}

async function callApi(token: string) {
  const response = await fetch(`${api.origin}/orders`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: (await response.json()) as { payload?: Record<string, unknown>; message?: string },
  };
}

describe('express-oauth2-jwt-bearer (Auth0’s API middleware) against an Auth0-profile issuer', () => {
  it('accepts a client_credentials token of the tenant for its API', async () => {
    const token = await machineToken(tenant.issuer, 'orders-worker', ORDERS_API);
    const answer = await callApi(token);
    expect(answer.status, answer.body.message).toBe(200);
    expect(answer.body.payload).toMatchObject({
      iss: tenant.issuer,
      aud: ORDERS_API,
      scope: 'read:orders',
      // Auth0's machine-token claims (the profile's claim shapes).
      azp: 'orders-worker',
      gty: 'client-credentials',
    });
    expect(tenant.issuer.endsWith('/')).toBe(true);
  });

  it('refuses a token of another tenant, for the same API', async () => {
    const token = await machineToken(otherTenant.issuer, 'orders-worker', ORDERS_API);
    expect(decodeJwt(token).aud).toBe(ORDERS_API);
    const answer = await callApi(token);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('error="invalid_token"');
    // Each tenant signs with keys of its own: the tenant's JWKS has no key for it.
    expect(answer.body.message).toMatch(/no applicable key found in the JSON Web Key Set/);
  });

  it('refuses a token of the tenant for another API', async () => {
    const token = await machineToken(tenant.issuer, 'billing-worker', BILLING_API);
    const answer = await callApi(token);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('error="invalid_token"');
    expect(answer.body.message).toMatch(/aud/);
  });

  it('answers 401 with a Bearer challenge when no token is sent', async () => {
    const response = await fetch(`${api.origin}/orders`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api"/);
  });
});
