import { describe, expect, it } from 'vitest';
import type { Token } from '../../../../../shared/schemas';
import { testToken } from '../../tokens/test-token';
import { barExtent, type Geometry, hitTest, visibleRows } from './draw';
import {
  describeRow,
  exchangeOf,
  familyLabel,
  layoutTimeline,
  parseTime,
  rowLabel,
  rowPrefix,
  stateAt,
  type TimelineLayout,
} from './layout';
import { shownRowOf, windowLayout } from './window';

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0);
const iso = (offsetSeconds: number) => new Date(T0 + offsetSeconds * 1000).toISOString();

function token(id: string, patch: Partial<Token> = {}): Token {
  return testToken({ id, issued_at: iso(0), expires_at: iso(3600), ...patch });
}

/** A sign-in (access, id, refresh), then a refresh of it issuing three children. */
function family(): Token[] {
  return [
    token('a1'),
    token('i1', { kind: 'id' }),
    token('r1', { kind: 'refresh', state: 'rotated', expires_at: iso(86_400) }),
    token('a2', { parent_id: 'r1', issued_at: iso(600), expires_at: iso(4200) }),
    token('i2', { kind: 'id', parent_id: 'r1', issued_at: iso(600), expires_at: iso(4200) }),
    token('r2', { kind: 'refresh', parent_id: 'r1', issued_at: iso(600), expires_at: iso(87_000) }),
  ];
}

/** The marks with their rows (a row's marks are marks[markOffsets[row] … markOffsets[row + 1])). */
function marksByRow(layout: TimelineLayout) {
  return layout.rows.flatMap((_, row) => {
    const from = layout.markOffsets[row] as number;
    const to = layout.markOffsets[row + 1] as number;
    return Array.from(layout.markIndex.subarray(from, to), (k) => ({ row, ...layout.marks[k] }));
  });
}

describe('parseTime', () => {
  it('reads the engine’s ISO times as Date.parse does, and hands other forms to it', () => {
    for (const ms of [
      0,
      T0,
      T0 + 123,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(1969, 11, 31),
      Date.UTC(2400, 2, 1),
    ]) {
      const text = new Date(ms).toISOString();
      expect(parseTime(text), text).toBe(ms);
    }
    expect(parseTime('2026-03-14T12:00:00Z')).toBe(T0);
    expect(parseTime('2026-03-14T13:00:00.000+01:00')).toBe(T0);
    expect(parseTime('2026-03-14T1x:00:00.000Z')).toBeNaN();
  });
});

describe('layoutTimeline', () => {
  it('keeps a family together, children right under their parent, newest family first', () => {
    const machine = token('m1', { grant_id: 'g2', username: null, client_id: 'svc', issued_at: iso(900) });
    const layout = layoutTimeline([...family().reverse(), machine]);
    expect(layout.rows.map((r) => r.token.id)).toEqual(['m1', 'a1', 'i1', 'r1', 'a2', 'i2', 'r2']);
    expect(layout.rows.map((r) => r.depth)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect([...layout.rowFamily]).toEqual([0, 1, 1, 1, 1, 1, 1]);
    expect(layout.families).toBe(2);
  });

  it('links each child to its parent at the moment of the refresh, and ends the parent’s life there', () => {
    const layout = layoutTimeline(family());
    const index = (id: string) => layout.rowById.get(id) as number;
    expect(layout.links).toEqual(
      ['a2', 'i2', 'r2'].map((id) => ({
        from: index('r1'),
        to: index(id),
        at: T0 + 600_000,
        kind: 'refresh',
      })),
    );
    expect(layout.rows[index('r1')]?.lifeEnd).toBe(T0 + 600_000);
    expect(layout.rows[index('a1')]?.lifeEnd).toBeNull();
    expect(layout.min).toBe(T0);
    expect(layout.max).toBe(T0 + 87_000_000);
  });

  it('marks revocations, introspections and reuse detection on the right rows', () => {
    const tokens = family().map((t) =>
      t.id === 'r1'
        ? { ...t, state: 'reuse_detected' as const, revoked_at: iso(1200), revoked_reason: 'reuse_detected' }
        : t.id === 'a2'
          ? { ...t, state: 'revoked' as const, revoked_at: iso(1200), revoked_reason: 'refresh_token_reuse' }
          : t,
    );
    const events = [
      { type: 'token.introspected' as const, at: iso(30), token_id: 'a1' },
      { type: 'token.introspected' as const, at: iso(40), token_id: 'unknown' },
      { type: 'token.introspected' as const, at: iso(50), token_id: null },
    ];
    const layout = layoutTimeline(tokens, events);
    const index = (id: string) => layout.rowById.get(id) as number;
    expect(marksByRow(layout)).toEqual(
      expect.arrayContaining([
        { row: index('a1'), at: T0 + 30_000, type: 'introspected' },
        // No reuse event loaded: the replayed token's revocation stands in for it.
        { row: index('r1'), at: T0 + 1_200_000, type: 'reuse' },
        { row: index('a2'), at: T0 + 1_200_000, type: 'revoked' },
      ]),
    );
    expect(layout.marks).toHaveLength(3);
    // A revoked token's life ends at the revocation, before its expiry.
    expect(layout.rows[index('a2')]?.lifeEnd).toBe(T0 + 1_200_000);

    const withEvent = layoutTimeline(tokens, [
      { type: 'token.reuse_detected', at: iso(1200), token_id: 'r1' },
    ]);
    expect(withEvent.marks.filter((m) => m.type === 'reuse')).toHaveLength(1);
  });

  it('ends a rotated token whose children are not shown at its refresh event, else at its last use', () => {
    const rotated = token('r1', { kind: 'refresh', state: 'rotated', expires_at: iso(86_400) });
    const fromEvent = layoutTimeline(
      [rotated],
      [{ type: 'token.refreshed', at: iso(300), token_id: 'r1', data: { replaced_by: 'r2' } }],
    );
    expect(fromEvent.rows[0]?.lifeEnd).toBe(T0 + 300_000);
    const fromLastUse = layoutTimeline([{ ...rotated, last_used_at: iso(200) }]);
    expect(fromLastUse.rows[0]?.lifeEnd).toBe(T0 + 200_000);
    // An active refresh token that was used is still alive: no end of life.
    const used = layoutTimeline([{ ...rotated, state: 'active', last_used_at: iso(200) }]);
    expect(used.rows[0]?.lifeEnd).toBeNull();
  });

  it('marks uses: successful userinfo calls and refreshes, on the token used', () => {
    const request = (at: number, tokenId: string, endpoint: string, status: number) => ({
      type: 'request' as const,
      at: iso(at),
      token_id: tokenId,
      data: { endpoint, status },
    });
    const layout = layoutTimeline(family(), [
      request(30, 'a1', 'userinfo', 200),
      request(35, 'a1', 'userinfo', 401),
      request(40, 'r1', 'token', 200),
      { type: 'token.refreshed', at: iso(600), token_id: 'r1', data: {} },
    ]);
    const index = (id: string) => layout.rowById.get(id) as number;
    expect(marksByRow(layout)).toEqual([
      { row: index('a1'), at: T0 + 30_000, type: 'userinfo' },
      { row: index('r1'), at: T0 + 600_000, type: 'refreshed' },
    ]);
  });

  it('keeps only the rows with something in the window, renumbering links and marks', () => {
    const tokens = [
      ...family(),
      // A machine token long expired before the window.
      token('old', {
        grant_id: 'g9',
        username: null,
        client_id: 'svc',
        issued_at: iso(-7200),
        expires_at: iso(-3600),
      }),
    ];
    const layout = layoutTimeline(tokens, [{ type: 'token.introspected', at: iso(4000), token_id: 'a2' }]);
    const all = windowLayout(layout, { start: T0 - 8_000_000, end: T0 + 100_000_000 });
    expect(all.hidden).toBe(0);
    expect(all.rows).toBe(layout.rows);

    // 3,700 s to 3,800 s: a1 and i1 expired at 3,600 s, 'old' long before; r1 (to a day) and the children
    // (to 4,200 s) are in it.
    const view = { start: T0 + 3_700_000, end: T0 + 3_800_000 };
    const shown = windowLayout(layout, view);
    expect(shown.rows.map((r) => r.token.id)).toEqual(['r1', 'a2', 'i2', 'r2']);
    expect(shown.hidden).toBe(3);
    expect(shown.families).toBe(1);
    expect(shownRowOf(shown, 'a2')).toBe(1);
    expect(shownRowOf(shown, 'a1')).toBeNull();
    // Links and marks stay on the whole layout; its rows map to the kept ones through `position`.
    expect(layout.links.map((l) => [shown.position[l.from], shown.position[l.to]])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    expect([...shown.index].map((row) => layout.rows[row]?.token.id)).toEqual(['r1', 'a2', 'i2', 'r2']);

    // A row whose bar is outside the window but with a mark in it stays.
    const marked = layoutTimeline(tokens, [{ type: 'token.introspected', at: iso(3750), token_id: 'a1' }]);
    expect(windowLayout(marked, view).rows.map((r) => r.token.id)).toContain('a1');
  });

  it('labels a family by who and which client, abbreviated when thin', () => {
    const [row] = layoutTimeline([
      token('a1', { username: 'alexandra.longname', client_id: 'customer-portal-web' }),
    ]).rows;
    if (!row) throw new Error('no row');
    expect(familyLabel(row)).toBe('alexandra.longname · customer-portal-web');
    expect(familyLabel(row, true)).toBe('alexandra… · customer-…');
    const [machine] = layoutTimeline([token('m1', { username: null, client_id: 'svc' })]).rows;
    if (!machine) throw new Error('no row');
    expect(familyLabel(machine, true)).toBe('machine · svc');
  });

  it('turns signing-key events into key changes, oldest first, apart from token marks', () => {
    const layout = layoutTimeline(
      [token('a1')],
      [
        { type: 'key.activated', at: iso(600), token_id: null, data: { kid: 'k2', cause: 'scheduled' } },
        { type: 'key.staged', at: iso(0), token_id: null, data: { kid: 'k2', activates_at: iso(600) } },
        { type: 'key.rotated', at: iso(700), token_id: null, data: { kid: 'k3', reason: 'rotated' } },
        { type: 'key.retired', at: iso(900), token_id: null, data: { kid: 'k1', was: 'previous' } },
      ],
    );
    expect(layout.keyChanges).toEqual([
      { at: T0, stage: 'staged', kid: 'k2', detail: 'scheduled' },
      { at: T0 + 600_000, stage: 'activated', kid: 'k2', detail: 'scheduled' },
      { at: T0 + 700_000, stage: 'activated', kid: 'k3', detail: 'rotate now' },
      { at: T0 + 900_000, stage: 'retired', kid: 'k1', detail: null },
    ]);
    expect(layout.marks).toEqual([]);
  });

  it('turns settings changes that moved the provider clock into clock changes, and ignores the others', () => {
    const moved = (at: number, offset: number) => ({
      type: 'settings.changed' as const,
      at: iso(at),
      token_id: null,
      data: { changed: ['clock_offset_seconds'], settings: { clock_offset_seconds: offset } },
    });
    const layout = layoutTimeline(
      [token('a1')],
      [
        moved(3600, 0),
        {
          type: 'settings.changed',
          at: iso(60),
          token_id: null,
          data: { changed: ['access_token_ttl'], settings: {} },
        },
        moved(0, 3600),
      ],
    );
    expect(layout.clockChanges).toEqual([
      { at: T0, offsetSeconds: 3600 },
      { at: T0 + 3_600_000, offsetSeconds: 0 },
    ]);
    expect(layout.keyChanges).toEqual([]);
  });

  it('draws a delegation chain under its subject token, each exchange a link saying who acted for whom', () => {
    const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const first = { sub: 'orders-api', client_id: 'orders-api' };
    const tokens = [
      // A client_credentials subject: no grant, so the exchanged tokens join its family through parent_id.
      token('s1', { grant_id: null, username: null, client_id: 'frontend', subject: 'frontend' }),
      token('x1', {
        grant_id: null,
        username: null,
        client_id: 'orders-api',
        subject: 'frontend',
        parent_id: 's1',
        issued_at: iso(60),
        grant_type: EXCHANGE,
        act: first,
        audience: ['billing-api'],
      }),
      token('x2', {
        grant_id: null,
        username: null,
        client_id: 'billing-api',
        subject: 'frontend',
        parent_id: 'x1',
        issued_at: iso(120),
        grant_type: EXCHANGE,
        act: { sub: 'billing-api', client_id: 'billing-api', act: first },
        audience: ['ledger-api'],
      }),
      // Impersonation: no new actor, the subject's act kept as it was.
      token('x3', {
        grant_id: null,
        username: null,
        client_id: 'gateway',
        subject: 'frontend',
        parent_id: 'x1',
        issued_at: iso(180),
        grant_type: EXCHANGE,
        act: first,
        audience: ['orders-api'],
      }),
      token('m1', { grant_id: null, username: null, client_id: 'other', issued_at: iso(30) }),
    ];
    const layout = layoutTimeline(tokens);
    const index = (id: string) => layout.rowById.get(id) as number;
    expect(layout.families).toBe(2);
    expect(layout.rows.map((r) => [r.token.id, r.depth])).toEqual([
      ['m1', 0],
      ['s1', 0],
      ['x1', 1],
      ['x2', 2],
      ['x3', 2],
    ]);
    expect(layout.exchanges).toBe(3);
    expect(layout.links).toEqual([
      { from: index('s1'), to: index('x1'), at: T0 + 60_000, kind: 'exchange' },
      { from: index('x1'), to: index('x2'), at: T0 + 120_000, kind: 'exchange' },
      { from: index('x1'), to: index('x3'), at: T0 + 180_000, kind: 'exchange' },
    ]);
    const row = (id: string) => layout.rows[index(id)] as NonNullable<(typeof layout.rows)[number]>;
    expect(rowPrefix(row('x2'))).toBe('⇄ ');
    expect(exchangeOf(layout, row('x1'))).toBe(
      'Exchanged from Access token …s1 — orders-api (client orders-api) acting for frontend · audience billing-api',
    );
    expect(exchangeOf(layout, row('x2'))).toBe(
      'Exchanged from Access token …x1 — billing-api (client billing-api) acting for orders-api (client orders-api) acting for frontend · audience ledger-api',
    );
    expect(exchangeOf(layout, row('x3'))).toBe(
      'Exchanged from Access token …x1 — impersonation: client gateway acts as frontend · audience orders-api',
    );
    expect(exchangeOf(layout, row('s1'))).toBeNull();
    // A refresh child keeps the plain connector and prefix.
    const refreshed = layoutTimeline(
      family().map((t) => (t.parent_id ? { ...t, grant_type: 'refresh_token' } : t)),
    );
    expect(refreshed.exchanges).toBe(0);
    expect(refreshed.links.every((link) => link.kind === 'refresh')).toBe(true);
    const a2 = refreshed.rows.find((r) => r.token.id === 'a2');
    if (!a2) throw new Error('no row a2');
    expect(rowPrefix(a2)).toBe('↳ ');
  });

  it('shows a child whose parent is filtered out as a root of its family', () => {
    const layout = layoutTimeline(family().filter((t) => t.kind !== 'refresh'));
    expect(layout.rows.map((r) => [r.token.id, r.depth])).toEqual([
      ['a1', 0],
      ['i1', 0],
      ['a2', 0],
      ['i2', 0],
    ]);
    expect(layout.links).toEqual([]);
  });

  it('colours an active token past its expiry as expired, and describes rows in words', () => {
    const [row] = layoutTimeline([token('abcdef123456')]).rows;
    if (!row) throw new Error('no row');
    expect(stateAt(row, T0 + 10_000)).toBe('active');
    expect(stateAt(row, T0 + 3_600_000)).toBe('expired');
    expect(describeRow(row)).toBe('Access token …ef123456 · alice · web');
    expect(rowLabel(row)).toBe('access · alice · web');
  });
});

describe('timeline geometry', () => {
  const layout = layoutTimeline(family());
  const g: Geometry = {
    view: { start: T0 - 600_000, end: T0 + 3_000_000 },
    width: 1000,
    height: 200,
    gutter: 100,
    axis: 20,
    rowHeight: 20,
    scrollTop: 0,
  };

  it('finds the row and bar under a point', () => {
    // Row 0 (a1) runs from T0 (x = 100 + 900/6 = 250) past the right edge.
    expect(hitTest(g, layout, 400, 25)).toBe(0);
    expect(hitTest(g, layout, 200, 25)).toBeNull();
    // The gutter selects the row.
    expect(hitTest(g, layout, 50, 25)).toBe(0);
    expect(hitTest(g, layout, 400, 20 + 3 * 20 + 5)).toBe(3);
    // The axis and below the last row are nothing.
    expect(hitTest(g, layout, 400, 10)).toBeNull();
    expect(hitTest({ ...g, height: 400 }, layout, 400, 20 + 6 * 20 + 5)).toBeNull();
    // Scrolled by two rows.
    expect(hitTest({ ...g, scrollTop: 40 }, layout, 400, 25)).toBe(2);
  });

  it('visits only the rows in the viewport', () => {
    expect(visibleRows(g, 10_000)).toEqual([0, 9]);
    expect(visibleRows({ ...g, scrollTop: 1000 }, 10_000)).toEqual([50, 59]);
    expect(visibleRows({ ...g, rowHeight: 180 / 10_000 }, 10_000)).toEqual([0, 10_000]);
  });

  it('draws ID tokens thinner than access tokens, and fills thin rows', () => {
    expect(barExtent('access', 20).height).toBeGreaterThan(barExtent('id', 20).height);
    expect(barExtent('id', 0.05)).toEqual({ offset: 0, height: 1 });
  });
});

describe('a timeline of every issuer', () => {
  it('names each row’s issuer first in its labels', () => {
    const [row] = layoutTimeline([token('abcdef123456', { issuer: 'ACME realm' })]).rows;
    if (!row) throw new Error('no row');
    expect(rowLabel(row)).toBe('ACME realm · access · alice · web');
    expect(describeRow(row)).toBe('ACME realm · Access token …ef123456 · alice · web');
    expect(familyLabel(row)).toBe('ACME realm · alice · web');
  });
});
