import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAdminApi, type TransportSession } from '../../renderer/src/api/http-transport';
import type { AdminApi } from '../../shared/contract';
import type { IssuerSummary } from '../../shared/issuers';
import type { EngineEvent } from '../../shared/schemas';
import { startTestEngine, tempDir } from '../helpers/engine';

// The UI's HTTP transport (renderer/src/api/http-transport.ts) against a real engine: the live stream
// as the pages get it, in batches, filtered by the selected issuer, caught up after a reconnect.

const ADMIN_TOKEN = 'live-transport-admin-token-0123456789abcdefghijkl';
const dataDir = tempDir();
let engine: Awaited<ReturnType<typeof startTestEngine>>;
let api: AdminApi;

/** The admin token in place of a tab's UI token: the transport sends whichever it holds the same way. */
const session: TransportSession = { token: () => ADMIN_TOKEN, expire: () => {} };

beforeAll(async () => {
  engine = await startTestEngine({ dataDir, adminToken: ADMIN_TOKEN });
  api = createHttpAdminApi(session, engine.issuer);
});
afterAll(async () => {
  await engine.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Collects batches until `done` holds for the events seen so far (or fails after 5 s). */
function collect(subscribe: AdminApi['live']['subscribeBatch']) {
  const batches: EngineEvent[][] = [];
  const waiters: Array<() => void> = [];
  const unsubscribe = subscribe((events) => {
    batches.push(events);
    for (const wake of waiters.splice(0)) wake();
  });
  const events = () => batches.flat();
  return {
    batches,
    events,
    unsubscribe,
    async until(done: (events: EngineEvent[]) => boolean): Promise<EngineEvent[]> {
      const deadline = Date.now() + 5000;
      while (!done(events())) {
        if (Date.now() > deadline)
          throw new Error(`not there: ${JSON.stringify(events().map((e) => e.type))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return events();
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const named = (prefix: string) => (events: EngineEvent[]) =>
  events.filter((event) => event.type === 'user.created' && event.username?.startsWith(prefix));

describe('the HTTP transport’s live stream', () => {
  it('delivers events in batches, in order, and one by one to per-event listeners', async () => {
    const batched = collect(api.live.subscribeBatch);
    const single: EngineEvent[] = [];
    const unsubscribe = api.live.subscribe((event) => single.push(event));
    await until(() => api.live.connection() === 'live');

    await Promise.all(Array.from({ length: 30 }, (_, i) => api.users.create({ username: `burst-${i}` })));
    await batched.until((events) => named('burst-')(events).length === 30);
    await until(() => named('burst-')(single).length === 30);
    batched.unsubscribe();
    unsubscribe();

    expect(batched.batches.length).toBeLessThan(30);
    const ids = batched.events().map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(single.map((event) => event.id)).toEqual(ids.slice(0, single.length));
  });

  it('passes on the selected issuer’s events only; every issuer’s through everyIssuer', async () => {
    const other = (await api.issuers.create({ name: 'live-other' })) as IssuerSummary;
    api.issuer.select(other.id);
    try {
      const selected = collect(api.live.subscribeBatch);
      const every = collect(api.everyIssuer.subscribeBatch);
      await until(() => api.live.connection() === 'live');
      await engine.call('users.create', { username: 'pick-root' });
      await engine.call('users.create', { username: 'pick-other' }, { issuer: other.id });
      await every.until((events) => named('pick-')(events).length === 2);
      await selected.until((events) => named('pick-')(events).length === 1);
      selected.unsubscribe();
      every.unsubscribe();

      expect(named('pick-')(selected.events()).map((e) => [e.issuer, e.username])).toEqual([
        [other.id, 'pick-other'],
      ]);
      expect(
        named('pick-')(every.events())
          .map((e) => [e.issuer, e.username])
          .sort(),
      ).toEqual([
        [other.id, 'pick-other'],
        ['root', 'pick-root'],
      ]);
    } finally {
      api.issuer.select('root');
    }
  });

  it('after the engine was away, gets what happened meanwhile once, with no event twice', async () => {
    const live = collect(api.live.subscribeBatch);
    await until(() => api.live.connection() === 'live');
    await engine.call('users.create', { username: 'gap-before' });
    await live.until((events) => named('gap-before')(events).length === 1);

    // The engine stops and starts again on the same port and data; it records events at once, before
    // the transport (retrying every 0.25–2 s) is back.
    const port = engine.port;
    await engine.close();
    await until(() => api.live.connection() === 'down');
    engine = await startTestEngine({ dataDir, adminToken: ADMIN_TOKEN, port });
    for (let i = 0; i < 5; i++) await engine.call('users.create', { username: `gap-missed-${i}` });

    await live.until((events) => named('gap-missed-')(events).length === 5);
    await engine.call('users.create', { username: 'gap-after' });
    const events = await live.until((seen) => named('gap-after')(seen).length === 1);
    live.unsubscribe();
    expect(api.live.connection()).toBe('live');
    const ids = events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(named('gap-')(events).map((event) => event.username)).toEqual([
      'gap-before',
      ...Array.from({ length: 5 }, (_, i) => `gap-missed-${i}`),
      'gap-after',
    ]);
  });
});
