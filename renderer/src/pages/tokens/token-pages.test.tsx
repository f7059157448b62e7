import { describe, expect, it } from 'vitest';
import type { EngineEvent, Token } from '../../../../shared/schemas';
import { decodeTokenCursor } from '../../../../shared/token-cursor';
import {
  loadedIds,
  mayMatch,
  newestSeq,
  prependTokens,
  replaceHead,
  replaceTokens,
  type TokenPages,
} from './token-pages';

function token(seq: number, state: Token['state'] = 'active'): Token {
  return {
    id: `tok-${seq}`,
    seq,
    kind: 'access',
    format: 'jwt',
    state,
    client_id: 'billing-svc',
    username: null,
    subject: 'billing-svc',
    grant_id: null,
    parent_id: null,
    scope: '',
    audience: [],
    issued_at: new Date(seq * 1000).toISOString(),
    expires_at: new Date(seq * 1000 + 3_600_000).toISOString(),
    revoked_at: null,
    revoked_reason: null,
    last_used_at: null,
    flaws: [],
    grant_type: 'client_credentials',
    act: null,
  };
}

/** Newest first, as tokens.list answers by default: seqs from..to descending, in pages of `size`. */
function pages(from: number, to: number, size: number): TokenPages {
  const all = Array.from({ length: from - to + 1 }, (_, i) => token(from - i));
  const chunks: Token[][] = [];
  for (let i = 0; i < all.length; i += size) chunks.push(all.slice(i, i + size));
  return {
    pages: chunks.map((tokens, i) => ({
      tokens,
      total: null,
      next_cursor: i < chunks.length - 1 ? `c${i}` : null,
    })),
    pageParams: chunks.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
  };
}

const seqs = (data: TokenPages) => data.pages.flatMap((page) => page.tokens.map((t) => t.seq));

describe('the Tokens view’s pages under live events', () => {
  it('adds new tokens above the newest, once each, keeping the pages below as they were', () => {
    const data = pages(10, 1, 5);
    expect(newestSeq(data)).toBe(10);
    // 11 came through a page already (a race with the first read): it is not listed twice.
    const next = prependTokens(data, [token(13), token(12), token(11), token(10)], { max: 100, keep: 50 });
    expect(seqs(next)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(next.pageParams).toBe(data.pageParams);
    expect(prependTokens(next, [token(12)], { max: 100, keep: 50 })).toBe(next);
    expect(newestSeq(undefined)).toBe(0);
  });

  it('keeps only the newest rows when too many came in, going on from the last one kept', () => {
    const data = pages(10, 1, 5);
    const fresh = Array.from({ length: 8 }, (_, i) => token(18 - i));
    const next = prependTokens(data, fresh, { max: 12, keep: 6 });
    expect(seqs(next)).toEqual([18, 17, 16, 15, 14, 13]);
    expect(next.pageParams).toEqual([null]);
    // The next page starts right below the last row kept: nothing in between is skipped.
    const cursor = decodeTokenCursor(next.pages[0]?.next_cursor ?? '');
    expect(cursor).toEqual({ sort: 'issued_desc', at: { seq: 13 } });
  });

  it('replaces the head with the newest page when more came than it keeps, going on from its last row', () => {
    const data = pages(10, 1, 5);
    // 2,000 issued since; only the newest 4 (the head's keep) were read.
    const newest = [2010, 2009, 2008, 2007].map((seq) => token(seq));
    const next = replaceHead(data, newest, { max: 8, keep: 4 });
    expect(seqs(next)).toEqual([2010, 2009, 2008, 2007]);
    expect(next.pages).toHaveLength(1);
    expect(next.pageParams).toEqual([null]);
    // The next page is read from below the last row kept: nothing between it and older rows is skipped.
    expect(decodeTokenCursor(next.pages[0]?.next_cursor ?? '')).toEqual({
      sort: 'issued_desc',
      at: { seq: 2007 },
    });
  });

  it('adds the newest page above the rows when it reaches down to them (nothing in between was missed)', () => {
    const data = pages(10, 1, 5);
    const next = replaceHead(
      data,
      [13, 12, 11, 10].map((seq) => token(seq)),
      { max: 20, keep: 4 },
    );
    expect(seqs(next)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(replaceHead(data, [], { max: 20, keep: 4 })).toBe(data);
  });

  it('replaces changed tokens where they are, leaving the other pages untouched', () => {
    const data = pages(10, 1, 5);
    const revoked = token(3, 'revoked');
    const next = replaceTokens(data, new Map([[revoked.id, revoked]]));
    expect(next.pages[1]?.tokens.find((t) => t.seq === 3)?.state).toBe('revoked');
    expect(next.pages[0]).toBe(data.pages[0]);
    expect(seqs(next)).toEqual(seqs(data));
    // A token not listed changes nothing.
    expect(replaceTokens(data, new Map([['elsewhere', token(99)]]))).toBe(data);
    expect(loadedIds(data)).toHaveLength(10);
  });
});

describe('which issued tokens a filtered view reads', () => {
  const issued: EngineEvent = {
    id: 1,
    at: new Date().toISOString(),
    type: 'token.issued',
    client_id: 'billing-svc',
    username: 'alice',
    token_id: 'tok-1',
    data: { kind: 'access', format: 'jwt', grant_type: 'authorization_code' },
  };

  it('skips a token the event shows is of another client, user, kind or format, or not of the state', () => {
    expect(mayMatch(issued, {})).toBe(true);
    expect(mayMatch(issued, { client_id: 'billing-svc', username: 'alice', kind: 'access' })).toBe(true);
    expect(mayMatch(issued, { state: 'active', format: 'jwt' })).toBe(true);
    expect(mayMatch(issued, { client_id: 'ledger-svc' })).toBe(false);
    expect(mayMatch(issued, { username: 'bob' })).toBe(false);
    expect(mayMatch(issued, { kind: 'refresh' })).toBe(false);
    expect(mayMatch(issued, { format: 'reference' })).toBe(false);
    // A new token is active: a view of revoked tokens gets none.
    expect(mayMatch(issued, { state: 'revoked' })).toBe(false);
    // Free text is for the engine to match.
    expect(mayMatch(issued, { q: 'anything' })).toBe(true);
  });
});
