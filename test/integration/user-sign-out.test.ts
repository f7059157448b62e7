import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import {
  basic,
  expectActive,
  expectInactive,
  REDIRECT,
  signedInTokens,
  tokenRequest,
} from '../helpers/oauth-http';

/** A user's sign-in sessions and tokens, listed and ended by the admin API ("sign out everywhere"). */

const SEED: Workspace = {
  users: [
    { username: 'alice', password: 'alice-pw', sub: 'alice-sub' },
    { username: 'bob', password: 'bob-pw', sub: 'bob-sub' },
  ],
  clients: [
    {
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
    // Introspects the others' tokens (test/helpers introspect as api).
    {
      client_id: 'api',
      client_secret: 'api-secret',
      grant_types: ['client_credentials'],
      introspect_any_token: true,
    },
  ],
};

let engine: Awaited<ReturnType<typeof startTestEngine>>;
beforeAll(async () => {
  engine = await startTestEngine({ seed: SEED, inMemory: true });
});
afterAll(async () => {
  await engine?.cleanup();
});

const call = <M extends 'users.sessions' | 'users.signOutEverywhere' | 'events.list'>(
  method: M,
  input: Record<string, unknown>,
) => engine.call(method, input) as Promise<AdminOutput<M>>;

describe('users.sessions and users.signOutEverywhere', () => {
  it('lists the sessions, then ends them all and revokes every token with one count event', async () => {
    const first = await signedInTokens(engine.issuer);
    const second = await signedInTokens(engine.issuer);
    const bobs = await signedInTokens(engine.issuer, { username: 'bob', password: 'bob-pw' });
    const sessions = await call('users.sessions', { username: 'alice' });
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      auth_time: expect.any(String),
      created_at: expect.any(String),
    });

    const lastBefore = Math.max(0, ...(await call('events.list', { limit: 500 })).map((e) => e.id));
    const result = await call('users.signOutEverywhere', { username: 'alice' });
    // Two sign-ins, each an access, refresh and ID token.
    expect(result).toEqual({ sessions_ended: 2, tokens_revoked: 6 });
    expect(await call('users.sessions', { username: 'alice' })).toEqual([]);

    for (const token of [first.access_token, second.refresh_token as string])
      await expectInactive(engine.issuer, token);
    const refresh = await tokenRequest(
      engine.issuer,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token as string },
      { authorization: basic('web', 'web-secret') },
    );
    expect(refresh.json.error).toBe('invalid_grant');
    // bob is not touched.
    await expectActive(engine.issuer, bobs.access_token);
    expect(await call('users.sessions', { username: 'bob' })).toHaveLength(1);

    // One bulk event with the count, not one row per token; one logout event for the sessions.
    const events = await call('events.list', { limit: 500 });
    const added = events.filter((e) => e.id > lastBefore && e.type !== 'request');
    const bulk = added.filter((e) => e.type === 'tokens.revoked');
    expect(bulk).toHaveLength(1);
    expect(bulk[0]?.data).toMatchObject({ revoked: 6, scope: 'user_id' });
    expect(added.filter((e) => e.type === 'token.revoked')).toEqual([]);
    expect(added.filter((e) => e.type === 'logout').map((e) => e.data)).toEqual([
      { by: 'admin', everywhere: true, sessions_ended: 2 },
    ]);
  });

  it('answers zeros for a user with nothing to end, and not_found for an unknown user', async () => {
    expect(await call('users.signOutEverywhere', { username: 'alice' })).toEqual({
      sessions_ended: 0,
      tokens_revoked: 0,
    });
    await expect(call('users.signOutEverywhere', { username: 'nobody' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('deleting a user revokes their tokens and ends their sessions, as its confirmation says', async () => {
    const tokens = await signedInTokens(engine.issuer, { username: 'bob', password: 'bob-pw' });
    await expectActive(engine.issuer, tokens.access_token);
    await engine.call('users.delete', { username: 'bob' });
    await expectInactive(engine.issuer, tokens.access_token);
    const [deleted] = (await call('events.list', {
      type: 'user.deleted',
      limit: 1,
    })) as AdminOutput<'events.list'>;
    expect(deleted?.data).toEqual({ revoked_tokens: 6, sessions_ended: 2 });
  });
});
