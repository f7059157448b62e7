import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimsPreview } from '../../shared/contract';
import type { Client, TokenDetail, Workspace } from '../../shared/schemas';
import { FormBrowser } from '../helpers/browser-session';
import { startTestEngine } from '../helpers/engine';
import { basic, postForm, REDIRECT, tokenRequest } from '../helpers/oauth-http';

/**
 * Claim mapping: a client's mappings change exactly that client's tokens (ID, access, userinfo,
 * introspection), workspace scope claims release a claim only with their scope, a machine client
 * carries its static values, and the preview and the token drawer say why each claim is there.
 */
const NS = 'https://example.com/';
const SEED: Workspace = {
  settings: { scope_claims: { orders: ['cost_center'] } },
  users: [
    {
      username: 'alice',
      password: 'alice-pw',
      sub: 'alice-sub',
      claims: {
        name: 'Alice Example',
        email: 'alice@example.test',
        roles: ['admin'],
        dept: 'research',
        tenant: 'acme',
        cost_center: 'cc-42',
      },
    },
  ],
  clients: [
    {
      client_id: 'orders',
      client_secret: 'orders-secret',
      redirect_uris: [REDIRECT],
      scope: 'openid profile email orders',
      audience: ['orders-api'],
      custom_claims: 'all',
      claim_mappings: [
        // Renamed and namespaced, into the access token and introspection only.
        { name: `${NS}roles`, source: { user_claim: 'roles' }, tokens: ['access', 'introspection'] },
        { name: 'department', source: { user_claim: 'dept' }, tokens: ['id', 'userinfo'] },
        // A static value, also in the client's machine tokens.
        { name: 'app', source: { value: 'orders-app' }, tokens: ['access', 'id'], machine: true },
        // Only when the orders scope is granted; only in introspection.
        { name: 'audit', source: { value: { level: 2 } }, tokens: ['introspection'], scopes: ['orders'] },
      ],
      grant_types: ['authorization_code', 'client_credentials'],
    },
    {
      client_id: 'plain',
      client_secret: 'plain-secret',
      redirect_uris: [REDIRECT],
      scope: 'openid profile email orders',
      audience: ['orders-api'],
    },
    {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      introspect_any_token: true,
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

/** Runs `check` with the client `orders` changed by `patch`, then puts it back as it was. */
async function withOrders(patch: Record<string, unknown>, check: () => Promise<void>) {
  const { created_at, updated_at, ...input } = (await engine.call('clients.get', {
    client_id: 'orders',
  })) as Client;
  await engine.call('clients.update', { ...input, ...patch });
  try {
    await check();
  } finally {
    await engine.call('clients.update', input);
  }
}

async function signIn(clientId: string, scope: string) {
  const config = await oidc.discovery(
    new URL(engine.issuer),
    clientId,
    undefined,
    oidc.ClientSecretBasic(`${clientId}-secret`),
    { execute: [oidc.allowInsecureRequests] },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await new FormBrowser().signIn(url.href, 'alice', 'alice-pw');
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const id = await jwtVerify(tokens.id_token as string, jwks, { issuer: engine.issuer, audience: clientId });
  const access = await jwtVerify(tokens.access_token, jwks, {
    issuer: engine.issuer,
    audience: 'orders-api',
    typ: 'at+jwt',
  });
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice-sub');
  const introspection = await postForm(
    engine.issuer,
    '/introspect',
    { token: tokens.access_token },
    { authorization: basic('gateway', 'gateway-secret') },
  );
  return {
    tokens,
    id: id.payload,
    access: access.payload,
    userinfo: userinfo as Record<string, unknown>,
    introspection: introspection.json as Record<string, unknown>,
  };
}

describe('a client-specific mapping changes exactly the tokens of that client', () => {
  it('the client without mappings gets every custom claim as before; scope claims need their scope', async () => {
    const plain = await signIn('plain', 'openid profile email');
    const custom = { roles: ['admin'], dept: 'research', tenant: 'acme' };
    expect(plain.id).toMatchObject({ name: 'Alice Example', email: 'alice@example.test', ...custom });
    expect(plain.access).toMatchObject(custom);
    expect(plain.userinfo).toMatchObject(custom);
    expect(plain.introspection).toMatchObject({ active: true, ...custom });
    // cost_center is released by the workspace scope `orders` only.
    for (const answer of [plain.id, plain.access, plain.userinfo, plain.introspection]) {
      expect(answer).not.toHaveProperty('cost_center');
      expect(answer).not.toHaveProperty(`${NS}roles`);
      expect(answer).not.toHaveProperty('department');
      expect(answer).not.toHaveProperty('app');
    }
    const granted = await signIn('plain', 'openid orders');
    expect(granted.access).toMatchObject({ cost_center: 'cc-42' });
    expect(granted.id).toMatchObject({ cost_center: 'cc-42' });
  });

  it('the mapped client gets renamed, namespaced and static claims where mapped, and nowhere else', async () => {
    const mapped = await signIn('orders', 'openid profile email');
    // ID token: standard scope claims as always, dept renamed, the static value; roles only for APIs.
    expect(mapped.id).toMatchObject({
      name: 'Alice Example',
      email: 'alice@example.test',
      department: 'research',
      tenant: 'acme',
      app: 'orders-app',
    });
    expect(mapped.id).not.toHaveProperty('roles');
    expect(mapped.id).not.toHaveProperty(`${NS}roles`);
    expect(mapped.id).not.toHaveProperty('dept');
    // Access token: namespaced roles and the static value; dept is not mapped there.
    expect(mapped.access).toMatchObject({ [`${NS}roles`]: ['admin'], app: 'orders-app', tenant: 'acme' });
    for (const name of ['roles', 'dept', 'department', 'audit'])
      expect(mapped.access).not.toHaveProperty(name);
    // Userinfo follows the userinfo mappings, not the access token's.
    expect(mapped.userinfo).toMatchObject({ sub: 'alice-sub', department: 'research', tenant: 'acme' });
    for (const name of ['roles', `${NS}roles`, 'app', 'dept'])
      expect(mapped.userinfo).not.toHaveProperty(name);
    // Introspection: the token's claims, less `app` (access and ID only); `audit` needs the orders scope.
    expect(mapped.introspection).toMatchObject({ active: true, [`${NS}roles`]: ['admin'], tenant: 'acme' });
    expect(mapped.introspection).not.toHaveProperty('app');
    expect(mapped.introspection).not.toHaveProperty('audit');
  });

  it('a scope-gated mapping applies only when its scope is granted', async () => {
    const mapped = await signIn('orders', 'openid orders');
    expect(mapped.introspection).toMatchObject({ audit: { level: 2 }, cost_center: 'cc-42' });
    expect(mapped.access).not.toHaveProperty('audit');
  });

  it('mapped_only drops the custom claims the client does not map', async () => {
    await withOrders({ custom_claims: 'mapped_only' }, async () => {
      const mapped = await signIn('orders', 'openid profile');
      expect(mapped.id).not.toHaveProperty('tenant');
      expect(mapped.access).not.toHaveProperty('tenant');
      expect(mapped.id).toMatchObject({ name: 'Alice Example', department: 'research' });
    });
  });
});

describe('machine tokens', () => {
  it('client_credentials tokens carry the static values marked machine', async () => {
    const response = await tokenRequest(
      engine.issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic('orders', 'orders-secret') },
    );
    expect(response.status).toBe(200);
    const { payload } = await jwtVerify(response.json.access_token, jwks, {
      issuer: engine.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: 'orders', client_id: 'orders', app: 'orders-app' });
    for (const name of ['tenant', `${NS}roles`, 'audit']) expect(payload).not.toHaveProperty(name);
    const plain = await tokenRequest(
      engine.issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic('gateway', 'gateway-secret') },
    );
    const machine = await jwtVerify(plain.json.access_token, jwks, { issuer: engine.issuer, typ: 'at+jwt' });
    expect(machine.payload).not.toHaveProperty('app');
  });
});

describe('why each claim is there', () => {
  it('the preview gives a reason for every claim of every token kind', async () => {
    const preview = (await engine.call('users.previewClaims', {
      username: 'alice',
      client_id: 'orders',
      scope: 'openid profile orders',
    })) as ClaimsPreview;
    expect(preview.reasons.id_token).toMatchObject({
      name: 'from scope `profile`',
      department: 'mapped by client `orders` (user claim `dept` → `department`)',
      tenant: 'custom claim of the user (all custom claims)',
      cost_center: 'from scope `orders` (workspace scope claims)',
      app: 'static value of client `orders`',
      iss: 'protocol claim',
      sub: 'protocol claim',
    });
    expect(preview.reasons.access_token).toMatchObject({
      [`${NS}roles`]: 'mapped by client `orders` (user claim `roles` → `https://example.com/roles`)',
      scope: 'protocol claim',
    });
    expect(preview.introspection).toMatchObject({ active: true, audit: { level: 2 } });
    expect(preview.reasons.introspection).toMatchObject({
      audit: 'static value of client `orders`, with scope `orders`',
      active: 'protocol claim',
    });
    expect(preview.introspection).not.toHaveProperty('app');
    // Every claim shown has its reason, and no reason names a claim not shown.
    for (const kind of ['id_token', 'access_token', 'userinfo', 'introspection'] as const) {
      expect(Object.keys(preview.reasons[kind]).sort()).toEqual(Object.keys(preview[kind]).sort());
    }
    // The same user through the client without mappings: the defaults.
    const plain = (await engine.call('users.previewClaims', {
      username: 'alice',
      client_id: 'plain',
      scope: 'openid profile',
    })) as ClaimsPreview;
    expect(plain.reasons.access_token).toMatchObject({
      roles: 'custom claim of the user (all custom claims)',
    });
    expect(plain.access_token).not.toHaveProperty('cost_center');
  });

  it('the token drawer explains an issued token from its client, scope and user', async () => {
    const { access } = await signIn('orders', 'openid profile');
    const detail = (await engine.call('tokens.get', { id: String(access.jti) })) as TokenDetail;
    expect(detail.claim_reasons).toMatchObject({
      [`${NS}roles`]: 'mapped by client `orders` (user claim `roles` → `https://example.com/roles`)',
      app: 'static value of client `orders`',
      jti: 'protocol claim',
    });
    expect(detail.introspection_reasons).toMatchObject({
      active: 'protocol claim',
      tenant: expect.any(String),
    });
    expect(detail.introspection).not.toHaveProperty('app');

    // The reasons follow today's configuration: a claim it no longer produces says so.
    await withOrders({ custom_claims: 'mapped_only' }, async () => {
      const after = (await engine.call('tokens.get', { id: String(access.jti) })) as TokenDetail;
      expect(after.claim_reasons?.tenant).toMatch(/^not from the current configuration/);
      expect(after.claim_reasons?.app).toBe('static value of client `orders`');
    });
  });

  it('a reference access token is introspected with the same mappings', async () => {
    await withOrders({ access_token_format: 'reference' }, async () => {
      const response = await tokenRequest(
        engine.issuer,
        { grant_type: 'client_credentials' },
        { authorization: basic('orders', 'orders-secret') },
      );
      const introspection = await postForm(
        engine.issuer,
        '/introspect',
        { token: response.json.access_token },
        { authorization: basic('gateway', 'gateway-secret') },
      );
      // `app` goes into access tokens and ID tokens only: a reference token keeps it, introspection not.
      expect(introspection.json).toMatchObject({ active: true, client_id: 'orders' });
      expect(introspection.json).not.toHaveProperty('app');
    });
  });

  // The endpoint skips deciding claims when no mapping or profile can change them (claim-mapping.ts
  // introspectionMayReshape); the token drawer always decides. Both must answer alike.
  it('/introspect answers exactly what the token drawer decides, with and without mappings', async () => {
    const compare = async (token: string, expected: Record<string, unknown>) => {
      const answer = await postForm(
        engine.issuer,
        '/introspect',
        { token },
        { authorization: basic('gateway', 'gateway-secret') },
      );
      expect(answer.json).toMatchObject({ active: true, ...expected });
      const detail = (await engine.call('tokens.get', { id: String(answer.json.jti) })) as TokenDetail;
      expect(answer.json).toEqual(detail.introspection);
    };
    const machine = async (client: string) =>
      (
        await tokenRequest(
          engine.issuer,
          { grant_type: 'client_credentials' },
          { authorization: basic(client, `${client}-secret`) },
        )
      ).json.access_token as string;
    // No mappings: a user's custom claims, and a machine token's none.
    const plain = await signIn('plain', 'openid profile');
    await compare(plain.tokens.access_token, { tenant: 'acme', roles: ['admin'] });
    await compare(await machine('gateway'), { client_id: 'gateway' });
    // Mappings into access and introspection: renamed, static and scope-gated claims.
    await compare((await signIn('orders', 'openid orders')).tokens.access_token, {
      [`${NS}roles`]: ['admin'],
      audit: { level: 2 },
    });
    // Mappings into the ID token and userinfo only: the token's own claims, of either format.
    const idOnly = [{ name: 'department', source: { user_claim: 'dept' }, tokens: ['id', 'userinfo'] }];
    await withOrders({ claim_mappings: idOnly }, async () => {
      const mapped = await signIn('orders', 'openid profile');
      await compare(mapped.tokens.access_token, { tenant: 'acme', roles: ['admin'] });
    });
    await withOrders({ claim_mappings: idOnly, access_token_format: 'reference' }, async () => {
      await compare(await machine('orders'), { client_id: 'orders' });
    });
  });
});

describe('validation', () => {
  const base = { client_id: 'bad', client_secret: 'x', grant_types: ['client_credentials'] };
  const refused = async (claim_mappings: unknown[]) => {
    const error = await engine.call('clients.create', { ...base, claim_mappings }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    return String((error as Error).message);
  };

  it('refuses mapping onto a protocol claim, naming it and what to do', async () => {
    const message = await refused([{ name: 'sub', source: { value: 'x' }, tokens: ['access'] }]);
    expect(message).toContain('"sub" is a protocol claim');
    expect(message).toContain('https://example.com/sub');
  });

  it('refuses a mapping without exactly one source, a machine mapping of a user claim, and no token kinds', async () => {
    expect(await refused([{ name: 'a', source: {}, tokens: ['access'] }])).toContain('exactly one source');
    expect(
      await refused([{ name: 'a', source: { user_claim: 'roles' }, tokens: ['access'], machine: true }]),
    ).toContain('has no user');
    expect(await refused([{ name: 'a', source: { value: 1 }, tokens: [] }])).toContain(
      'at least one token kind',
    );
  });

  it('refuses a standard scope in the workspace scope claims', async () => {
    const error = await engine
      .call('settings.update', { scope_claims: { profile: ['roles'] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(String((error as Error).message)).toContain('standard OIDC scope');
  });
});
