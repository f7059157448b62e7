import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, Token, Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  expectInactive,
  expectOAuthError,
  type JsonResponse,
  jwtPayload,
  listTokens,
  obtainCode,
  postForm,
  REDIRECT,
  redemption,
  tokenById,
  tokenRequest,
} from '../helpers/oauth-http';

/**
 * Concurrency over real HTTP: many requests racing on one refresh token, and revocations racing the
 * issuance of tokens into one grant. Signing is asynchronous and happens before the storing
 * transaction, so these races are real: a request can be anywhere in between when another commits.
 */

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: { name: 'Alice' } },
    { username: 'doomed', password: 'doomed-pw' },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'web-ref',
      client_secret: 'web-ref-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'password'],
      scope: 'openid profile offline_access',
      access_token_format: 'reference',
    },
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      scope: 'introspect',
      // A gateway: it introspects the tokens of every client here.
      introspect_any_token: true,
    },
  ],
};

const CLIENTS = {
  web: basic('web', 'web-secret'),
  'web-ref': basic('web-ref', 'web-ref-secret'),
} as const;
type ClientId = keyof typeof CLIENTS;

let engine: Awaited<ReturnType<typeof startTestEngine>>;
let issuer: string;

beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
  issuer = engine.issuer;
});
afterAll(async () => {
  await engine.cleanup();
});

interface TokenSet {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

async function passwordGrant(client: ClientId, username = 'alice'): Promise<TokenSet> {
  const response = await tokenRequest(
    issuer,
    { grant_type: 'password', username, password: `${username}-pw`, scope: 'openid offline_access' },
    { authorization: CLIENTS[client] },
  );
  expect(response.status, response.text).toBe(200);
  return response.json as TokenSet;
}

function refresh(client: ClientId, refreshToken: string): Promise<JsonResponse> {
  return tokenRequest(
    issuer,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    { authorization: CLIENTS[client] },
  );
}

/** The grant (refresh-token family) a token response belongs to, through the admin API. */
async function grantOf(tokens: TokenSet): Promise<string> {
  const { token } = (await engine.call('tokens.lookup', { value: tokens.refresh_token })) as {
    token: { grant_id: string } | null;
  };
  expect(token).not.toBeNull();
  return token?.grant_id as string;
}

async function events(type: string): Promise<EngineEvent[]> {
  return (await engine.call('events.list', { type, limit: 5000 })) as EngineEvent[];
}

function ofGrant(list: EngineEvent[], grantId: string): EngineEvent[] {
  return list.filter((e) => e.data.grant_id === grantId);
}

describe('parallel refreshes of one refresh token', () => {
  it.each(['web', 'web-ref'] as const)(
    '%s: of 20, exactly one wins; reuse detection then revokes the family, the winner’s new tokens included',
    async (client) => {
      const first = await passwordGrant(client);
      const grantId = await grantOf(first);

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => refresh(client, first.refresh_token)),
      );
      const winners = answers.filter((a) => a.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of answers.filter((a) => a.status !== 200))
        expectOAuthError(loser, 400, 'invalid_grant');
      const won = winners[0]?.json as TokenSet;

      // Every token of the family is dead: the original ones and what the winner received.
      for (const value of [first.access_token, first.refresh_token, won.access_token, won.refresh_token]) {
        await expectInactive(issuer, value);
      }
      expectOAuthError(await refresh(client, won.refresh_token), 400, 'invalid_grant');
      const family = await listTokens(engine, { grant_id: grantId });
      expect(family.filter((t) => t.state === 'active')).toEqual([]);
      const original = (await engine.call('tokens.lookup', { value: first.refresh_token })) as {
        token: { state: string };
      };
      expect(original.token.state).toBe('reuse_detected');

      // The log tells the same story: one refresh, the reuse, and one issued event per stored token.
      expect(ofGrant(await events('token.refreshed'), grantId)).toHaveLength(1);
      expect(ofGrant(await events('token.reuse_detected'), grantId).length).toBeGreaterThanOrEqual(1);
      const issued = ofGrant(await events('token.issued'), grantId).map((e) => e.token_id);
      expect(issued.sort()).toEqual(family.map((t) => t.id).sort());
    },
  );
});

describe('revocations racing issuance on one grant', () => {
  /**
   * One client refreshes its family over and over (sequentially: it never presents a token twice)
   * while revocations arrive in parallel: its access tokens one by one, then the whole grant.
   * Whatever the interleaving, afterwards nothing in the grant is active, the log has one event per
   * token issued and revoked, and nobody is accused of reusing a token.
   */
  it.each([
    ['web', 'admin tokens.revokeGrant'],
    ['web-ref', 'admin tokens.revokeGrant'],
    ['web', 'client revocation of the refresh token'],
    ['web-ref', 'client revocation of the refresh token'],
  ] as const)('%s with %s: nothing active in the revoked grant, events match', async (client, how) => {
    for (let round = 0; round < 6; round++) {
      const first = await passwordGrant(client);
      const grantId = await grantOf(first);
      const received: string[] = [first.access_token, first.refresh_token];
      let current = first.refresh_token;
      let refreshed = 0;
      let stop = false;

      const chain = (async () => {
        while (!stop) {
          const answer = await refresh(client, current);
          if (answer.status !== 200) {
            expectOAuthError(answer, 400, 'invalid_grant');
            return;
          }
          refreshed++;
          const next = answer.json as TokenSet;
          received.push(next.access_token, next.refresh_token);
          current = next.refresh_token;
        }
      })();
      const revocations = (async () => {
        // Access tokens revoked one by one by the client while the chain issues new ones.
        for (let i = 0; i < 3; i++) {
          const value = received[Math.floor(Math.random() * received.length)] as string;
          const answer = await postForm(
            issuer,
            '/revoke',
            { token: value, token_type_hint: 'access_token' },
            {
              authorization: CLIENTS[client],
            },
          );
          expect(answer.status).toBe(200);
        }
        // Then the whole grant, at a moment that moves from round to round.
        await new Promise((resolve) => setTimeout(resolve, round * 3));
        if (how === 'admin tokens.revokeGrant') {
          await engine.call('tokens.revokeGrant', { grant_id: grantId });
        } else {
          const answer = await postForm(
            issuer,
            '/revoke',
            { token: current },
            { authorization: CLIENTS[client] },
          );
          expect(answer.status).toBe(200);
        }
      })();
      await revocations;
      await chain;
      stop = true;

      const family = await listTokens(engine, { grant_id: grantId });
      expect(family.filter((t) => t.state === 'active')).toEqual([]);
      expect(family.every((t) => t.revoked_at !== null)).toBe(true);
      for (const value of received) await expectInactive(issuer, value);

      // One token.issued per stored token, one token.refreshed per refresh answered with 200.
      const issued = ofGrant(await events('token.issued'), grantId).map((e) => e.token_id);
      expect(issued.sort()).toEqual(family.map((t) => t.id).sort());
      expect(ofGrant(await events('token.refreshed'), grantId)).toHaveLength(refreshed);
      // Each revoked token is in the log exactly once (the client's revocations one event each, the
      // admin's of the grant one event with its count), and no token was presented twice.
      const ids = new Set(family.map((t) => t.id));
      const revokedEvents = (await events('token.revoked')).filter((e) => ids.has(e.token_id as string));
      const bulk = (await events('tokens.revoked')).filter((e) => e.data.grant_id === grantId);
      expect(new Set(revokedEvents.map((e) => e.token_id)).size).toBe(revokedEvents.length);
      expect(revokedEvents.length + bulk.reduce((sum, e) => sum + Number(e.data.revoked), 0)).toBe(
        family.length,
      );
      if (how !== 'admin tokens.revokeGrant') expect(bulk).toEqual([]);
      expect(ofGrant(await events('token.reuse_detected'), grantId)).toEqual([]);
    }
  });

  it('refuses a code whose grant was ended by logout before it was redeemed', async () => {
    const result = await obtainCode(issuer, { scope: 'openid offline_access' });
    const logout = await result.browser.logout(`${issuer}/logout`);
    expect(logout.status).toBeLessThan(400);
    const answer = await tokenRequest(issuer, redemption(result), { authorization: CLIENTS.web });
    expectOAuthError(answer, 400, 'invalid_grant');
    const logouts = await events('logout');
    expect(logouts.at(-1)?.data.revoked_tokens).toBe(0);
  });

  it('never leaves an active token in a grant that logout ended while the code was being redeemed', async () => {
    for (let round = 0; round < 10; round++) {
      const result = await obtainCode(issuer, { scope: 'openid offline_access' });
      const [answer] = await Promise.all([
        tokenRequest(issuer, redemption(result), { authorization: CLIENTS.web }),
        new Promise((resolve) => setTimeout(resolve, round % 3)).then(() =>
          result.browser.logout(`${issuer}/logout`),
        ),
      ]);
      if (answer.status === 200) {
        // Redeemed first: logout then revoked what the code produced.
        const tokens = answer.json as TokenSet;
        await expectInactive(issuer, tokens.access_token);
        await expectInactive(issuer, tokens.refresh_token);
        const grantId = (await tokenById(engine, String(jwtPayload(tokens.access_token).jti))).grant_id;
        const family = await listTokens(engine, { grant_id: grantId as string });
        expect(family.filter((t: Token) => t.state === 'active')).toEqual([]);
      } else {
        expectOAuthError(answer, 400, 'invalid_grant');
      }
    }
  });

  it('leaves no active token for a user deleted while password grants for them were in flight', async () => {
    for (let round = 0; round < 5; round++) {
      await engine.call('users.create', { username: `doomed-${round}`, password: `doomed-${round}-pw` });
      const grants = Array.from({ length: 8 }, () =>
        tokenRequest(
          issuer,
          {
            grant_type: 'password',
            username: `doomed-${round}`,
            password: `doomed-${round}-pw`,
            scope: 'openid',
          },
          { authorization: CLIENTS['web-ref'] },
        ),
      );
      const deletion = new Promise((resolve) => setTimeout(resolve, round)).then(() =>
        engine.call('users.delete', { username: `doomed-${round}` }),
      );
      const answers = await Promise.all([...grants]);
      await deletion;
      for (const answer of answers) {
        if (answer.status === 200) await expectInactive(issuer, (answer.json as TokenSet).access_token);
        else expect(answer.status).toBe(400);
      }
      const left = await listTokens(engine, { username: `doomed-${round}`, state: 'active' });
      expect(left).toEqual([]);
    }
  });
});
