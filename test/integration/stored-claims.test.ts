// Each claim is stored once: a JWT's row keeps none (its payload has them), a reference token's row only
// those no column holds. What the provider answers and shows must not change because of it.
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/core';
import type { TokenDetail } from '../../shared/schemas';
import { startTestEngine, tempDir } from '../helpers/engine';
import { basic, introspect, tokenRequest } from '../helpers/oauth-http';

const dataDir = tempDir('idp-sandbox-claims-');
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let db: Database.Database;

beforeAll(async () => {
  engine = await startTestEngine({
    dataDir,
    seed: {
      users: [{ username: 'alice', password: 'alice-pw', claims: { department: 'billing', name: 'Alice' } }],
      clients: [
        {
          client_id: 'svc',
          client_secret: 'svc-secret',
          grant_types: ['client_credentials'],
          scope: 'orders:read',
          audience: ['https://orders.example', 'https://billing.example'],
          access_token_format: 'reference',
        },
        {
          client_id: 'app',
          client_secret: 'app-secret',
          grant_types: ['password', 'refresh_token'],
          scope: 'openid profile offline_access',
          access_token_format: 'reference',
        },
        {
          client_id: 'svc-jwt',
          client_secret: 'svc-jwt-secret',
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
        {
          client_id: 'api',
          client_secret: 'api-secret',
          grant_types: ['client_credentials'],
          scope: 'x',
          // A gateway: it introspects the tokens of every client here.
          introspect_any_token: true,
        },
      ],
    },
  });
  db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
});
afterAll(async () => {
  db.close();
  await engine.cleanup();
});

const clientCredentialsToken = async (clientId: string) =>
  (
    await tokenRequest(
      engine.issuer,
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, `${clientId}-secret`) },
    )
  ).json.access_token as string;
const storedClaims = (id: string) =>
  JSON.parse((db.prepare('SELECT claims FROM tokens WHERE id = ?').get(id) as { claims: string }).claims);
const detail = (id: string) => engine.call('tokens.get', { id }) as Promise<TokenDetail>;
/** The introspection answer without what only it says (active, token_type, username). */
function claimsIn(answer: Record<string, unknown>) {
  const { active: _active, token_type: _type, username: _username, ...claims } = answer;
  return claims;
}

describe('stored claims', () => {
  it('a client_credentials reference token stores none: every one of its claims is a column', async () => {
    const value = await clientCredentialsToken('svc');
    const answer = (await introspect(engine.issuer, value)).json;
    const id = answer.jti as string;
    expect(storedClaims(id)).toEqual({});

    const shown = await detail(id);
    expect(shown.claims).toEqual({
      iss: engine.issuer,
      sub: 'svc',
      aud: ['https://orders.example', 'https://billing.example'],
      exp: answer.exp,
      iat: answer.iat,
      jti: id,
      client_id: 'svc',
      scope: 'orders:read',
    });
    expect(claimsIn(answer)).toEqual(shown.claims);
  });

  it("a user's reference token stores only its custom claims and auth_time, and answers all of them", async () => {
    const tokens = (
      await tokenRequest(
        engine.issuer,
        { grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid offline_access' },
        { authorization: basic('app', 'app-secret') },
      )
    ).json;
    const answer = (await introspect(engine.issuer, tokens.access_token)).json;
    expect(answer).toMatchObject({ active: true, department: 'billing', sub: expect.any(String) });
    const stored = storedClaims(answer.jti as string);
    expect(stored).toEqual({ department: 'billing', auth_time: answer.auth_time });

    const shown = await detail(answer.jti as string);
    expect(shown.claims).toMatchObject({ department: 'billing', iss: engine.issuer, jti: answer.jti });
    expect(claimsIn(answer)).toEqual(shown.claims);
    expect(shown.introspection).toEqual(answer);

    // The refresh token keeps what a rotation carries over; the new access token has the same claims.
    const refreshed = (
      await tokenRequest(
        engine.issuer,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: basic('app', 'app-secret') },
      )
    ).json;
    const after = (await introspect(engine.issuer, refreshed.access_token)).json;
    expect(after).toMatchObject({ department: 'billing', auth_time: answer.auth_time, sub: answer.sub });
  });

  it("JWT rows store no claims: the token detail shows the JWT's payload", async () => {
    const jwt = await clientCredentialsToken('svc-jwt');
    const payload = decodeJwt(jwt);
    expect(storedClaims(payload.jti as string)).toEqual({});
    const shown = await detail(payload.jti as string);
    expect(shown.claims).toEqual(payload);
    expect(claimsIn((await introspect(engine.issuer, jwt)).json)).toEqual(payload);
  });
});
