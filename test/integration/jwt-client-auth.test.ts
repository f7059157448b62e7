import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, ClientInput } from '../../shared/schemas';
import {
  type AssertionKeyPair,
  type AssertionOptions,
  assertionKeyPair,
  signAssertion,
} from '../helpers/assertion-keys';
import { TOKEN_ENDPOINT_SEED } from '../helpers/endpoint-seeds';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import {
  basic,
  expectOAuthError,
  type JsonResponse,
  obtainCode,
  postForm,
  REDIRECT,
} from '../helpers/oauth-http';

/**
 * private_key_jwt and client_secret_jwt client authentication (RFC 7523 §2.2, OIDC Core §9): driven
 * by openid-client v6, strictly (plain HTTP on loopback is its one allowance), then hand-made
 * assertions that are wrong in one way each.
 */

startFileEngine(TOKEN_ENDPOINT_SEED);

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const HMAC_SECRET = 'a-shared-secret-long-enough-for-hs256-0123456789';

/** A JWKS server on its own port, counting how often the provider fetches it. */
function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks` }),
    ),
  );
}

let rsa: AssertionKeyPair;
let ec: AssertionKeyPair;
let jwksServer: { server: http.Server; url: string };
let silentServer: { server: http.Server; url: string };
let jwksFetches = 0;

const serviceClient = (client_id: string, fields: Partial<ClientInput>): ClientInput => ({
  client_id,
  grant_types: ['client_credentials'],
  scope: 'orders:read',
  ...fields,
});

beforeAll(async () => {
  rsa = await assertionKeyPair('RS256', 'rsa-1');
  ec = await assertionKeyPair('ES256', 'ec-1');
  jwksServer = await listen((_request, response) => {
    jwksFetches += 1;
    response.setHeader('content-type', 'application/jwk-set+json');
    response.end(JSON.stringify({ keys: [ec.publicJwk] }));
  });
  // Accepts the connection and never answers.
  silentServer = await listen(() => undefined);
  const clients: ClientInput[] = [
    serviceClient('svc-keys', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [rsa.publicJwk] },
    }),
    serviceClient('svc-remote', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksServer.url }),
    serviceClient('svc-silent', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: silentServer.url,
    }),
    serviceClient('svc-hmac', {
      token_endpoint_auth_method: 'client_secret_jwt',
      client_secret: HMAC_SECRET,
    }),
    {
      client_id: 'web-keys',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [rsa.publicJwk] },
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
  ];
  for (const client of clients) await engine.call('clients.create', client);
});

afterAll(async () => {
  jwksServer.server.close();
  silentServer.server.closeAllConnections();
  silentServer.server.close();
});

/** openid-client, strict, with the single allowance of plain HTTP on loopback. */
function rp(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

const withRsaKey = () => oidc.PrivateKeyJwt({ key: rsa.privateKey, kid: 'rsa-1' });

describe('openid-client authenticating with client assertions', () => {
  it('discovery lists both methods and the algorithms their assertions may use, at every endpoint', async () => {
    const meta = (await rp('svc-keys', withRsaKey())).serverMetadata();
    for (const endpoint of ['token', 'introspection', 'revocation']) {
      expect(meta[`${endpoint}_endpoint_auth_methods_supported`]).toEqual(
        expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']),
      );
      const algs = meta[`${endpoint}_endpoint_auth_signing_alg_values_supported`];
      expect(algs).toEqual(expect.arrayContaining(['RS256', 'ES256', 'PS256', 'EdDSA', 'HS256']));
      expect(algs).not.toContain('none');
    }
  });

  it('private_key_jwt with inline jwks: client_credentials, introspection and revocation', async () => {
    const config = await rp('svc-keys', withRsaKey());
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.access_token).toEqual(expect.any(String));
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, client_id: 'svc-keys' });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('private_key_jwt redeems an authorization code and a refresh token', async () => {
    const config = await rp('web-keys', withRsaKey());
    const result = await obtainCode(issuer, { clientId: 'web-keys' });
    const tokens = await oidc.authorizationCodeGrant(config, result.callback, {
      pkceCodeVerifier: result.verifier as string,
      expectedState: 'state-1',
      expectedNonce: 'nonce-1',
    });
    expect(tokens.claims()).toMatchObject({ iss: issuer, aud: 'web-keys', sub: 'alice-sub' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });

  it('private_key_jwt with jwks_uri: fetched from its server once, then reused', async () => {
    const config = await rp('svc-remote', oidc.PrivateKeyJwt({ key: ec.privateKey, kid: 'ec-1' }));
    const before = jwksFetches;
    const first = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    const second = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(second.access_token).not.toBe(first.access_token);
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(true);
    expect(jwksFetches - before).toBe(1);
  });

  it('client_secret_jwt: client_credentials, introspection and revocation', async () => {
    const config = await rp('svc-hmac', oidc.ClientSecretJwt(HMAC_SECRET));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('refuses a client_secret_jwt assertion MACed with another secret', async () => {
    const config = await rp('svc-hmac', oidc.ClientSecretJwt('not-the-secret'));
    await expect(oidc.clientCredentialsGrant(config, { scope: 'orders:read' })).rejects.toMatchObject({
      error: 'invalid_client',
      status: 401,
      error_description: expect.stringContaining('does not verify with the secret'),
    });
  });
});

// ---------------------------------------------------------------- hand-made assertions

const now = () => Math.floor(Date.now() / 1000);

/** An assertion for svc-keys (RS256, kid rsa-1), changed as the test says. */
function assertion(options: AssertionOptions = {}): Promise<string> {
  return signAssertion({ iss: 'svc-keys', sub: 'svc-keys', aud: issuer, signer: rsa }, options);
}

function clientCredentials(
  clientAssertion: string,
  extra: Record<string, string> = {},
): Promise<JsonResponse> {
  return postForm(issuer, '/token', {
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: clientAssertion,
    ...extra,
  });
}

/** A 401 invalid_client whose description says what was wrong. */
function expectRefused(response: JsonResponse, description: RegExp): void {
  expectOAuthError(response, 401, 'invalid_client');
  expect(response.json.error_description).toMatch(description);
}

describe('assertions refused, each with a clear 401 invalid_client', () => {
  it('accepts aud as the issuer, the token endpoint, the endpoint called, or an array holding one', async () => {
    for (const aud of [issuer, `${issuer}/token`, ['https://elsewhere.example', `${issuer}/token`]]) {
      expect((await clientCredentials(await assertion({ claims: { aud } }))).status).toBe(200);
    }
    const token = (await clientCredentials(await assertion())).json.access_token as string;
    const introspected = await postForm(issuer, '/introspect', {
      token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion({ claims: { aud: `${issuer}/introspect` } }),
    });
    expect(introspected.json).toMatchObject({ active: true });
  });

  it('refuses a replayed jti, at the same endpoint and at another', async () => {
    const once = await assertion();
    expect((await clientCredentials(once)).status).toBe(200);
    expectRefused(await clientCredentials(once), /jti .* was already used/);
    const elsewhere = await postForm(issuer, '/introspect', {
      token: 'whatever',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: once,
    });
    expectRefused(elsewhere, /already used/);
  });

  it('refuses a wrong aud, iss different from sub, and a client_id that is not the sub', async () => {
    expectRefused(
      await clientCredentials(await assertion({ claims: { aud: 'https://elsewhere.example' } })),
      /aud must be one of .*\/token.* \(got 'https:\/\/elsewhere.example'\)/,
    );
    expectRefused(
      await clientCredentials(await assertion({ claims: { iss: 'someone-else' } })),
      /iss must be the client_id 'svc-keys' \(got 'someone-else'\)/,
    );
    expectRefused(
      await clientCredentials(await assertion(), { client_id: 'svc-hmac' }),
      /client_id 'svc-hmac' does not match the client assertion's sub 'svc-keys'/,
    );
  });

  it('refuses an expired assertion, one accepted too long, and one without exp or jti', async () => {
    expectRefused(
      await clientCredentials(await assertion({ claims: { exp: now() - 60, iat: now() - 120 } })),
      /expired at/,
    );
    // Accepted for five minutes after iat, whatever exp says (authlib signs exp = iat + 1 hour)...
    const authlibShape = await assertion({ claims: { exp: now() + 3600 } });
    expect((await clientCredentials(authlibShape)).status).toBe(200);
    expectRefused(
      await clientCredentials(await assertion({ claims: { iat: now() - 600, exp: now() + 3000 } })),
      /issued at .*, more than 300 s ago/,
    );
    // ...and without iat, exp itself must be at most five minutes ahead.
    expectRefused(
      await clientCredentials(await assertion({ omit: ['iat'], claims: { exp: now() + 3600 } })),
      /has no iat and is valid for \d+ s more; without iat at most 300 s is accepted/,
    );
    expect((await clientCredentials(await assertion({ omit: ['iat'] }))).status).toBe(200);
    expectRefused(
      await clientCredentials(await assertion({ claims: { iat: now() + 600 } })),
      /iat .* is in the future/,
    );
    expectRefused(await clientCredentials(await assertion({ omit: ['exp'] })), /no 'exp' claim/);
    expectRefused(await clientCredentials(await assertion({ omit: ['jti'] })), /no 'jti' claim/);
  });

  it('refuses alg none and HS256 against an RSA client (no algorithm confusion)', async () => {
    const claims = { iss: 'svc-keys', sub: 'svc-keys', aud: issuer, exp: now() + 60, jti: randomUUID() };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none' })}.${encode(claims)}.`;
    expectRefused(await clientCredentials(unsigned), /alg 'none' is not allowed for private_key_jwt client/);
    // The public key's modulus as an HMAC key: what an alg-confusion attack signs with.
    const confused = await assertion({
      header: { alg: 'HS256', kid: 'rsa-1' },
      key: new TextEncoder().encode(rsa.publicJwk.n as string),
    });
    expectRefused(await clientCredentials(confused), /alg 'HS256' is not allowed .* \(allowed: RS256, /);
  });

  it('refuses an unknown kid and a key that is not the registered one', async () => {
    const other = await assertionKeyPair('RS256', 'rsa-unknown');
    expectRefused(
      await clientCredentials(
        await assertion({ key: other.privateKey, header: { alg: 'RS256', kid: 'rsa-unknown' } }),
      ),
      /No key registered for 'svc-keys' matches the assertion \(kid 'rsa-unknown'\)/,
    );
    expectRefused(
      await clientCredentials(await assertion({ key: other.privateKey })),
      /signature does not verify with the registered key of 'svc-keys'/,
    );
  });

  it('refuses a private_key_jwt client sending a secret, and a secret client sending an assertion', async () => {
    const post = await postForm(issuer, '/token', {
      grant_type: 'client_credentials',
      client_id: 'svc-keys',
      client_secret: 'guess',
    });
    expectRefused(post, /registered for private_key_jwt, but the request used client_secret_post/);
    const asWorker = await assertion({ claims: { iss: 'worker', sub: 'worker' } });
    expectRefused(await clientCredentials(asWorker), /'worker' is registered for client_secret_post/);
    // Both at once is a malformed request.
    const both = await postForm(
      issuer,
      '/token',
      {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(),
      },
      { authorization: basic('web', 'web-secret') },
    );
    expectOAuthError(both, 400, 'invalid_request');
  });

  it('refuses a wrong client_assertion_type and an assertion that is not a JWT', async () => {
    const wrongType = await postForm(issuer, '/token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:example:other',
      client_assertion: await assertion(),
    });
    expectRefused(
      wrongType,
      /client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer/,
    );
    expectRefused(await clientCredentials('not-a-jwt'), /client_assertion is not a JWT/);
  });

  it('says so when a jwks_uri does not answer in time', async () => {
    const silent = await assertion({ claims: { iss: 'svc-silent', sub: 'svc-silent' } });
    const response = await clientCredentials(silent);
    expectRefused(response, /jwks_uri http:\/\/127.0.0.1:\d+\/jwks did not answer within 3000 ms/);
  }, 10_000);
});

describe('registering a client for JWT authentication', () => {
  it('refuses a jwks holding a private key, naming the key and its private members', async () => {
    const privateJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'leaky' };
    await expect(
      engine.call(
        'clients.create',
        serviceClient('leaky', {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [privateJwk] },
        }),
      ),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /jwks holds only public keys; key 0 \(kid "leaky"\) has private material \(d, p, q, dp, dq, qi\)/,
      ),
    });
  });

  it('needs jwks or jwks_uri (not both) for private_key_jwt, and an HMAC alg for client_secret_jwt', async () => {
    const cases: Array<[Partial<ClientInput>, RegExp]> = [
      [{ token_endpoint_auth_method: 'private_key_jwt' }, /needs the client's public keys: jwks or jwks_uri/],
      [
        {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [rsa.publicJwk] },
          jwks_uri: jwksServer.url,
        },
        /jwks or jwks_uri, not both/,
      ],
      [
        { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'RS256' },
        /client_secret_jwt assertions are signed with one of HS256, HS384, HS512/,
      ],
      [
        { token_endpoint_auth_method: 'client_secret_basic', jwks_uri: jwksServer.url },
        /used only by private_key_jwt/,
      ],
    ];
    for (const [fields, message] of cases) {
      await expect(engine.call('clients.create', serviceClient('bad', fields))).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(message),
      });
    }
  });

  it('stores a private_key_jwt client without a secret and a client_secret_jwt one with its secret', async () => {
    const keyed = (await engine.call('clients.get', { client_id: 'svc-keys' })) as Client;
    expect(keyed).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      client_secret: null,
      jwks: { keys: [rsa.publicJwk] },
      jwks_uri: null,
    });
    const hmac = (await engine.call('clients.get', { client_id: 'svc-hmac' })) as Client;
    expect(hmac).toMatchObject({
      token_endpoint_auth_method: 'client_secret_jwt',
      client_secret: HMAC_SECRET,
    });
  });
});
