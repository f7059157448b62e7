import { describe, expect, it } from 'vitest';
import type { EngineEvent, Token } from '../../../../../shared/schemas';
import { testToken } from '../../tokens/test-token';
import { gapIssued, planFor, planForGap } from './live-plan';
import { addEvents } from './timeline-data';
import {
  applyNewer,
  fromNewestPages,
  holesWithin,
  newestIds,
  newestSeq,
  replaceRows,
  sampleNewer,
} from './token-window';

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0);

/** Token number `seq`, issued `seq` seconds after T0. */
function token(seq: number, patch: Partial<Token> = {}): Token {
  return testToken({ id: `t${seq}`, seq, issued_at: new Date(T0 + seq * 1000).toISOString(), ...patch });
}
const ids = (tokens: readonly Token[]) => tokens.map((t) => t.id);

describe('the held tokens', () => {
  it('turns a first load’s pages (newest first) into one list, oldest first, each token once', () => {
    const pages = [
      [token(6), token(5), token(4)],
      // A page that repeats a row (a token issued between two pages shifts them).
      [token(4), token(3), token(2)],
    ];
    expect(ids(fromNewestPages(pages))).toEqual(['t2', 't3', 't4', 't5', 't6']);
    // At most `cap`: the newest.
    expect(ids(fromNewestPages(pages, 3))).toEqual(['t4', 't5', 't6']);
  });

  it('appends a page of newer tokens in issue order, replacing rows it repeats, keeping the others’ objects', () => {
    const held = [token(1), token(2), token(3)];
    const revoked = token(3, { state: 'revoked' });
    const { tokens, added, dropped } = applyNewer(held, [token(5), revoked, token(4)]);
    expect(ids(tokens)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(added).toBe(2);
    expect(dropped).toBe(0);
    expect(tokens[2]).toBe(revoked);
    expect(tokens[0]).toBe(held[0]);
    // An empty page changes nothing, not even the array.
    expect(applyNewer(held, []).tokens).toBe(held);
  });

  it('drops the oldest once more than the cap are held', () => {
    const held = [token(1), token(2), token(3)];
    const { tokens, added, dropped } = applyNewer(held, [token(4), token(5)], 4);
    expect(ids(tokens)).toEqual(['t2', 't3', 't4', 't5']);
    expect([added, dropped]).toEqual([2, 1]);
  });

  it('replaces rows by id in place, removes the ones asked for that no longer exist, and keeps the list when nothing changed', () => {
    const held = [token(1), token(2), token(3)];
    const revoked = token(2, { state: 'revoked' });
    const replaced = replaceRows(held, [revoked], ['t2', 't3']);
    // t3 was asked for and not answered: purged.
    expect(ids(replaced)).toEqual(['t1', 't2']);
    expect(replaced[1]).toBe(revoked);
    expect(replaced[0]).toBe(held[0]);
    expect(replaceRows(held, [held[1] as Token], ['t2'])).toBe(held);
    expect(replaceRows(held, [], [])).toBe(held);
  });

  it('knows the newest sequence held and the newest ids', () => {
    expect(newestSeq([token(3), token(9), token(4)])).toBe(9);
    expect(newestSeq([])).toBeNull();
    expect([...newestIds([token(1), token(2), token(3)], 2)]).toEqual(['t2', 't3']);
  });

  it('adds live events once, after those loaded', () => {
    const event = (id: number): EngineEvent => ({
      id,
      at: new Date(T0).toISOString(),
      type: 'token.introspected',
      client_id: 'web',
      username: null,
      token_id: 't1',
      data: {},
    });
    const held = [event(1), event(2)];
    expect(addEvents(held, [event(2), event(3)]).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(addEvents(held, [event(1)])).toBe(held);
  });
});

describe('what a live event asks of the timeline', () => {
  const event = (type: EngineEvent['type'], patch: Partial<EngineEvent> = {}): EngineEvent => ({
    id: 1,
    at: new Date(T0).toISOString(),
    type,
    client_id: 'web',
    username: 'alice',
    token_id: 't1',
    data: {},
    ...patch,
  });

  it('fetches what came after the newest held for a new token that matches the filters, nothing else', () => {
    const issued = event('token.issued', { data: { kind: 'access' } });
    expect(planFor(issued, {})).toMatchObject({ tail: true, ids: [], reload: null });
    expect(planFor(issued, { kind: 'access', client_id: 'web', username: 'alice' }).tail).toBe(true);
    expect(planFor(issued, { kind: 'refresh' }).tail).toBe(false);
    expect(planFor(issued, { client_id: 'svc' }).tail).toBe(false);
    expect(planFor(issued, { username: 'bob' }).tail).toBe(false);
  });

  it('refetches the rows a revocation, a use, a refresh or a reuse detection changed, by id', () => {
    expect(planFor(event('token.revoked'), {})).toMatchObject({ tail: false, ids: ['t1'], drawn: false });
    expect(planFor(event('token.introspected'), {})).toMatchObject({ ids: ['t1'], drawn: true });
    expect(planFor(event('token.refreshed'), {})).toMatchObject({ ids: ['t1'], drawn: true });
    expect(planFor(event('request', { data: { endpoint: 'userinfo' } }), {})).toMatchObject({ ids: ['t1'] });
    expect(planFor(event('request', { data: { endpoint: 'token' } }), {})).toMatchObject({
      ids: [],
      drawn: false,
    });
    // A reuse detection revoked its whole grant.
    const reuse = planFor(event('token.reuse_detected', { data: { grant_id: 'g1', revoked: 4 } }), {});
    expect(reuse).toMatchObject({ ids: ['t1'], grant: 'g1', reload: null, drawn: true });
  });

  it('reloads after changes too wide to follow by rows, and draws key changes without fetching', () => {
    expect(planFor(event('tokens.revoked'), {}).reload).toBe('tokens');
    expect(planFor(event('tokens.purged'), {}).reload).toBe('tokens');
    expect(planFor(event('workspace.reset'), {}).reload).toBe('all');
    expect(planFor(event('workspace.imported'), {}).reload).toBe('all');
    expect(planFor(event('logout', { data: { revoked_tokens: 3 } }), {}).reload).toBe('tokens');
    expect(planFor(event('logout', { data: { revoked_tokens: 0 } }), {}).reload).toBeNull();
    const clock = event('settings.changed', { data: { changed: ['clock_offset_seconds'] } });
    expect(planFor(clock, {})).toMatchObject({ reload: 'tokens', drawn: true });
    expect(planFor(event('settings.changed', { data: { changed: ['issuer'] } }), {}).reload).toBeNull();
    expect(planFor(event('key.rotated'), {})).toMatchObject({ reload: null, tail: false, drawn: true });
    expect(planFor(event('user.created'), {})).toMatchObject({ reload: null, tail: false, drawn: false });
  });

  it('reads new tokens by cursor after a gap of issues, and reloads after a gap of revocations or uses', () => {
    const gap = (omitted: Record<string, number>, uncounted = false) => ({
      issuers: { root: { omitted, through: 42, ...(uncounted ? { uncounted: true as const } : {}) } },
    });
    expect(planForGap(gap({ 'token.issued': 900, login: 10 }))).toEqual({ tail: true, reload: null });
    expect(planForGap(gap({ 'token.issued': 900, 'token.revoked': 3 }))).toEqual({
      tail: true,
      reload: 'tokens',
    });
    expect(planForGap(gap({ logout: 1 }))).toEqual({ tail: false, reload: 'tokens' });
    // A use is a mark as well as a change of its row: the events are read again too.
    expect(planForGap(gap({ 'token.introspected': 5, 'token.revoked': 1 }))).toEqual({
      tail: false,
      reload: 'all',
    });
    expect(planForGap(gap({ request: 5 }))).toEqual({ tail: false, reload: 'all' });
    expect(planForGap(gap({ 'device.requested': 2 }))).toEqual({ tail: false, reload: null });
    // Missed more than could be counted: anything may be missing.
    expect(planForGap(gap({}, true))).toEqual({ tail: true, reload: 'all' });
    // The tokens a gap left out count towards the rate that decides whether every one is read.
    expect(gapIssued(gap({ 'token.issued': 900, login: 10 }))).toBe(900);
    expect(gapIssued(gap({ request: 5 }))).toBe(0);
    expect(gapIssued(gap({}, true))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('reading only the newest tokens under a high rate', () => {
  const held = [token(1), token(2), token(3)];
  /** Tokens from..to, newest first, as a page of tokens.list issued_desc answers them. */
  const newestFirst = (from: number, to: number) =>
    Array.from({ length: from - to + 1 }, (_, i) => token(from - i));

  it('leaves a hole between the newest held and the oldest read when the page does not reach back', () => {
    const { newer, hole } = sampleNewer(held, newestFirst(20, 11), true, true);
    expect(ids(newer)).toEqual(ids(newestFirst(20, 11)));
    // Tokens 4..10 were not read: seven at most, between token 3's and token 11's issue times.
    expect(hole).toEqual({ from: T0 + 3000, to: T0 + 11_000, skipped: 7 });
    // Filtered, or every issuer's: the sequence does not count what was left out.
    expect(sampleNewer(held, newestFirst(20, 11), true, false).hole?.skipped).toBeNull();
  });

  it('leaves no hole when the page reaches the newest held, or is all there is', () => {
    const reached = sampleNewer(held, newestFirst(6, 2), true, true);
    expect(ids(reached.newer)).toEqual(['t6', 't5', 't4']);
    expect(reached.hole).toBeNull();
    // Nothing older follows the page (a filter matched only these): nothing was skipped.
    expect(sampleNewer(held, newestFirst(20, 11), false, true).hole).toBeNull();
    // Nothing new.
    expect(sampleNewer(held, newestFirst(3, 1), true, true)).toEqual({ newer: [], hole: null });
    // Nothing held yet: the page is the window.
    expect(sampleNewer([], newestFirst(5, 1), true, true)).toEqual({ newer: newestFirst(5, 1), hole: null });
  });

  it('compares by id when the rows carry no sequence (every issuer’s timeline)', () => {
    const unsequenced = (seq: number) => token(seq, { seq: undefined });
    const heldRows = [1, 2, 3].map(unsequenced);
    const meets = sampleNewer(heldRows, [5, 4, 3, 2].map(unsequenced), true, false);
    expect(ids(meets.newer)).toEqual(['t5', 't4']);
    expect(meets.hole).toBeNull();
    const misses = sampleNewer(heldRows, [9, 8].map(unsequenced), true, false);
    expect(misses.hole).toEqual({ from: T0 + 3000, to: T0 + 8000, skipped: null });
  });

  it('forgets a hole once the window’s oldest tokens past it are dropped', () => {
    const hole = (from: number, to: number) => ({ from: T0 + from * 1000, to: T0 + to * 1000, skipped: 1 });
    const holes = [hole(3, 5), hole(8, 10)];
    expect(holesWithin(holes, [token(4), token(5), token(10)])).toEqual(holes);
    expect(holesWithin(holes, [token(5), token(10)])).toEqual([hole(8, 10)]);
    expect(holesWithin(holes, [])).toEqual([]);
  });
});
