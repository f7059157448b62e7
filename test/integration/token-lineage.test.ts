import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Token, TokenDetail, Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { basic, listTokens, postForm, REDIRECT, signedInTokens, tokenRequest } from '../helpers/oauth-http';

// Token lineage as the admin API shows it: each token's issuing grant type, the token it was exchanged
// or refreshed from (parent) and those issued from it (children), for a delegation chain of two RFC
// 8693 exchanges driven by openid-client v6 and a refresh rotation.

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: {} }],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access orders:read',
      access_token_format: 'jwt',
      audience: ['orders-api'],
    },
    {
      client_id: 'orders-api',
      client_secret: 'orders-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'orders:read',
      audience: ['orders-api'],
      token_exchange: { allowed_audiences: ['billing-api'] },
    },
    {
      // Reference tokens: its exchanged token's `act` is in the stored claims, not a JWT payload.
      client_id: 'billing-api',
      client_secret: 'billing-secret',
      grant_types: [EXCHANGE, 'client_credentials'],
      scope: 'billing:read',
      audience: ['billing-api'],
      access_token_format: 'reference',
      token_exchange: { allowed_audiences: ['ledger-api'] },
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
  jwks = createRemoteJWKSet(new URL(`${engine.issuer}/jwks`));
});
afterAll(async () => {
  await engine.cleanup();
});

/** openid-client for a seeded client (secret `<first word>-secret`), strict but for HTTP on loopback. */
function rp(clientId: string): Promise<oidc.Configuration> {
  const secret = `${clientId.split('-')[0]}-secret`;
  return oidc.discovery(new URL(engine.issuer), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Delegation: `clientId` exchanges the subject token, acting with its own client_credentials token. */
async function exchangeAsActor(clientId: string, subjectToken: string, audience: string) {
  const config = await rp(clientId);
  const actor = await oidc.clientCredentialsGrant(config);
  return oidc.genericGrantRequest(config, EXCHANGE, {
    subject_token: subjectToken,
    subject_token_type: ACCESS,
    actor_token: actor.access_token,
    actor_token_type: ACCESS,
    audience,
  });
}

const detail = (id: string) => engine.call('tokens.get', { id }) as Promise<TokenDetail>;

async function jtiOf(jwt: string): Promise<string> {
  const { payload } = await jwtVerify(jwt, jwks, { issuer: engine.issuer });
  return String(payload.jti);
}

/** The introspection answer's jti: a reference token's id. */
async function idOfReference(value: string): Promise<string> {
  const response = await postForm(
    engine.issuer,
    '/introspect',
    { token: value },
    {
      authorization: basic('billing-api', 'billing-secret'),
    },
  );
  expect(response.json.active).toBe(true);
  return String(response.json.jti);
}

describe('token lineage in the admin API', () => {
  it('shows a delegation chain: grant types, parents, children and the act chain', async () => {
    const alice = await signedInTokens(engine.issuer, { scope: 'openid offline_access orders:read' });
    const first = await exchangeAsActor('orders-api', alice.access_token, 'billing-api');
    const second = await exchangeAsActor('billing-api', first.access_token, 'ledger-api');

    const subjectId = await jtiOf(alice.access_token);
    const firstId = await jtiOf(first.access_token);
    const secondId = await idOfReference(second.access_token);

    const subject = await detail(subjectId);
    expect(subject.grant_type).toBe('authorization_code');
    expect(subject.act).toBeNull();
    expect(subject.parent).toBeNull();
    expect(subject.children.map((child) => [child.id, child.grant_type])).toEqual([[firstId, EXCHANGE]]);
    expect(subject.children_total).toBe(1);

    const middle = await detail(firstId);
    expect(middle).toMatchObject({
      grant_type: EXCHANGE,
      parent_id: subjectId,
      client_id: 'orders-api',
      subject: 'alice-sub',
      audience: ['billing-api'],
      act: { sub: 'orders-api', client_id: 'orders-api' },
    });
    expect(middle.parent?.id).toBe(subjectId);
    expect(middle.parent?.grant_type).toBe('authorization_code');
    expect(middle.children.map((child) => child.id)).toEqual([secondId]);

    const last = await detail(secondId);
    const chain = {
      sub: 'billing-api',
      client_id: 'billing-api',
      act: { sub: 'orders-api', client_id: 'orders-api' },
    };
    expect(last).toMatchObject({
      grant_type: EXCHANGE,
      format: 'reference',
      parent_id: firstId,
      audience: ['ledger-api'],
      act: chain,
      children: [],
      children_total: 0,
    });
    expect(last.parent?.act).toEqual({ sub: 'orders-api', client_id: 'orders-api' });
    expect(last.claims.act).toEqual(chain);

    // The list carries the same, for the timeline, without a JWT to decode per row.
    const listed = new Map((await listTokens(engine)).map((token) => [token.id, token]));
    expect(listed.get(firstId)).toMatchObject({ grant_type: EXCHANGE, act: middle.act });
    expect(listed.get(secondId)).toMatchObject({ grant_type: EXCHANGE, act: chain });
    // The actor tokens the two services used are their own client_credentials tokens, without parents.
    const actors = [...listed.values()].filter((token) => token.grant_type === 'client_credentials');
    expect(actors.map((token) => [token.client_id, token.parent_id, token.act])).toEqual(
      expect.arrayContaining([
        ['orders-api', null, null],
        ['billing-api', null, null],
      ]),
    );
  });

  it('records a refresh rotation: the new tokens are children of the used refresh token', async () => {
    const alice = await signedInTokens(engine.issuer, { scope: 'openid offline_access orders:read' });
    const before = new Set((await listTokens(engine)).map((token) => token.id));
    const refreshed = await tokenRequest(
      engine.issuer,
      { grant_type: 'refresh_token', refresh_token: alice.refresh_token as string },
      { authorization: basic('web', 'web-secret') },
    );
    expect(refreshed.status).toBe(200);
    const fresh = (await listTokens(engine)).filter((token) => !before.has(token.id));
    expect(fresh.map((token) => token.kind).sort()).toEqual(['access', 'id', 'refresh']);
    const parentId = (fresh[0] as Token).parent_id as string;
    expect(fresh.every((token) => token.parent_id === parentId && token.grant_type === 'refresh_token')).toBe(
      true,
    );

    const used = await detail(parentId);
    expect(used).toMatchObject({ kind: 'refresh', state: 'rotated', grant_type: 'authorization_code' });
    expect(used.children.map((child) => child.id).sort()).toEqual(fresh.map((token) => token.id).sort());
    expect(used.children_total).toBe(3);
    const newAccess = fresh.find((token) => token.kind === 'access') as Token;
    expect((await detail(newAccess.id)).parent).toMatchObject({ id: parentId, kind: 'refresh' });
  });

  it('tells a minted token apart: its grant type is "mint"', async () => {
    const minted = (await engine.call('tokens.mint', {
      client_id: 'web',
      username: 'alice',
      kind: 'access',
    })) as { token: TokenDetail };
    expect(minted.token).toMatchObject({ grant_type: 'mint', parent_id: null, parent: null, children: [] });
    expect((await detail(minted.token.id)).grant_type).toBe('mint');
  });

  it('answers an unknown token id with not_found', async () => {
    await expect(detail('no-such-token')).rejects.toMatchObject({ code: 'not_found' });
  });
});
