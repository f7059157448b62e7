import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanLimits } from '../../main/core/store/windows';
import type { AdminInput, AdminOutput } from '../../shared/contract';
import type { EngineEvent } from '../../shared/schemas';
import { frozenClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { LIST_SEED } from '../helpers/list-seed';
import { basic, postForm } from '../helpers/oauth-http';

/**
 * events.page and events.count on a real SQLite log of a few thousand events (tokens minted and
 * revoked through the admin API, token requests over real HTTP, some refused), with windows made
 * small (store/windows.ts scanLimits) so that selective filters give short pages, as over millions.
 */

const clock = frozenClock(Date.UTC(2026, 0, 1));
let engine: Awaited<ReturnType<typeof startTestEngine>>;
const defaults = { ...scanLimits };
/** Every event, newest first. */
let all: EngineEvent[];

const page = (input: AdminInput<'events.page'>) =>
  engine.call('events.page', input) as Promise<AdminOutput<'events.page'>>;
const count = (input: AdminInput<'events.count'>) =>
  engine.call('events.count', input) as Promise<AdminOutput<'events.count'>>;

async function pageThrough(input: AdminInput<'events.page'>) {
  const events: EngineEvent[] = [];
  let before_id: number | undefined;
  let shortPages = 0;
  for (let calls = 0; calls < 10_000; calls++) {
    const answer = await page({ ...input, before_id });
    events.push(...answer.events);
    if (answer.next_before_id === null) return { events, shortPages };
    if (answer.events.length < (input.limit ?? 200)) shortPages++;
    before_id = answer.next_before_id;
  }
  throw new Error('the log did not end');
}

const ids = (events: EngineEvent[]) => events.map((e) => e.id);

/** Whether free text (lower case) is in the event where `q` looks, ASCII case folded as LIKE does. */
const holding = (text: string) => (e: EngineEvent) =>
  [e.type, e.client_id, e.username, e.token_id, JSON.stringify(e.data)].some((field) =>
    field?.replace(/[A-Z]/g, (c) => c.toLowerCase()).includes(text),
  );

beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true, clock, seed: LIST_SEED });
  // The older part mostly machine tokens, the newer mostly alice's, with refused requests in between.
  for (let i = 0; i < 1500; i++) {
    const machine = i < 1000 ? i % 6 !== 0 : i % 6 === 0;
    await engine.call(
      'tokens.mint',
      machine ? { client_id: 'svc' } : { client_id: 'web', username: 'alice' },
    );
    if (i % 50 === 0) {
      const refused = await postForm(
        engine.issuer,
        '/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('svc', 'wrong-secret') },
      );
      expect(refused.status).toBe(401);
      const granted = await postForm(
        engine.issuer,
        '/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('svc', 'svc-secret') },
      );
      expect(granted.status).toBe(200);
    }
  }
  all = (await engine.call('events.list', { limit: 5000 })) as EngineEvent[];
  expect(all.length).toBeGreaterThan(1500);
  expect(all.length).toBeLessThan(5000);
});

afterEach(() => Object.assign(scanLimits, defaults));
afterAll(async () => {
  Object.assign(scanLimits, defaults);
  await engine.cleanup();
});

describe('events.page', () => {
  it('pages through every event newest first, each once', async () => {
    const { events } = await pageThrough({ limit: 97 });
    expect(ids(events)).toEqual(ids(all));
  });

  const filters: [string, AdminInput<'events.page'>, (e: EngineEvent) => boolean][] = [
    ['type', { type: 'token.issued' }, (e) => e.type === 'token.issued'],
    ['client_id', { client_id: 'web' }, (e) => e.client_id === 'web'],
    ['username', { username: 'alice' }, (e) => e.username === 'alice'],
    ['errors', { errors: true }, (e) => e.type === 'request' && Number(e.data.status) >= 400],
    ['endpoint', { endpoint: 'token' }, (e) => e.type === 'request' && e.data.endpoint === 'token'],
    [
      'type and client_id',
      { type: 'token.issued', client_id: 'web' },
      (e) => e.type === 'token.issued' && e.client_id === 'web',
    ],
    ['q over the type (any case)', { q: 'REQUEST' }, (e) => e.type.includes('request')],
    ['q over the data', { q: 'invalid_client' }, (e) => JSON.stringify(e.data).includes('invalid_client')],
    // The engine matches the types in JS and the other columns with LIKE (with ESCAPE only when the
    // text has a wildcard): each case checks the whole match against every column, as one LIKE was.
    ['q over types (any case)', { q: 'Token.I' }, holding('token.i')],
    ['q over the client id and user name', { q: 'Li' }, holding('li')],
    ['q with a wildcard, taken literally', { q: 'T_TYPE' }, holding('t_type')],
    ['q over types and a token id', { q: 'o' }, holding('o')],
  ];

  it.each(filters)(
    'filters by %s as the whole log filtered does, through short pages',
    async (_, input, keep) => {
      scanLimits.windowRows = 100;
      scanLimits.pageBudgetMs = 0;
      const expected = all.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      const { events, shortPages } = await pageThrough({ ...input, limit: 40 });
      expect(ids(events)).toEqual(ids(expected));
      if (expected.length < all.length / 3 && input.type === undefined) expect(shortPages).toBeGreaterThan(0);
      const listed = (await engine.call('events.list', { ...input, limit: 5000 })) as EngineEvent[];
      expect(ids(listed)).toEqual(ids(expected));
    },
  );

  it('goes on from before_id', async () => {
    const from = all[300] as EngineEvent;
    const answer = await page({ before_id: from.id, limit: 10 });
    expect(ids(answer.events)).toEqual(ids(all.slice(301, 311)));
  });
});

describe('events.count', () => {
  it('counts exactly with no filter and with the type', async () => {
    expect(await count({})).toEqual({ count: all.length, exact: true });
    const issued = all.filter((e) => e.type === 'token.issued').length;
    expect(await count({ type: 'token.issued' })).toEqual({ count: issued, exact: true });
    const alice = all.filter((e) => e.username === 'alice').length;
    expect(await count({ username: 'alice' })).toEqual({ count: alice, exact: true });
  });

  it('counts a q exactly where it reads the whole log, as the pages list it', async () => {
    for (const q of ['Token.I', 'T_TYPE', 'svc']) {
      const expected = all.filter(holding(q.toLowerCase())).length;
      expect(expected).toBeGreaterThan(0);
      expect(await count({ q })).toEqual({ count: expected, exact: true });
    }
    expect(await count({ q: 'nothing%like_this' })).toEqual({ count: 0, exact: true });
  });

  it('estimates, said so, within 15% on a log whose mix changed', async () => {
    scanLimits.windowRows = 100;
    scanLimits.countBudgetMs = 0;
    const svc = all.filter((e) => e.client_id === 'svc').length;
    const estimate = await count({ client_id: 'svc' });
    expect(estimate.exact).toBe(false);
    expect(Math.abs(estimate.count - svc) / svc).toBeLessThan(0.15);
  });
});
