import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenDetail, Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { basic, postForm, tokenRequest } from '../helpers/oauth-http';
import { adminHttp } from '../helpers/script-http';

/**
 * The token drawer's "what introspection answers right now" is what /introspect answers: the admin
 * view resolves a stored token by the endpoint's own path, so the two cannot drift apart.
 */

const SEED: Workspace = {
  users: [{ username: 'alice', password: 'pw', claims: { roles: ['qa'] } }],
  clients: [
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      audience: ['https://orders.example'],
    },
    {
      client_id: 'ref',
      client_secret: 'ref-secret',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      access_token_format: 'reference',
    },
  ],
};

describe('tokens.get introspection is /introspect', () => {
  let engine: Awaited<ReturnType<typeof startTestEngine>>;
  beforeAll(async () => {
    engine = await startTestEngine({ inMemory: true, seed: SEED });
  });
  afterAll(async () => {
    await engine.cleanup();
  });

  const issue = async (clientId: string) => {
    const response = await tokenRequest(
      engine.issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    );
    const token = (response.json as { access_token: string }).access_token;
    const { tokens } = await adminHttp<{ tokens: Array<{ id: string }> }>(engine, 'tokens.list', {
      client_id: clientId,
      limit: 1,
    });
    return { value: token, id: (tokens[0] as { id: string }).id };
  };

  const bothViews = async (clientId: string, token: { value: string; id: string }) => {
    const endpoint = await postForm(
      engine.issuer,
      '/introspect',
      { token: token.value },
      { authorization: basic(clientId, `${clientId}-secret`) },
    );
    const detail = await adminHttp<TokenDetail>(engine, 'tokens.get', { id: token.id });
    return { endpoint: endpoint.json as Record<string, unknown>, detail };
  };

  it('agree for an active JWT and an active reference token, member for member', async () => {
    for (const clientId of ['svc', 'ref']) {
      const { endpoint, detail } = await bothViews(clientId, await issue(clientId));
      expect(endpoint.active).toBe(true);
      expect(detail.introspection).toEqual(endpoint);
    }
  });

  it('agree after the signing key of a JWT is rotated and retired: inactive in both', async () => {
    const token = await issue('svc');
    const keys = await adminHttp<Array<{ kid: string; status: string }>>(engine, 'keys.list');
    const oldKid = (keys.find((k) => k.status === 'current') as { kid: string }).kid;
    await adminHttp(engine, 'keys.rotate', {});
    // Rotated but not retired: the old key is still published, so the token is still good.
    expect((await bothViews('svc', token)).detail.introspection).toMatchObject({ active: true });

    await adminHttp(engine, 'keys.retire', { kid: oldKid });
    const { endpoint, detail } = await bothViews('svc', token);
    expect(endpoint).toEqual({ active: false });
    expect(detail.introspection).toEqual({ active: false });
    // No one can verify it any more: the list and the drawer say so too.
    expect(detail).toMatchObject({ state: 'revoked', revoked_reason: 'key_retired' });
  });
});
