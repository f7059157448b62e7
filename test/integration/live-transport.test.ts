import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAdminApi, type TransportSession } from '../../renderer/src/api/http-transport';
import type { AdminApi } from '../../shared/contract';
import type { IssuerSummary } from '../../shared/issuers';
import { LIVE_OMITTABLE_TYPES, type LiveBatch } from '../../shared/live-gap';
import type { EngineEvent, EventType } from '../../shared/schemas';
import { startTestEngine, tempDir } from '../helpers/engine';
import { BURST_CLIENT, issueTokens } from '../helpers/live-load';

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
  const batches: LiveBatch[] = [];
  const waiters: Array<() => void> = [];
  const unsubscribe = subscribe((batch) => {
    batches.push(batch);
    for (const wake of waiters.splice(0)) wake();
  });
  const events = () => batches.flatMap((batch) => batch.events);
  return {
    batches,
    events,
    unsubscribe,
    async until(done: (events: EngineEvent[]) => boolean, timeoutMs = 5000): Promise<EngineEvent[]> {
      const deadline = Date.now() + timeoutMs;
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

/** The newest id a stream's batches have reached: sent, or left out in a gap. */
function reachedId(batches: readonly LiveBatch[]): number {
  return Math.max(
    0,
    ...batches.flatMap((batch) => [
      ...batch.events.map((event) => event.id),
      ...Object.values(batch.gap?.issuers ?? {}).map((gap) => gap.through),
    ]),
  );
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

describe('the live stream under heavy load', () => {
  const MAX = 25;
  const TOKENS = 600;
  let busy: Awaited<ReturnType<typeof startTestEngine>>;
  let busyApi: AdminApi;
  beforeAll(async () => {
    // A small bound (the default is 1,000 a batch) so that tokens over HTTP from this process are heavy load.
    busy = await startTestEngine({
      inMemory: true,
      adminToken: ADMIN_TOKEN,
      seed: { clients: [BURST_CLIENT] },
      liveStream: { maxEvents: MAX },
    });
    busyApi = createHttpAdminApi(session, busy.issuer);
  });
  afterAll(async () => {
    await busy.cleanup();
  });

  it('sends at most the bound of request-rate events a batch, the newest, and a gap that counts the rest', async () => {
    const live = collect(busyApi.everyIssuer.subscribeBatch);
    await until(() => busyApi.live.connection() === 'live');
    const [last] = (await busy.call('events.list', { limit: 1 })) as EngineEvent[];
    const before = last?.id ?? 0;

    // Tokens as fast as the engine answers, and now and then a rare event among them.
    const rare = (async () => {
      for (let i = 0; i < 5; i++) {
        await busy.call('users.create', { username: `rare-${i}` });
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    await Promise.all([issueTokens(busy.issuer, TOKENS), rare]);
    const recorded = (
      (await busy.call('events.list', { after_id: before, limit: 5000 })) as EngineEvent[]
    ).sort((a, b) => a.id - b.id);
    const newest = recorded.at(-1)?.id ?? 0;
    // Generous: on a machine shared by many, the last batch may wait for the CPU.
    await live.until(() => reachedId(live.batches) >= newest, 30_000);
    live.unsubscribe();

    const batches = live.batches.filter((batch) => batch.events.some((e) => e.id > before) || batch.gap);
    const omittable = (batch: LiveBatch) =>
      batch.events.filter((event) => LIVE_OMITTABLE_TYPES.has(event.type));
    // Bounded: never more than MAX request-rate events in a batch, and under this load some were left out.
    for (const batch of batches) expect(omittable(batch).length).toBeLessThanOrEqual(MAX);
    const gapped = batches.filter((batch) => batch.gap);
    expect(gapped.length).toBeGreaterThan(0);
    // The gap is correct: what was sent plus what the gaps counted is, type by type, what was recorded…
    const sent = live.events().filter((event) => event.id > before);
    const count = (events: EngineEvent[], type: EventType) => events.filter((e) => e.type === type).length;
    for (const type of ['token.issued', 'request', 'user.created'] as const) {
      const omitted = gapped.reduce((sum, batch) => sum + (batch.gap?.issuers.root?.omitted[type] ?? 0), 0);
      expect(count(sent, type) + omitted, type).toBe(count(recorded, type));
    }
    expect(count(recorded, 'token.issued')).toBe(TOKENS);
    // …rare events are all sent, in order and once…
    expect(sent.filter((e) => e.type === 'user.created').map((e) => e.username)).toEqual(
      Array.from({ length: 5 }, (_, i) => `rare-${i}`),
    );
    const ids = sent.map((event) => event.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    // …and each gap's `through` is an event left out, older than every request-rate event its batch kept.
    const sentIds = new Set(ids);
    for (const batch of gapped) {
      const through = batch.gap?.issuers.root?.through as number;
      expect(sentIds.has(through)).toBe(false);
      expect(LIVE_OMITTABLE_TYPES.has(recorded.find((e) => e.id === through)?.type as EventType)).toBe(true);
      for (const event of omittable(batch)) expect(event.id).toBeGreaterThan(through);
    }
  }, 60_000);

  it('sends a batch every overload interval, not every interval, while overloaded, and every event once the load ends', async () => {
    // Tiny bounds, so that this process's tokens overload the stream on any machine: more than 2
    // request-rate events per 50 ms is 40 a second (20 tokens).
    const overloadMs = 400;
    const tiny = await startTestEngine({
      inMemory: true,
      adminToken: ADMIN_TOKEN,
      seed: { clients: [BURST_CLIENT] },
      liveStream: { maxEvents: 2, intervalMs: 50, overloadIntervalMs: overloadMs },
    });
    try {
      const tinyApi = createHttpAdminApi(session, tiny.issuer);
      const live = collect(tinyApi.live.subscribeBatch);
      await until(() => tinyApi.live.connection() === 'live');
      const started = Date.now();
      await issueTokens(tiny.issuer, 800, 8);
      const loadedFor = Date.now() - started;
      // At the 50 ms interval this load would have been a batch every 50 ms; overloaded, one every
      // 400 ms (the first goes after 50 ms and tells the stream it is overloaded). Fewer is fine: a
      // busy machine only delays batches.
      expect(live.batches.length).toBeLessThanOrEqual(Math.ceil(loadedFor / overloadMs) + 2);
      expect(live.batches.some((batch) => batch.gap)).toBe(true);
      // Once the load's last batch is in, a lone event comes whole, with no gap.
      const [newest] = (await tiny.call('events.list', { limit: 1 })) as EngineEvent[];
      await live.until(() => reachedId(live.batches) >= (newest?.id ?? 0), 30_000);
      await tiny.call('users.create', { username: 'after-load' });
      await live.until((events) => named('after-load')(events).length === 1);
      live.unsubscribe();
      expect(live.batches.at(-1)).toEqual({
        events: [expect.objectContaining({ type: 'user.created', username: 'after-load' })],
        gap: null,
      });
    } finally {
      await tiny.cleanup();
    }
  }, 60_000);

  it('projects a gap onto the selected issuer: another issuer’s load leaves the selected one’s alone', async () => {
    const other = (await busyApi.issuers.create({ name: 'quiet' })) as IssuerSummary;
    busyApi.issuer.select(other.id);
    try {
      const selected = collect(busyApi.live.subscribeBatch);
      const every = collect(busyApi.everyIssuer.subscribeBatch);
      await until(() => busyApi.live.connection() === 'live');
      await issueTokens(busy.issuer, 200);
      await busy.call('users.create', { username: 'quiet-user' }, { issuer: other.id });
      await selected.until((events) => named('quiet-')(events).length === 1);
      await every.until((events) => named('quiet-')(events).length === 1);
      selected.unsubscribe();
      every.unsubscribe();
      expect(every.batches.some((batch) => batch.gap?.issuers.root)).toBe(true);
      expect(selected.batches.every((batch) => batch.gap === null)).toBe(true);
      // (issuer.* events are passed on whichever issuer is selected.)
      const own = selected.events().filter((event) => !event.type.startsWith('issuer.'));
      expect(own.every((event) => event.issuer === other.id)).toBe(true);
      expect(named('quiet-')(own).map((event) => event.username)).toEqual(['quiet-user']);
    } finally {
      busyApi.issuer.select('root');
    }
  });
});
