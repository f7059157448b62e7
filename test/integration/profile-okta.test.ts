/**
 * The Okta profile against Okta's own token verifier, @okta/jwt-verifier, unmodified: configured with
 * the authorization server's issuer as Okta's docs say (it derives the JWKS URL itself, `${issuer}/v1/keys`,
 * and reads no discovery), with the one documented option a plain-http sandbox needs
 * (`testing: { disableHttpsCheck: true }`), and `assertClaims` on Okta's own claims (cid, scp).
 */

import OktaJwtVerifier from '@okta/jwt-verifier';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { openidClientCodeFlow } from '../helpers/openid-client-flow';
import { startProfileIssuers } from '../helpers/profile-issuers';

/** Okta's default custom authorization server: its name is "default", its audience api://default. */
const AUDIENCE = 'api://default';
const REDIRECT = 'http://127.0.0.1:8080/authorization-code/callback';

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { email: 'alice@example.test' } }],
  clients: [
    {
      client_id: 'orders-worker',
      client_secret: 'orders-worker-secret',
      grant_types: ['client_credentials'],
      scope: 'orders.read',
      audience: [AUDIENCE],
    },
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid profile email orders.read',
      audience: [AUDIENCE],
    },
  ],
};

let engine: Awaited<ReturnType<typeof startProfileIssuers>>['engine'];
let server: IssuerSummary;
let otherServer: IssuerSummary;

beforeAll(async () => {
  let issuers: IssuerSummary[];
  ({ engine, issuers } = await startProfileIssuers('okta', ['default', 'partners'], SEED));
  [server, otherServer] = issuers as [IssuerSummary, IssuerSummary];
});
afterAll(async () => {
  await engine?.cleanup();
});

/** The verifier as Okta's docs configure it; the https check is the one thing a local http issuer needs off. */
function verifier(options: { issuer?: string; assertClaims?: Record<string, unknown> } = {}) {
  // The library warns on the console whenever the https check is off; expected here.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return new OktaJwtVerifier({
    issuer: options.issuer ?? server.issuer,
    testing: { disableHttpsCheck: true },
    ...(options.assertClaims ? { assertClaims: options.assertClaims } : {}),
  });
}

/** A machine token as Okta's docs ask for one: client_secret_basic, a custom scope, at /v1/token. */
async function machineToken(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/v1/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('orders-worker:orders-worker-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders.read' }),
  });
  const body = (await response.json()) as { access_token?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.access_token as string;
}

describe('@okta/jwt-verifier against an Okta-profile authorization server', () => {
  it('refuses the http issuer unless the documented testing option is set', () => {
    expect(() => new OktaJwtVerifier({ issuer: server.issuer })).toThrow(
      'Your Okta URL must start with https.',
    );
  });

  it('verifies a client_credentials access token for its audience, asserting cid', async () => {
    const token = await machineToken(server.issuer);
    const jwt = await verifier({ assertClaims: { cid: 'orders-worker' } }).verifyAccessToken(token, AUDIENCE);
    expect(jwt.claims).toMatchObject({ iss: server.issuer, aud: AUDIENCE, cid: 'orders-worker', ver: 1 });
    expect(jwt.claims.scp).toEqual(['orders.read']);
  });

  it('refuses another client (cid), another audience and another authorization server', async () => {
    const token = await machineToken(server.issuer);
    await expect(verifier().verifyAccessToken(token, 'api://payments')).rejects.toThrow(
      `audience claim ${AUDIENCE} does not match expected audience: api://payments`,
    );
    // Signed with the other server's keys: not in this server's /v1/keys.
    const foreign = await machineToken(otherServer.issuer);
    await expect(verifier().verifyAccessToken(foreign, AUDIENCE)).rejects.toThrow(/signing key|kid/i);
    await expect(
      verifier({ assertClaims: { cid: 'someone-else' } }).verifyAccessToken(token, AUDIENCE),
    ).rejects.toThrow("claim 'cid' value 'orders-worker' does not match expected value 'someone-else'");
  });

  it('verifies the access and ID tokens of a code + PKCE sign-in (uid, scp, nonce)', async () => {
    const config = await oidc.discovery(
      new URL(server.issuer),
      'web',
      'web-secret',
      oidc.ClientSecretBasic('web-secret'),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const { tokens, nonce } = await openidClientCodeFlow(config, {
      redirectUri: REDIRECT,
      scope: 'openid profile email orders.read',
      username: 'alice',
      password: 'alice-pw',
    });

    const access = await verifier({
      assertClaims: { cid: 'web', 'scp.includes': ['openid', 'orders.read'] },
    }).verifyAccessToken(tokens.access_token, AUDIENCE);
    expect(access.claims).toMatchObject({ ver: 1, cid: 'web' });
    expect(access.claims.uid).toMatch(/^00u\w{17}$/);
    const id = await verifier().verifyIdToken(tokens.id_token as string, 'web', nonce);
    expect(id.claims).toMatchObject({ iss: server.issuer, aud: 'web', nonce, preferred_username: 'alice' });
  });
});
