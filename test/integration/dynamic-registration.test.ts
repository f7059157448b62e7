import * as oidc from 'openid-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssuerSummary } from '../../shared/issuers';
import type { Client, EngineEvent } from '../../shared/schemas';
import { assertionKeyPair } from '../helpers/assertion-keys';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import { expectOAuthError, type JsonResponse, listTokens, obtainCode, REDIRECT } from '../helpers/oauth-http';

/**
 * RFC 7591 dynamic client registration and RFC 7592 management, driven by openid-client v6 (its
 * dynamicClientRegistration) and by raw JSON requests for what it does not send: off by default, on per
 * issuer setting, registered clients used at once, managed with their registration access token only.
 */

startFileEngine({
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
  clients: [{ client_id: 'worker', client_secret: 'worker-secret', grant_types: ['client_credentials'] }],
});

const insecure = { execute: [oidc.allowInsecureRequests] };

async function setSettings(patch: Record<string, unknown>): Promise<void> {
  await engine.call('settings.update', patch);
}

async function discovery(): Promise<Record<string, unknown>> {
  return (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
}

/** One JSON request to the registration API, read as the tests read OAuth answers. */
async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; contentType?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${issuer}${path}`, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null, text };
}

const register = (body: unknown, token?: string) =>
  call('POST', '/register', { body, ...(token === undefined ? {} : { token }) });

/** Where an RFC 7592 request goes: the registration_client_uri, as a path on the engine. */
const managed = (registered: { registration_client_uri: string }) =>
  new URL(registered.registration_client_uri).pathname;

const clients = async () => (await engine.call('clients.list', {})) as Client[];

/** Collects the events recorded while a test runs. */
let events: EngineEvent[] = [];
let unsubscribe: () => void = () => {};
beforeEach(() => {
  events = [];
  unsubscribe = engine.subscribe((event) => events.push(event));
});
afterEach(async () => {
  unsubscribe();
  await setSettings({ dynamic_registration: false, registration_initial_access_token: null });
});

describe('registration off (the default)', () => {
  it('discovery has no registration_endpoint and the endpoint refuses, saying how to turn it on', async () => {
    expect(
      ((await engine.call('settings.get', {})) as { dynamic_registration: boolean }).dynamic_registration,
    ).toBe(false);
    expect(await discovery()).not.toHaveProperty('registration_endpoint');
    const before = await clients();
    const refused = await register({ redirect_uris: [REDIRECT] });
    expectOAuthError(refused, 403, 'access_denied');
    expect(refused.json.error_description).toContain('dynamic_registration');
    expectOAuthError(await call('GET', '/register/worker', { token: 'anything' }), 403, 'access_denied');
    await expect(
      oidc.dynamicClientRegistration(new URL(issuer), { redirect_uris: [REDIRECT] }, undefined, insecure),
    ).rejects.toThrow(/registration_endpoint/);
    expect(await clients()).toEqual(before);
  });
});

describe('registration on', () => {
  beforeEach(async () => {
    await setSettings({ dynamic_registration: true });
  });

  it('discovery lists the endpoint; openid-client registers a client that gets a token at once', async () => {
    expect((await discovery()).registration_endpoint).toBe(`${issuer}/register`);
    const config = await oidc.dynamicClientRegistration(
      new URL(issuer),
      {
        client_name: 'Registered worker',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'orders:read',
        client_uri: 'https://example.com/ignored',
      },
      undefined,
      insecure,
    );
    const registered = config.clientMetadata();
    expect(registered).toMatchObject({
      client_name: 'Registered worker',
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'orders:read',
      client_secret_expires_at: 0,
    });
    expect(registered.client_secret).toEqual(expect.any(String));
    expect(registered.client_id_issued_at).toBeCloseTo(Date.now() / 1000, -1);
    expect(registered.registration_client_uri).toBe(`${issuer}/register/${registered.client_id}`);
    expect(registered.registration_access_token).toEqual(expect.any(String));
    // Metadata the engine does not use is ignored, not echoed back as if registered.
    expect(registered).not.toHaveProperty('client_uri');

    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });
    expect(tokens.access_token).toEqual(expect.any(String));

    // An ordinary client in the admin API, marked as registered, announced by the admin API's event.
    const listed = (await clients()).find((client) => client.client_id === registered.client_id);
    expect(listed).toMatchObject({ client_name: 'Registered worker', registered_at: expect.any(String) });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'client.created',
        client_id: registered.client_id,
        data: { dynamic_registration: true },
      }),
    );
    // The registration access token is stored only as a hash: nothing returned by the admin API has it.
    const exported = JSON.stringify(await engine.call('workspace.export', {}));
    expect(exported).not.toContain(registered.registration_access_token as string);
    expect(exported).not.toContain('registered_at');
  });

  it('a public client registered by openid-client signs a user in with the code flow', async () => {
    const config = await oidc.dynamicClientRegistration(
      new URL(issuer),
      {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      oidc.None(),
      insecure,
    );
    const { client_id, client_secret, scope } = config.clientMetadata();
    expect(client_secret).toBeUndefined();
    // No scope asked: the engine's default scope.
    expect(scope).toBe('openid profile email offline_access');
    const result = await obtainCode(issuer, { clientId: client_id, scope: 'openid offline_access' });
    const tokens = await oidc.authorizationCodeGrant(config, result.callback, {
      pkceCodeVerifier: result.verifier as string,
      expectedState: 'state-1',
      expectedNonce: 'nonce-1',
    });
    expect(tokens.claims()?.sub).toBe('alice-sub');
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('registers a private_key_jwt client with its jwks, which authenticates with its key', async () => {
    const key = await assertionKeyPair('ES256', 'dcr-key');
    const config = await oidc.dynamicClientRegistration(
      new URL(issuer),
      {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [key.publicJwk] },
      },
      oidc.PrivateKeyJwt({ key: key.privateKey, kid: 'dcr-key' }),
      insecure,
    );
    const registered = config.clientMetadata();
    expect(registered.client_secret).toBeUndefined();
    expect(registered.jwks).toEqual({ keys: [key.publicJwk] });
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('RFC 7592: reads, updates and deletes with the registration access token only', async () => {
    const created = await register({
      client_name: 'Before',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const path = managed(created.json);
    const token = created.json.registration_access_token as string;
    const other = (await register({ grant_types: ['client_credentials'] })).json;

    // Read: the same client information, with the same token.
    const read = await call('GET', path, { token });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created.json);
    // Refused without the token, with a wrong one, with another client's, and for an admin-made client.
    const missing = await call('GET', path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectOAuthError(await call('GET', path, { token: `${token}x` }), 401, 'invalid_token');
    expectOAuthError(
      await call('GET', path, { token: other.registration_access_token }),
      401,
      'invalid_token',
    );
    expectOAuthError(await call('GET', '/register/worker', { token }), 401, 'invalid_token');

    // Update: the whole metadata is replaced; the secret stays; refused for another client_id or a chosen secret.
    const update = { ...created.json, client_name: 'After', redirect_uris: ['http://127.0.0.1:5173/after'] };
    expectOAuthError(
      await call('PUT', path, { token, body: { ...update, client_id: other.client_id } }),
      400,
      'invalid_client_metadata',
    );
    expectOAuthError(
      await call('PUT', path, { token, body: { ...update, client_secret: 'chosen-by-the-client' } }),
      400,
      'invalid_client_metadata',
    );
    const updated = await call('PUT', path, { token, body: update });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({
      client_name: 'After',
      redirect_uris: ['http://127.0.0.1:5173/after'],
      client_secret: created.json.client_secret,
      registration_access_token: token,
    });
    expect(await engine.call('clients.get', { client_id: created.json.client_id })).toMatchObject({
      client_name: 'After',
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'client.updated', client_id: created.json.client_id }),
    );

    // Delete: its tokens are revoked with it, and the token no longer opens anything.
    const basic = Buffer.from(`${created.json.client_id}:${created.json.client_secret}`).toString('base64');
    const token2 = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: 'grant_type=client_credentials',
    });
    expect(token2.status).toBe(200);
    const deleted = await call('DELETE', path, { token });
    expect(deleted.status).toBe(204);
    expect((await clients()).map((client) => client.client_id)).not.toContain(created.json.client_id);
    const left = await listTokens(engine, { client_id: created.json.client_id });
    expect(left.map((t) => t.state)).toEqual(['revoked']);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'client.deleted',
        client_id: created.json.client_id,
        data: { dynamic_registration: true, revoked_tokens: 1 },
      }),
    );
    expectOAuthError(await call('GET', path, { token }), 401, 'invalid_token');
  });

  it('refuses invalid metadata with the RFC 7591 error, and writes nothing', async () => {
    const before = await clients();
    const cases: [unknown, string, RegExp][] = [
      [{ redirect_uris: ['not a uri'] }, 'invalid_redirect_uri', /redirect_uris\[0\]/],
      [{ redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri', /fragment/],
      [{}, 'invalid_redirect_uri', /authorization_code grant needs at least one redirect URI/],
      [{ grant_types: ['implicit'], redirect_uris: [REDIRECT] }, 'invalid_client_metadata', /grant_types/],
      [{ response_types: ['token'], redirect_uris: [REDIRECT] }, 'invalid_client_metadata', /'token'/],
      [
        { response_types: ['code'], grant_types: ['client_credentials'] },
        'invalid_client_metadata',
        /section 2\.1/,
      ],
      [
        { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
        'invalid_client_metadata',
        /confidential/,
      ],
      [
        { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' },
        'invalid_client_metadata',
        /jwks or jwks_uri/,
      ],
      [
        { grant_types: ['client_credentials'], token_endpoint_auth_method: 'tls_client_auth' },
        'invalid_client_metadata',
        /token_endpoint_auth_method/,
      ],
      [
        { grant_types: ['client_credentials'], scope: 'a "quoted" scope' },
        'invalid_client_metadata',
        /scope/,
      ],
      [[{ redirect_uris: [REDIRECT] }], 'invalid_client_metadata', /one JSON object/],
      [{ software_statement: 'eyJ.e30.sig' }, 'unapproved_software_statement', /software statements/],
    ];
    for (const [body, error, description] of cases) {
      const refused = await register(body);
      expectOAuthError(refused, 400, error);
      expect(refused.json.error_description, JSON.stringify(body)).toMatch(description);
    }
    const form = await call('POST', '/register', {
      body: 'redirect_uris=http://127.0.0.1:5173/callback',
      contentType: 'application/x-www-form-urlencoded',
    });
    expectOAuthError(form, 400, 'invalid_client_metadata');
    expect(form.json.error_description).toContain('application/json');
    // JSON that does not parse is refused before the endpoint runs, as a malformed request.
    const broken = await call('POST', '/register', { body: '{"redirect_uris": [' });
    expectOAuthError(broken, 400, 'invalid_request');
    expect(broken.json.error_description).toMatch(/JSON/i);
    // openid-client surfaces the RFC 7591 error to its caller.
    await expect(
      oidc.dynamicClientRegistration(
        new URL(issuer),
        { redirect_uris: ['relative/path'] },
        undefined,
        insecure,
      ),
    ).rejects.toMatchObject({ error: 'invalid_redirect_uri' });
    expect(await clients()).toEqual(before);
    expect(events.filter((event) => event.type === 'client.created')).toEqual([]);
  });

  it('with an initial access token set, only a registration bearing it succeeds (RFC 7591 §3)', async () => {
    const initial = 'initial-access-token-0123456789';
    await setSettings({ registration_initial_access_token: initial });
    const metadata = { grant_types: ['client_credentials'] };
    expect((await register(metadata)).status).toBe(401);
    expectOAuthError(await register(metadata, 'wrong-initial-access-token'), 401, 'invalid_token');
    const config = await oidc.dynamicClientRegistration(new URL(issuer), metadata, undefined, {
      ...insecure,
      initialAccessToken: initial,
    });
    expect(config.clientMetadata().client_id).toEqual(expect.any(String));
  });

  it('turned off again, registered clients keep working but their registration API is closed', async () => {
    const created = (await register({ grant_types: ['client_credentials'] })).json;
    await setSettings({ dynamic_registration: false });
    expect(await discovery()).not.toHaveProperty('registration_endpoint');
    expectOAuthError(
      await call('GET', managed(created), { token: created.registration_access_token }),
      403,
      'access_denied',
    );
    expect((await clients()).map((client) => client.client_id)).toContain(created.client_id);
  });

  it('a browser app on any origin may register (CORS, bearer-authenticated)', async () => {
    const preflight = await fetch(`${issuer}/register`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const response = await fetch(`${issuer}/register`, {
      method: 'POST',
      headers: { origin: 'http://localhost:6274', 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'] }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('per issuer', () => {
  it('is on for one issuer only, at its own path, and registers there', async () => {
    const realm = (await engine.call('issuers.create', {
      name: 'mcp',
      profile: 'keycloak',
    })) as IssuerSummary;
    await engine.call('settings.update', { dynamic_registration: true }, { issuer: realm.id });
    expect(await discovery()).not.toHaveProperty('registration_endpoint');
    const metadata = (await (await fetch(realm.discovery_url)).json()) as Record<string, unknown>;
    expect(metadata.registration_endpoint).toBe(`${realm.issuer}/clients-registrations/openid-connect`);

    const config = await oidc.dynamicClientRegistration(
      new URL(realm.issuer),
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
      undefined,
      insecure,
    );
    const { client_id, registration_client_uri } = config.clientMetadata();
    expect(registration_client_uri).toBe(`${realm.issuer}/clients-registrations/openid-connect/${client_id}`);
    expect((await oidc.clientCredentialsGrant(config)).access_token).toEqual(expect.any(String));
    const atRealm = (await engine.call('clients.list', {}, { issuer: realm.id })) as Client[];
    expect(atRealm.map((client) => client.client_id)).toEqual([client_id]);
    expect((await clients()).map((client) => client.client_id)).not.toContain(client_id);
  });
});
