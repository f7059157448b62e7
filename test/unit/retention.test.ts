import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../main/core/admin/dispatch';
import {
  EVENT_RETENTION_SECONDS,
  EXPIRED_TOKEN_RETENTION_SECONDS,
  PURGE_BATCH,
  purgeHistory,
} from '../../main/core/provider/retention';
import type { AdminOutput } from '../../shared/contract';
import { createTestAdmin } from '../helpers/admin';
import { frozenClock } from '../helpers/clock';

/** Where each test's clock starts; it stands still until the test advances it. */
const START = Date.UTC(2026, 10, 29);

describe('scheduled purge (store stays bounded)', () => {
  it('removes day-old expired tokens, their unused grants, ended sessions and week-old events', async () => {
    const clock = frozenClock(START);
    const { admin, ctx, close } = await createTestAdmin({ clock });
    await dispatchAdmin(admin, 'clients.create', {
      client_id: 'svc',
      grant_types: ['client_credentials'],
      scope: 'a',
      access_token_ttl: 60,
    });
    await dispatchAdmin(admin, 'users.create', { username: 'u', claims: {} });
    const minted = (await dispatchAdmin(admin, 'tokens.mint', {
      client_id: 'svc',
    })) as AdminOutput<'tokens.mint'>;
    const user = ctx.users.findByUsername('u');
    const { session } = ctx.sessions.create(user?.id as string, Math.floor(clock.now() / 1000), null);
    ctx.sessions.end(session.id, Math.floor(clock.now() / 1000));

    // Not yet: the token expired, but less than a day ago, so the UI still shows it.
    clock.advance(120);
    expect(await purgeHistory(ctx)).toEqual({
      tokens: 0,
      grants: 0,
      sessions: 0,
      events: 0,
      requests: 0,
    });
    expect(ctx.tokens.findById(minted.token.id)).toBeDefined();

    clock.advance(EXPIRED_TOKEN_RETENTION_SECONDS);
    expect(await purgeHistory(ctx)).toMatchObject({ tokens: 1, grants: 1, sessions: 1 });
    expect(ctx.tokens.findById(minted.token.id)).toBeUndefined();
    expect(ctx.grants.find(minted.token.grant_id as string)).toBeUndefined();

    const eventsBefore = ctx.events.list({ limit: 5000 }).length;
    expect(eventsBefore).toBeGreaterThan(0);
    clock.advance(EVENT_RETENTION_SECONDS + 1);
    const counts = await purgeHistory(ctx);
    expect(counts.events).toBe(eventsBefore);
    // Only the purge's own record remains.
    expect(ctx.events.list({ limit: 5000 }).map((e) => e.type)).toEqual(['tokens.purged']);
    close();
  });

  it('keeps grants that still have live tokens', async () => {
    const clock = frozenClock(START);
    const { admin, ctx, close } = await createTestAdmin({ clock });
    await dispatchAdmin(admin, 'clients.create', {
      client_id: 'svc',
      grant_types: ['client_credentials'],
      scope: 'a',
    });
    const minted = (await dispatchAdmin(admin, 'tokens.mint', {
      client_id: 'svc',
      ttl: 31_536_000,
    })) as AdminOutput<'tokens.mint'>;
    clock.advance(EXPIRED_TOKEN_RETENTION_SECONDS * 3);
    expect((await purgeHistory(ctx)).grants).toBe(0);
    expect(ctx.grants.find(minted.token.grant_id as string)).toBeDefined();
    close();
  });
});

describe('purging a large backlog', () => {
  it('deletes in slices of PURGE_BATCH, all of it, yielding to other work between slices', async () => {
    const clock = frozenClock(START);
    const { admin, ctx, close } = await createTestAdmin({ clock });
    await dispatchAdmin(admin, 'clients.create', {
      client_id: 'svc',
      grant_types: ['client_credentials'],
      scope: 'a',
    });
    const minted = (await dispatchAdmin(admin, 'tokens.mint', {
      client_id: 'svc',
      ttl: 1,
    })) as AdminOutput<'tokens.mint'>;
    const template = ctx.tokens.findById(minted.token.id);
    if (!template) throw new Error('minted token not stored');
    const count = PURGE_BATCH * 2 + 7;
    ctx.db.transaction(() => {
      for (let i = 0; i < count; i++)
        ctx.tokens.insert({ ...template, id: `bulk-${i}`, value_hash: null, jwt: null });
    })();
    clock.advance(60);
    let otherWorkRan = false;
    setImmediate(() => {
      otherWorkRan = true;
    });
    const result = (await dispatchAdmin(admin, 'tokens.purgeExpired', {})) as { purged: number };
    expect(result.purged).toBe(count + 1);
    expect(otherWorkRan).toBe(true);
    expect(ctx.tokens.list({ limit: 10 }, Math.floor(clock.now() / 1000)).total).toBe(0);
    close();
  });
});
