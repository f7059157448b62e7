/**
 * Microservices validating the provider's tokens: unmodified third-party verifiers, each the rendered recipe
 * running as its own process on its own port, asked with real tokens. Each answer is the verifier's own
 * conclusion (200 with the claims it saw, or 401):
 * - express-jwt + jwks-rsa (Node) and PyJWT's PyJWKClient (Python) check JWT access tokens against the JWKS;
 * - authlib (Python) checks tokens by introspection (RFC 7662) and its client revokes them (RFC 7009);
 * - coreos/go-oidc (Go, Debian's packages, built offline) checks ID tokens.
 * Then the signing key is rotated and the old one retired, with every verifier.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHLIB_API_FILE, AUTHLIB_CLIENT_FILE, authlibRecipe } from '../../shared/recipes/authlib';
import { EXPRESS_JWT_API_FILE, expressJwtRecipe } from '../../shared/recipes/express-jwt';
import { GO_OIDC_FILE, goOidcRecipe } from '../../shared/recipes/go-oidc';
import { PYJWT_API_FILE, pyjwtRecipe } from '../../shared/recipes/pyjwt';
import type { RecipeClient, RecipeInput } from '../../shared/recipes/types';
import {
  askVerifier,
  linkNodeModules,
  runToEnd,
  startVerifier,
  type Verifier,
  writeRecipe,
} from './apps/verifiers/run';
import { kidOf, mintToken, passwordSignIn, requestTokens, waitPast } from './apps/verifiers/tokens';
import { buildGoProgram, checkGoOidc, checkPythonModules, DEBIAN_PYTHON } from './apps/verifiers/toolchains';
import { type InteropProvider, startProvider } from './provider';

const ALICE = {
  username: 'alice',
  password: 'alice-password',
  sub: 'alice-0001',
  claims: { name: 'Alice Liddell', roles: ['buyer'] },
};
/** Calls the orders API (JWT access tokens for audience orders-api) and signs users in (ID tokens). */
const ORDERS_WEB = {
  client_id: 'orders-web',
  client_secret: 'orders-web-secret',
  grant_types: ['client_credentials', 'password'],
  audience: ['orders-api'],
  scope: 'openid profile orders:read',
};
/** Calls the reports API with reference tokens, which only introspection can check. */
const REPORTS_SERVICE = {
  client_id: 'reports-service',
  client_secret: 'reports-service-secret',
  grant_types: ['client_credentials'],
  access_token_format: 'reference',
  audience: ['reports-api'],
  scope: 'reports:read',
};
/** Another app: its ID tokens are not for orders-web's backend. */
const BILLING_WEB = {
  client_id: 'billing-web',
  client_secret: 'billing-web-secret',
  grant_types: ['password'],
  scope: 'openid profile',
};

let provider: InteropProvider;
let ordersInput: RecipeInput;
let reportsInput: RecipeInput;
let goVerifierBinary: string;
const recipeDirs: string[] = [];
/** Every verifier started, even one still starting when a setup step fails, so afterAll stops them all. */
const verifiers: Promise<Verifier>[] = [];

function track(started: Promise<Verifier>): Promise<Verifier> {
  verifiers.push(started);
  return started;
}

function saveRecipe(files: Parameters<typeof writeRecipe>[0]): string {
  const dir = writeRecipe(files);
  recipeDirs.push(dir);
  return dir;
}

function startExpressJwtApi(): Promise<Verifier> {
  const dir = saveRecipe(expressJwtRecipe.render(ordersInput));
  linkNodeModules(dir);
  return track(startVerifier(process.execPath, [path.join(dir, EXPRESS_JWT_API_FILE)]));
}

function startPyjwtApi(): Promise<Verifier> {
  const dir = saveRecipe(pyjwtRecipe.render(ordersInput));
  return track(startVerifier(DEBIAN_PYTHON, [path.join(dir, PYJWT_API_FILE)]));
}

function startGoOidcBackend(): Promise<Verifier> {
  return track(startVerifier(goVerifierBinary, []));
}

async function clientInput(client_id: string): Promise<RecipeInput> {
  return {
    issuer: provider.issuer,
    client: await provider.admin<RecipeClient>('clients.get', { client_id }),
  };
}

let expressJwtApi: Verifier;
let pyjwtApi: Verifier;
let authlibApi: Verifier;
let authlibClientFile: string;
let goOidcBackend: Verifier;

/** Tokens of the current (first) signing key. */
let accessToken: string;
let idToken: string;
let expired: { access: string; id: string; reference: string };

/** The answer of a verifier that refused the token, for the reason `reason` says. */
function refused(reason: RegExp) {
  return { status: 401, body: { error: 'invalid_token', error_description: expect.stringMatching(reason) } };
}

function authlibClient(...args: string[]): Promise<string> {
  return runToEnd(DEBIAN_PYTHON, [authlibClientFile, ...args]);
}

beforeAll(async () => {
  // Before anything starts: a machine without the toolchains fails here, with how to install them.
  checkPythonModules();
  checkGoOidc();
  provider = await startProvider({
    seed: { users: [ALICE], clients: [ORDERS_WEB, REPORTS_SERVICE, BILLING_WEB] },
  });
  // Minted first so that their one second has passed by the time the verifiers are up.
  const [expiredAccess, expiredId, expiredReference] = await Promise.all([
    mintToken(provider, { client_id: ORDERS_WEB.client_id, ttl: 1 }),
    mintToken(provider, { client_id: ORDERS_WEB.client_id, username: ALICE.username, kind: 'id', ttl: 1 }),
    mintToken(provider, { client_id: REPORTS_SERVICE.client_id, ttl: 1 }),
  ]);
  expired = { access: expiredAccess.value, id: expiredId.value, reference: expiredReference.value };

  ordersInput = await clientInput(ORDERS_WEB.client_id);
  reportsInput = await clientInput(REPORTS_SERVICE.client_id);
  const authlibDir = saveRecipe(authlibRecipe.render(reportsInput));
  authlibClientFile = path.join(authlibDir, AUTHLIB_CLIENT_FILE);
  const goDir = saveRecipe(goOidcRecipe.render(ordersInput));
  [goVerifierBinary, expressJwtApi, pyjwtApi, authlibApi] = await Promise.all([
    buildGoProgram(goDir, GO_OIDC_FILE),
    startExpressJwtApi(),
    startPyjwtApi(),
    track(startVerifier(DEBIAN_PYTHON, [path.join(authlibDir, AUTHLIB_API_FILE)])),
  ]);
  goOidcBackend = await startGoOidcBackend();

  accessToken = (await requestTokens(provider, ORDERS_WEB, { grant_type: 'client_credentials' }))
    .access_token;
  idToken = await passwordSignIn(provider, ORDERS_WEB, ALICE, 'openid profile');
  await waitPast(Math.max(expiredAccess.exp, expiredId.exp, expiredReference.exp));
});

afterAll(async () => {
  const started = await Promise.allSettled(verifiers);
  await Promise.all(
    started.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)),
  );
  await provider?.close();
  for (const dir of recipeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const jwtApis = [
  { name: 'express-jwt + jwks-rsa (Node)', api: () => expressJwtApi },
  { name: "PyJWT's PyJWKClient (Python)", api: () => pyjwtApi },
];

describe.each(jwtApis)('an API verifying JWT access tokens with $name', ({ api }) => {
  it('accepts an access token from client_credentials and sees its claims', async () => {
    const answer = await askVerifier(api(), '/api/me', accessToken);
    expect(answer).toMatchObject({
      status: 200,
      body: {
        iss: provider.issuer,
        aud: 'orders-api',
        sub: ORDERS_WEB.client_id,
        client_id: ORDERS_WEB.client_id,
        scope: 'orders:read',
      },
    });
  });

  it('refuses a token for another audience', async () => {
    const { value } = await mintToken(provider, {
      client_id: ORDERS_WEB.client_id,
      audience: ['billing-api'],
    });
    expect(await askVerifier(api(), '/api/me', value)).toEqual(refused(/audience/i));
  });

  it('refuses an expired token', async () => {
    expect(await askVerifier(api(), '/api/me', expired.access)).toEqual(refused(/expired/i));
  });
});

describe('an API checking tokens by introspection with authlib (Python)', () => {
  it("accepts a reference token fetched by authlib's client and sees what introspection said", async () => {
    const token = await authlibClient('token');
    expect(token.split('.')).toHaveLength(1);
    const answer = await askVerifier(authlibApi, '/api/me', token);
    expect(answer).toMatchObject({
      status: 200,
      body: { active: true, aud: 'reports-api', client_id: REPORTS_SERVICE.client_id, scope: 'reports:read' },
    });
  });

  it('refuses a reference token for another audience', async () => {
    const { value } = await mintToken(provider, {
      client_id: REPORTS_SERVICE.client_id,
      audience: ['orders-api'],
    });
    expect(await askVerifier(authlibApi, '/api/me', value)).toEqual(refused(/not for this API/));
  });

  it('refuses an expired reference token', async () => {
    expect(await askVerifier(authlibApi, '/api/me', expired.reference)).toEqual(refused(/expired, revoked/));
  });

  it("refuses a token at once after authlib's client revoked it", async () => {
    const token = await authlibClient('token');
    expect((await askVerifier(authlibApi, '/api/me', token)).status).toBe(200);

    expect(await authlibClient('revoke', token)).toBe('revoked');

    expect(JSON.parse(await authlibClient('introspect', token))).toEqual({ active: false });
    expect(await askVerifier(authlibApi, '/api/me', token)).toEqual(refused(/expired, revoked/));
  });
});

describe('a Go backend verifying ID tokens with coreos/go-oidc', () => {
  it('accepts the ID token of a password sign-in and sees its claims', async () => {
    const answer = await askVerifier(goOidcBackend, '/me', idToken);
    expect(answer).toMatchObject({
      status: 200,
      body: { iss: provider.issuer, aud: ORDERS_WEB.client_id, sub: ALICE.sub, name: ALICE.claims.name },
    });
  });

  it('refuses an ID token issued to another client', async () => {
    const billingIdToken = await passwordSignIn(provider, BILLING_WEB, ALICE, 'openid');
    expect(await askVerifier(goOidcBackend, '/me', billingIdToken)).toEqual(
      refused(/expected audience "orders-web"/),
    );
  });

  it('refuses an expired ID token', async () => {
    expect(await askVerifier(goOidcBackend, '/me', expired.id)).toEqual(refused(/token is expired/));
  });
});

describe('key rotation and retirement, with every verifier', () => {
  let oldKid: string;
  let oldReportsJwt: string;
  let newAccessToken: string;
  let newIdToken: string;
  let newReportsJwt: string;

  /** A JWT access token of reports-service, which authlib's API checks by introspection like any other. */
  async function reportsJwt(): Promise<string> {
    return (await mintToken(provider, { client_id: REPORTS_SERVICE.client_id, format: 'jwt' })).value;
  }

  it('after keys.rotate, the running verifiers accept tokens signed with the new kid, and still the old one', async () => {
    oldKid = kidOf(accessToken);
    oldReportsJwt = await reportsJwt();
    expect(kidOf(oldReportsJwt)).toBe(oldKid);

    const { kid: newKid } = await provider.admin<{ kid: string }>('keys.rotate', {});
    expect(newKid).not.toBe(oldKid);
    newAccessToken = (await requestTokens(provider, ORDERS_WEB, { grant_type: 'client_credentials' }))
      .access_token;
    newIdToken = await passwordSignIn(provider, ORDERS_WEB, ALICE, 'openid');
    newReportsJwt = await reportsJwt();
    expect([kidOf(newAccessToken), kidOf(newIdToken), kidOf(newReportsJwt)]).toEqual([
      newKid,
      newKid,
      newKid,
    ]);

    const statuses = async (token: { access: string; id: string; reports: string }) => ({
      expressJwt: (await askVerifier(expressJwtApi, '/api/me', token.access)).status,
      pyjwt: (await askVerifier(pyjwtApi, '/api/me', token.access)).status,
      authlib: (await askVerifier(authlibApi, '/api/me', token.reports)).status,
      goOidc: (await askVerifier(goOidcBackend, '/me', token.id)).status,
    });
    const everyOneAccepts = { expressJwt: 200, pyjwt: 200, authlib: 200, goOidc: 200 };
    expect(await statuses({ access: newAccessToken, id: newIdToken, reports: newReportsJwt })).toEqual(
      everyOneAccepts,
    );
    expect(await statuses({ access: accessToken, id: idToken, reports: oldReportsJwt })).toEqual(
      everyOneAccepts,
    );
  });

  it('after keys.retire of the old kid, fresh verifiers and introspection refuse tokens signed with it', async () => {
    const retired = await provider.admin<{ kid: string; status: string }>('keys.retire', { kid: oldKid });
    expect(retired).toMatchObject({ kid: oldKid, status: 'retired' });
    const [freshExpressJwt, freshPyjwt, freshGoOidc] = await Promise.all([
      startExpressJwtApi(),
      startPyjwtApi(),
      startGoOidcBackend(),
    ]);

    // Each refuses for want of the key: jwks-rsa finds no key for the kid and hands express-jwt none.
    expect({
      expressJwt: await askVerifier(freshExpressJwt, '/api/me', accessToken),
      pyjwt: await askVerifier(freshPyjwt, '/api/me', accessToken),
      authlib: await askVerifier(authlibApi, '/api/me', oldReportsJwt),
      goOidc: await askVerifier(freshGoOidc, '/me', idToken),
    }).toEqual({
      expressJwt: refused(/secret or public key must be provided/),
      pyjwt: refused(new RegExp(`Unable to find a signing key that matches: "${oldKid}"`)),
      authlib: refused(/expired, revoked/),
      goOidc: refused(/failed to verify id token signature/),
    });
    // The same verifiers still accept the new key's tokens: the refusal is about the retired key alone.
    const acceptedNew = {
      expressJwt: (await askVerifier(freshExpressJwt, '/api/me', newAccessToken)).status,
      pyjwt: (await askVerifier(freshPyjwt, '/api/me', newAccessToken)).status,
      authlib: (await askVerifier(authlibApi, '/api/me', newReportsJwt)).status,
      goOidc: (await askVerifier(freshGoOidc, '/me', newIdToken)).status,
    };
    expect(acceptedNew).toEqual({ expressJwt: 200, pyjwt: 200, authlib: 200, goOidc: 200 });
  });
});
