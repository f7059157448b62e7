import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanLimits } from '../../main/core/store/windows';
import type { AdminInput, AdminOutput } from '../../shared/contract';
import type { AdminScope } from '../../shared/issuers';
import type { Token, TokenSort } from '../../shared/schemas';
import { encodeTokenCursor } from '../../shared/token-cursor';
import { frozenClock } from '../helpers/clock';
import { startTestEngine } from '../helpers/engine';
import { LIST_SEED } from '../helpers/list-seed';

/**
 * Keyset paging of tokens.list on a real SQLite store of a few thousand tokens, with windows made
 * small (store/windows.ts scanLimits) so that a selective filter gives short pages with a cursor, as
 * it does over a million rows. Each paged list is compared with the store's whole list filtered here.
 */

const clock = frozenClock(Date.UTC(2026, 0, 1));
let engine: Awaited<ReturnType<typeof startTestEngine>>;
const defaults = { ...scanLimits };
/** Every token, newest first (one unfiltered call: no filter reads no window). */
let all: Token[];
/** Ids of the tokens minted with the claim `team: "Blue_%1"` (a LIKE wildcard in it, on purpose). */
const blueTeam = new Set<string>();

const list = (input: AdminInput<'tokens.list'>, scope?: AdminScope) =>
  engine.call('tokens.list', input, scope) as Promise<AdminOutput<'tokens.list'>>;

/** Every page of a list until next_cursor is null: the rows in order, and how many pages were short. */
async function pageThrough(input: AdminInput<'tokens.list'>, scope?: AdminScope) {
  const rows: Token[] = [];
  let cursor: string | undefined;
  let shortPages = 0;
  for (let calls = 0; calls < 10_000; calls++) {
    const page = await list({ ...input, cursor, count: false }, scope);
    expect(page.total).toBeNull();
    rows.push(...page.tokens);
    if (page.next_cursor === null) return { rows, shortPages };
    if (page.tokens.length < (input.limit ?? 500)) shortPages++;
    cursor = page.next_cursor;
  }
  throw new Error('the list did not end');
}

/** A list in a sort's order, by the order's keys alone (expiry, then issue sequence). */
function sorted(tokens: Token[], sort: TokenSort): Token[] {
  const key = (t: Token) => (sort.startsWith('expires') ? Date.parse(t.expires_at) : 0);
  const sign = sort.endsWith('desc') ? -1 : 1;
  return [...tokens].sort((a, b) => sign * (key(a) - key(b) || (a.seq ?? 0) - (b.seq ?? 0)));
}

const ids = (tokens: Token[]) => tokens.map((t) => t.id);

beforeAll(async () => {
  engine = await startTestEngine({ inMemory: true, clock, seed: LIST_SEED });
  const mint = (input: AdminInput<'tokens.mint'>) => engine.call('tokens.mint', input);
  // Skewed on purpose: the older half is mostly the machine client's, the newer half alice's and bob's.
  for (let i = 0; i < 1200; i++) {
    const ttl = 60 * (1 + (i % 5));
    if (i % 8 === 0) await mint({ client_id: 'web', username: 'alice', ttl });
    else await mint({ client_id: 'svc', ttl });
  }
  clock.advance(120); // the 60 s and 120 s tokens so far are expired
  for (let i = 0; i < 1300; i++) {
    const username = i % 3 === 0 ? 'alice' : 'bob';
    const ttl = 60 * (1 + (i % 7));
    if (i % 10 === 0) await mint({ client_id: 'web', username, kind: 'refresh', ttl });
    else if (i % 25 === 1) {
      const minted = (await mint({
        client_id: 'web',
        username,
        ttl,
        extra_claims: { team: 'Blue_%1' },
      })) as AdminOutput<'tokens.mint'>;
      blueTeam.add(minted.token.id);
    } else if (i % 4 === 0) await mint({ client_id: 'svc', ttl });
    else await mint({ client_id: 'web', username, ttl });
  }
  const first = await list({ limit: 10_000 });
  for (const token of first.tokens.filter((_, i) => i % 97 === 0)) {
    await engine.call('tokens.revoke', { id: token.id });
  }
  all = (await list({ limit: 10_000 })).tokens;
  expect(all).toHaveLength(2500);
});

afterEach(() => Object.assign(scanLimits, defaults));
afterAll(async () => {
  Object.assign(scanLimits, defaults);
  await engine.cleanup();
});

/** Small windows, one per call: a selective filter's pages come short, as over a million rows. */
function smallWindows() {
  scanLimits.windowRows = 150;
  scanLimits.pageBudgetMs = 0;
}

describe('tokens.list keyset paging', () => {
  it('lists newest first with each row’s seq, a cursor and the total', async () => {
    const page = await list({ limit: 10 });
    expect(page.total).toBe(2500);
    expect(page.next_cursor).not.toBeNull();
    const seqs = page.tokens.map((t) => t.seq ?? -1);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(ids(page.tokens)).toEqual(ids(all.slice(0, 10)));
  });

  it.each(['issued_desc', 'issued_asc', 'expires_asc', 'expires_desc'] as const)(
    'visits every row once, in order, paging by %s',
    async (sort) => {
      const { rows } = await pageThrough({ sort, limit: 97 });
      expect(ids(rows)).toEqual(ids(sorted(all, sort)));
    },
  );

  it.each(['issued_desc', 'issued_asc', 'expires_asc', 'expires_desc'] as const)(
    'visits every match once, in order, through short pages of small windows (%s, filtered)',
    async (sort) => {
      smallWindows();
      const { rows, shortPages } = await pageThrough({ sort, format: 'opaque', limit: 20 });
      expect(shortPages).toBeGreaterThan(0);
      expect(ids(rows)).toEqual(
        ids(
          sorted(
            all.filter((t) => t.format === 'opaque'),
            sort,
          ),
        ),
      );
    },
  );

  const bobSubject = () => all.find((t) => t.username === 'bob')?.subject ?? '';
  const someGrant = () => all.find((t) => t.grant_id !== null)?.grant_id ?? '';
  const filters: [string, () => AdminInput<'tokens.list'>, (t: Token) => boolean][] = [
    ['kind', () => ({ kind: 'refresh' }), (t) => t.kind === 'refresh'],
    ['format', () => ({ format: 'opaque' }), (t) => t.format === 'opaque'],
    ['state expired', () => ({ state: 'expired' }), (t) => t.state === 'expired'],
    ['state revoked', () => ({ state: 'revoked' }), (t) => t.state === 'revoked'],
    ['client_id', () => ({ client_id: 'web' }), (t) => t.client_id === 'web'],
    ['username', () => ({ username: 'bob' }), (t) => t.username === 'bob'],
    ['username of no user', () => ({ username: 'nobody' }), () => false],
    ['grant_id', () => ({ grant_id: someGrant() }), (t) => t.grant_id === someGrant()],
    [
      'client_id and kind',
      () => ({ client_id: 'web', kind: 'access' }),
      (t) => t.client_id === 'web' && t.kind === 'access',
    ],
    ['q over the user name (any case)', () => ({ q: 'ALI' }), (t) => t.username === 'alice'],
    ['q over the subject', () => ({ q: bobSubject().slice(2, 12) }), (t) => t.subject === bobSubject()],
    ['q over the client id', () => ({ q: 'sv' }), (t) => t.client_id === 'svc'],
    ['q over claims (wildcards taken literally)', () => ({ q: 'blue_%1' }), (t) => blueTeam.has(t.id)],
    ['q a token id', () => ({ q: all[1234]?.id }), (t) => t.id === all[1234]?.id],
  ];

  it.each(filters)('filters by %s as the whole list filtered does', async (_, input, keep) => {
    smallWindows();
    const expected = all.filter(keep);
    const { rows } = await pageThrough({ ...input(), limit: 50 });
    expect(ids(rows)).toEqual(ids(expected));
    scanLimits.windowRows = defaults.windowRows;
    scanLimits.pageBudgetMs = defaults.pageBudgetMs;
    const whole = await list({ ...input(), limit: 10_000 });
    expect(whole.total).toBe(expected.length);
    expect(ids(whole.tokens)).toEqual(ids(expected));
  });

  it('finds a pasted token id on the first page, however far back its window is', async () => {
    smallWindows();
    const oldest = all.at(-1);
    const page = await list({ q: oldest?.id ?? '', limit: 50 });
    expect(ids(page.tokens)).toEqual([oldest?.id]);
    expect(page.next_cursor).toBeNull();
    // Another filter still applies to it.
    const other = oldest?.client_id === 'svc' ? 'web' : 'svc';
    expect((await list({ q: oldest?.id ?? '', client_id: other })).tokens).toEqual([]);
  });

  it('takes a q wildcard literally', async () => {
    // Unescaped, "%%svc%" would match every token of svc.
    const page = await list({ q: '%svc' });
    expect(page.tokens).toEqual([]);
  });

  it('lists the tokens named by ids only, in the sort’s order', async () => {
    const wanted = [all[5], all[700], all[2400]].map((t) => t?.id ?? '');
    const page = await list({ ids: [...wanted, 'no-such-token'], sort: 'issued_asc' });
    expect(ids(page.tokens)).toEqual([...wanted].reverse());
    expect(page.total).toBe(3);
  });

  it('goes on after a given seq with cursorAfter, as a view following new tokens does', async () => {
    const newest = all[100] as Token;
    const page = await list({
      sort: 'issued_asc',
      cursor: encodeTokenCursor({ sort: 'issued_asc', at: { seq: newest.seq ?? 0 } }),
      count: false,
    });
    expect(ids(page.tokens)).toEqual(ids(all.slice(0, 100).reverse()));
    expect(page.next_cursor).toBeNull();
  });

  it('keeps the old offset paging for old callers', async () => {
    const page = await list({ client_id: 'web', limit: 5, offset: 10 });
    expect(ids(page.tokens)).toEqual(ids(all.filter((t) => t.client_id === 'web').slice(10, 15)));
  });

  it('refuses a cursor that cannot be used, saying what to do', async () => {
    const { next_cursor } = await list({ limit: 5 });
    const cursor = next_cursor ?? '';
    await expect(list({ cursor, offset: 5 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('a cursor or an offset, not both'),
    });
    await expect(list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('start again without a cursor'),
    });
    await expect(list({ cursor, sort: 'expires_asc' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(
        'The cursor continues a list sorted by issued_desc, not expires_asc: ask with sort "issued_desc"',
      ),
    });
    const allIssuers = encodeTokenCursor({ sort: 'issued_desc', at: { root: { seq: 3 } } });
    await expect(list({ cursor: allIssuers })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('a list of every issuer'),
    });
  });
});

describe('tokens.count', () => {
  const count = (input: AdminInput<'tokens.count'>) =>
    engine.call('tokens.count', input) as Promise<AdminOutput<'tokens.count'>>;

  it('counts exactly with no filter and with an indexed one', async () => {
    expect(await count({})).toEqual({ count: 2500, exact: true });
    const web = all.filter((t) => t.client_id === 'web').length;
    expect(await count({ client_id: 'web' })).toEqual({ count: web, exact: true });
    const bob = all.filter((t) => t.username === 'bob').length;
    expect(await count({ username: 'bob' })).toEqual({ count: bob, exact: true });
  });

  it('counts exactly what it can read within its budget', async () => {
    const refresh = all.filter((t) => t.kind === 'refresh').length;
    expect(await count({ kind: 'refresh' })).toEqual({ count: refresh, exact: true });
  });

  it('estimates, said so, when the budget runs out, within 15% on a store whose mix changed', async () => {
    scanLimits.windowRows = 150;
    scanLimits.countBudgetMs = 0;
    // The machine client's tokens are most of the older half and few of the newer: extrapolating the
    // newest window alone would miss by half.
    const svc = all.filter((t) => t.client_id === 'svc').length;
    const newest = all.slice(0, 150).filter((t) => t.client_id === 'svc').length;
    expect(Math.abs((newest / 150) * 2500 - svc) / svc).toBeGreaterThan(0.3);
    const estimate = await count({ q: 'svc' });
    expect(estimate.exact).toBe(false);
    expect(Math.abs(estimate.count - svc) / svc).toBeLessThan(0.15);
  });
});

describe('every issuer (scope "*")', () => {
  const ALL = { issuer: '*' };
  /** "issuer/id" of every token of both issuers. */
  let everyToken: Token[];

  beforeAll(async () => {
    await engine.call('issuers.create', { name: 'orders' });
    const orders = { issuer: 'orders' };
    await engine.call(
      'clients.create',
      { client_id: 'svc', grant_types: ['client_credentials'], scope: 'api' },
      orders,
    );
    // Interleaved in time with new tokens of the root issuer.
    for (let i = 0; i < 300; i++) {
      if (i % 10 === 0) clock.advance(1);
      await engine.call('tokens.mint', { client_id: 'svc', ttl: 60 * (1 + (i % 3)) }, orders);
      if (i % 3 === 0) await engine.call('tokens.mint', { client_id: 'svc', ttl: 90 });
    }
    const root = (await list({ limit: 10_000 })).tokens.map((t) => ({ ...t, issuer: 'root' }));
    const other = (await list({ limit: 10_000 }, orders)).tokens;
    const id = (await engine.call('issuers.list', {})) as { id: string; name: string }[];
    const ordersId = id.find((issuer) => issuer.name === 'orders')?.id ?? '';
    everyToken = [...root, ...other.map((t) => ({ ...t, issuer: ordersId }))];
    expect(everyToken).toHaveLength(2500 + 100 + 300);
  });

  const key = (t: Token) => `${t.issuer}/${t.id}`;

  it.each(['issued_desc', 'expires_asc'] as const)(
    'visits every token of both issuers once, merged by %s',
    async (sort) => {
      const { rows } = await pageThrough({ sort, limit: 37 }, ALL);
      expect(rows.map(key).sort()).toEqual(everyToken.map(key).sort());
      const time = (t: Token) => Date.parse(sort === 'issued_desc' ? t.issued_at : t.expires_at);
      const times = rows.map(time);
      expect(times).toEqual([...times].sort((a, b) => (sort === 'issued_desc' ? b - a : a - b)));
    },
  );

  it('visits every match once through short pages of small windows', async () => {
    smallWindows();
    const { rows, shortPages } = await pageThrough({ q: 'svc', state: 'active', limit: 200 }, ALL);
    expect(shortPages).toBeGreaterThan(0);
    const expected = everyToken.filter((t) => t.client_id === 'svc' && t.state === 'active');
    expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('sums counts and totals, exact when every issuer’s is', async () => {
    expect(await engine.call('tokens.count', {}, ALL)).toEqual({ count: 2900, exact: true });
    expect((await list({ limit: 1 }, ALL)).total).toBe(2900);
    const events = (await engine.call(
      'events.count',
      { type: 'token.issued' },
      ALL,
    )) as AdminOutput<'events.count'>;
    expect(events).toEqual({ count: 2900, exact: true });
  });

  it('refuses a one-issuer cursor, and events.page, for every issuer, saying what to do', async () => {
    const { next_cursor } = await list({ limit: 5 });
    await expect(list({ cursor: next_cursor ?? '' }, ALL)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('use it with that issuer’s scope, or start again without a cursor'),
    });
    await expect(engine.call('events.page', {}, ALL)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('events.page pages one issuer’s events'),
    });
  });
});
