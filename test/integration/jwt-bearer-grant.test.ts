import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInput, EngineEvent, Workspace } from '../../shared/schemas';
import {
  type AssertionKeyPair,
  type AssertionOptions,
  assertionKeyPair,
  signAssertion,
} from '../helpers/assertion-keys';
import { startTestEngine } from '../helpers/engine';

// RFC 7523 §2.1 / §3: the JWT bearer authorization grant, driven by openid-client v6's
// genericGrantRequest, strictly (its only allowance is plain HTTP on loopback). Assertions are signed
// with jose by issuers the clients trust; every issued access token is verified with jose.

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'https://issuer.example';
const REMOTE_ISSUER = 'https://remote-issuer.example';

const now = () => Math.floor(Date.now() / 1000);

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let providerJwks: ReturnType<typeof createRemoteJWKSet>;
let issuerKey: AssertionKeyPair;
let remoteKey: AssertionKeyPair;
let jwksServer: http.Server;
let jwksUrl: string;
const configs = new Map<string, oidc.Configuration>();

function seed(): Workspace {
  const trusted = { issuer: ISSUER, jwks: { keys: [issuerKey.publicJwk] } };
  const client = (client_id: string, fields: Partial<ClientInput>): ClientInput => ({
    client_id,
    client_secret: `${client_id}-secret`,
    grant_types: [GRANT],
    scope: 'openid profile orders:read orders:write',
    ...fields,
  });
  return {
    users: [
      { username: 'alice', sub: 'alice-sub', claims: { name: 'Alice Example' } },
      { username: 'bob', claims: {} },
    ],
    clients: [
      client('app', {
        audience: ['orders-api'],
        jwt_bearer: {
          trusted_issuers: [trusted, { issuer: REMOTE_ISSUER, jwks_uri: jwksUrl }],
          allowed_scopes: ['openid', 'profile', 'orders:read'],
        },
      }),
      client('strict', { jwt_bearer: { trusted_issuers: [{ ...trusted, subject_match: 'sub' }] } }),
      client('public-app', {
        client_secret: undefined,
        token_endpoint_auth_method: 'none',
        jwt_bearer: { trusted_issuers: [trusted] },
      }),
      client('no-grant', { grant_types: ['client_credentials'], jwt_bearer: { trusted_issuers: [trusted] } }),
    ],
  };
}

beforeAll(async () => {
  issuerKey = await assertionKeyPair('RS256', 'issuer-1');
  remoteKey = await assertionKeyPair('ES256', 'remote-1');
  // The remote issuer publishes its keys on a port of its own.
  jwksServer = http.createServer((_request, response) => {
    response.setHeader('content-type', 'application/jwk-set+json');
    response.end(JSON.stringify({ keys: [remoteKey.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  engine = await startTestEngine({ seed: seed(), inMemory: true });
  providerJwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});

afterAll(async () => {
  await engine?.cleanup();
  jwksServer?.close();
});

/** openid-client for a seeded client, strict but for plain HTTP on loopback. */
async function rp(clientId: string): Promise<oidc.Configuration> {
  const known = configs.get(clientId);
  if (known) return known;
  const auth = clientId === 'public-app' ? oidc.None() : oidc.ClientSecretBasic(`${clientId}-secret`);
  const config = await oidc.discovery(new URL(engine.issuer), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  configs.set(clientId, config);
  return config;
}

/** An assertion from the trusted issuer (RS256) about alice, changed as the test says. */
function assertion(options: AssertionOptions = {}): Promise<string> {
  return signAssertion({ iss: ISSUER, sub: 'alice-sub', aud: engine.issuer, signer: issuerKey }, options);
}

async function grant(clientId: string, parameters: Record<string, string>) {
  return oidc.genericGrantRequest(await rp(clientId), GRANT, parameters);
}

/** The OAuth error the grant is refused with. */
async function refused(clientId: string, parameters: Record<string, string>) {
  try {
    await grant(clientId, parameters);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) {
      return { status: error.status, error: error.error, description: error.error_description ?? '' };
    }
    throw error;
  }
  throw new Error('The grant was not refused');
}

async function expectInvalidGrant(value: string, description: RegExp, clientId = 'app') {
  const answer = await refused(clientId, { assertion: value });
  expect(answer).toMatchObject({ status: 400, error: 'invalid_grant' });
  expect(answer.description).toMatch(description);
}

async function verifyAccessToken(token: string, audience: string) {
  const { payload, protectedHeader } = await jwtVerify(token, providerJwks, {
    issuer: engine.issuer,
    audience,
    typ: 'at+jwt',
  });
  expect(protectedHeader.typ).toBe('at+jwt');
  return payload;
}

describe('the JWT bearer grant (RFC 7523)', () => {
  it('is listed in discovery', async () => {
    expect((await rp('app')).serverMetadata().grant_types_supported).toContain(GRANT);
  });

  it("trades a trusted issuer's assertion for the user's access token, with no refresh or ID token", async () => {
    const result = await grant('app', { assertion: await assertion() });
    expect(result.token_type).toBe('bearer');
    // The client's allowed_scopes for this grant, not its whole scope.
    expect(result.scope).toBe('openid profile orders:read');
    expect(result.refresh_token).toBeUndefined();
    expect(result.id_token).toBeUndefined();
    const claims = await verifyAccessToken(result.access_token, 'orders-api');
    expect(claims).toMatchObject({ sub: 'alice-sub', client_id: 'app', scope: 'openid profile orders:read' });

    // The token works where a user's does.
    const userinfo = await fetch(`${engine.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${result.access_token}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: 'alice-sub', name: 'Alice Example' });

    const events = (await engine.call('events.list', {
      type: 'token.issued',
      client_id: 'app',
    })) as EngineEvent[];
    expect(events[0]).toMatchObject({
      username: 'alice',
      data: { grant_type: GRANT, kind: 'access', assertion_issuer: ISSUER },
    });
  });

  it('narrows to a requested scope, and accepts aud as the token endpoint', async () => {
    const result = await grant('app', {
      assertion: await assertion({ claims: { aud: [`${engine.issuer}/token`, 'https://other.example'] } }),
      scope: 'orders:read',
    });
    expect(result.scope).toBe('orders:read');
    await verifyAccessToken(result.access_token, 'orders-api');
    const wider = await refused('app', { assertion: await assertion(), scope: 'orders:write' });
    expect(wider).toMatchObject({ status: 400, error: 'invalid_scope' });
    expect(wider.description).toMatch(/may not get scope 'orders:write' with the jwt-bearer grant/);
  });

  it('finds the user by username when no subject matches, unless the issuer matches by subject only', async () => {
    const bob = await grant('app', { assertion: await assertion({ claims: { sub: 'bob' } }) });
    const bobUser = (await engine.call('users.get', { username: 'bob' })) as { sub: string };
    expect((await verifyAccessToken(bob.access_token, 'orders-api')).sub).toBe(bobUser.sub);
    await expectInvalidGrant(
      await assertion({ claims: { sub: 'bob' } }),
      /sub 'bob' is no user's subject \(trusted issuer 'https:\/\/issuer.example' matches sub by subject\)/,
      'strict',
    );
  });

  it('verifies with a jwks_uri on another port', async () => {
    const signed = await assertion({
      claims: { iss: REMOTE_ISSUER },
      header: { alg: 'ES256', kid: 'remote-1' },
      key: remoteKey.privateKey,
    });
    const result = await grant('app', { assertion: signed });
    expect((await verifyAccessToken(result.access_token, 'orders-api')).sub).toBe('alice-sub');
    const other = await assertionKeyPair('ES256', 'remote-1');
    await expectInvalidGrant(
      await assertion({
        claims: { iss: REMOTE_ISSUER },
        header: { alg: 'ES256', kid: 'remote-1' },
        key: other.privateKey,
      }),
      /signature does not verify with the registered key of trusted issuer 'https:\/\/remote-issuer.example'/,
    );
  });

  it('lets a public client use it when configured', async () => {
    const result = await grant('public-app', { assertion: await assertion() });
    expect((await verifyAccessToken(result.access_token, 'public-app')).sub).toBe('alice-sub');
  });
});

describe('assertions refused, each with a clear invalid_grant', () => {
  it('refuses an unknown issuer, naming the trusted ones', async () => {
    await expectInvalidGrant(
      await assertion({ claims: { iss: 'https://stranger.example' } }),
      /iss 'https:\/\/stranger.example' is not a trusted issuer of client 'app' \(trusted: 'https:\/\/issuer.example', 'https:\/\/remote-issuer.example'\)/,
    );
    await expectInvalidGrant(await assertion({ omit: ['iss'] }), /has no 'iss' claim/);
  });

  it('refuses a key that is not the issuer’s, and an unknown kid', async () => {
    const other = await assertionKeyPair('RS256', 'issuer-1');
    await expectInvalidGrant(
      await assertion({ key: other.privateKey }),
      /signature does not verify with the registered key of trusted issuer 'https:\/\/issuer.example'/,
    );
    await expectInvalidGrant(
      await assertion({ key: other.privateKey, header: { alg: 'RS256', kid: 'nope' } }),
      /No key registered for trusted issuer 'https:\/\/issuer.example' matches the assertion \(kid 'nope'\)/,
    );
  });

  it('refuses an expired assertion, one without exp, one issued too long ago and one not yet valid', async () => {
    await expectInvalidGrant(
      await assertion({ claims: { iat: now() - 120, exp: now() - 60 } }),
      /The assertion expired at/,
    );
    await expectInvalidGrant(await assertion({ omit: ['exp'] }), /The assertion has no 'exp' claim/);
    await expectInvalidGrant(
      await assertion({ claims: { iat: now() - 600, exp: now() + 3000 } }),
      /issued at .*, more than 300 s ago/,
    );
    await expectInvalidGrant(
      await assertion({ claims: { nbf: now() + 600 } }),
      /The assertion is not valid before/,
    );
  });

  it('refuses a wrong aud, naming what it must be', async () => {
    await expectInvalidGrant(
      await assertion({ claims: { aud: 'https://elsewhere.example' } }),
      /aud must be one of .*\/token.* \(got 'https:\/\/elsewhere.example'\)/,
    );
  });

  it('refuses a replayed jti; an assertion without one (RFC 7523 makes jti optional) is good until it expires', async () => {
    const once = await assertion();
    await grant('app', { assertion: once });
    await expectInvalidGrant(once, /jti .* was already used/);
    // Clients without a jti (authlib, Go) send byte-identical assertions within one second: both work.
    const withoutJti = await assertion({ omit: ['jti'] });
    expect((await grant('app', { assertion: withoutJti })).access_token).toBeTruthy();
    expect((await grant('app', { assertion: withoutJti })).access_token).toBeTruthy();
  });

  it('refuses an assertion without sub, or whose sub is no user', async () => {
    await expectInvalidGrant(await assertion({ omit: ['sub'] }), /The assertion has no 'sub' claim/);
    await expectInvalidGrant(
      await assertion({ claims: { sub: 'nobody' } }),
      /sub 'nobody' is no user's subject or username/,
    );
  });

  it('refuses alg none and HS256 keyed with the public key (no algorithm confusion)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: ISSUER, sub: 'alice-sub', aud: engine.issuer, exp: now() + 60, jti: randomUUID() };
    await expectInvalidGrant(
      `${encode({ alg: 'none' })}.${encode(claims)}.`,
      /alg 'none' is not allowed for trusted issuer 'https:\/\/issuer.example' \(allowed: RS256, /,
    );
    const confused = await assertion({
      header: { alg: 'HS256', kid: 'issuer-1' },
      key: new TextEncoder().encode(issuerKey.publicJwk.n as string),
    });
    await expectInvalidGrant(confused, /alg 'HS256' is not allowed for trusted issuer/);
  });

  it('refuses a request without an assertion, or with one that is not a JWT', async () => {
    expect(await refused('app', {})).toMatchObject({
      error: 'invalid_request',
      description: "The 'assertion' parameter is missing.",
    });
    await expectInvalidGrant('not-a-jwt', /assertion is not a JWT/);
  });

  it('answers unauthorized_client to a client without the grant, whatever it trusts', async () => {
    expect(await refused('no-grant', { assertion: await assertion() })).toMatchObject({
      status: 400,
      error: 'unauthorized_client',
      description: expect.stringMatching(/not allowed the urn:ietf:params:oauth:grant-type:jwt-bearer grant/),
    });
  });
});

describe('registering a client for the jwt-bearer grant', () => {
  const base = { client_id: 'new', client_secret: 'new-secret', grant_types: [GRANT], scope: 'openid' };
  const refusal = (input: unknown) => engine.call('clients.create', input as ClientInput);

  it('needs a trusted issuer, with exactly one of jwks and jwks_uri, of public keys, and scopes of its own', async () => {
    await expect(refusal(base)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/jwt-bearer grant needs at least one trusted issuer/),
    });
    await expect(
      refusal({ ...base, jwt_bearer: { trusted_issuers: [{ issuer: ISSUER }] } }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/needs its public keys: jwks or jwks_uri, exactly one/),
    });
    const privateJwk = { ...(await exportJWK(issuerKey.privateKey)), kid: 'leaky' };
    await expect(
      refusal({
        ...base,
        jwt_bearer: { trusted_issuers: [{ issuer: ISSUER, jwks: { keys: [privateJwk] } }] },
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/jwks holds only public keys; key 0 \(kid "leaky"\)/),
    });
    await expect(
      refusal({
        ...base,
        jwt_bearer: { trusted_issuers: [{ issuer: ISSUER, jwks_uri: jwksUrl }], allowed_scopes: ['admin'] },
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/allowed_scopes may only narrow .* "admin" is not in it/),
    });
    const clients = (await engine.call('clients.list', {})) as Array<{ client_id: string }>;
    expect(clients.map((c) => c.client_id)).not.toContain('new');
  });

  it('keeps the policy in the workspace export and takes it back on import', async () => {
    const exported = (await engine.call('workspace.export', {})) as Workspace;
    const app = exported.clients?.find((c) => c.client_id === 'app');
    expect(app?.jwt_bearer?.trusted_issuers?.map((t) => [t.issuer, t.subject_match])).toEqual([
      [ISSUER, 'sub_then_username'],
      [REMOTE_ISSUER, 'sub_then_username'],
    ]);
    await engine.call('workspace.import', { clients: [{ ...app, client_id: 'app-copy' }] });
    const copy = (await engine.call('clients.get', { client_id: 'app-copy' })) as { jwt_bearer: unknown };
    expect(copy.jwt_bearer).toEqual(app?.jwt_bearer);
  });
});
