import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../shared/schemas';
import {
  applyLiveBatch,
  EMPTY_LIVE_VIEW,
  gapSummary,
  type LiveView,
  showPending,
  visibleRows,
} from './live-view';

function event(id: number): EngineEvent {
  return {
    id,
    at: new Date(1_700_000_000_000 + id).toISOString(),
    type: 'token.issued',
    client_id: 'svc',
    username: null,
    token_id: `t${id}`,
    data: {},
  };
}

/** Events with these ids, in the order given (a stream's arrival order is ascending). */
const events = (...ids: number[]) => ids.map(event);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
const ids = (list: readonly EngineEvent[]) => list.map((e) => e.id);

const LIMITS = { max: 10, keep: 4 };
const atTop = (newestKnown: number) => ({ ...LIMITS, held: false, newestKnown });
const scrolledDown = (newestKnown: number) => ({ ...LIMITS, held: true, newestKnown });

describe('applyLiveBatch', () => {
  it('puts a batch above the rows, newest first, when the user is at the top', () => {
    const view = applyLiveBatch(EMPTY_LIVE_VIEW, events(101, 102, 103), atTop(100));
    expect(ids(view.head)).toEqual([103, 102, 101]);
    const next = applyLiveBatch(view, events(104), atTop(100));
    expect(ids(next.head)).toEqual([104, 103, 102, 101]);
    expect(next.anchor).toBeNull();
  });

  it('drops what the pages or the head already list, and changes nothing for an empty batch', () => {
    // 99 and 100 came in the first page (newest 100) as well as on the stream.
    const view = applyLiveBatch(EMPTY_LIVE_VIEW, events(99, 100, 101), atTop(100));
    expect(ids(view.head)).toEqual([101]);
    expect(applyLiveBatch(view, events(101), atTop(100))).toBe(view);
    expect(applyLiveBatch(view, [], atTop(100))).toBe(view);
  });

  it('holds new events while the user looks at older rows, counting them', () => {
    const shown = applyLiveBatch(EMPTY_LIVE_VIEW, events(101), atTop(100));
    const held = applyLiveBatch(shown, events(102, 103), scrolledDown(100));
    expect(ids(held.head)).toEqual([101]);
    expect(ids(held.pending)).toEqual([103, 102]);
    expect(held.pendingCount).toBe(2);
    // A held event is not taken twice either.
    expect(applyLiveBatch(held, events(103), scrolledDown(100))).toBe(held);
  });

  it('keeps the newest rows and reads the pages again from below them once the head is full', () => {
    let view: LiveView = EMPTY_LIVE_VIEW;
    view = applyLiveBatch(view, range(1, 10), atTop(0));
    expect(view.head).toHaveLength(10);
    expect(view.anchor).toBeNull();
    view = applyLiveBatch(view, range(11, 12), atTop(0));
    expect(ids(view.head)).toEqual([12, 11, 10, 9]);
    // The pages continue right below the oldest kept row: nothing between is lost.
    expect(view.anchor).toBe(9);
  });
});

describe('showPending', () => {
  it('puts the held events above the head', () => {
    let view = applyLiveBatch(EMPTY_LIVE_VIEW, events(101), atTop(100));
    view = applyLiveBatch(view, events(102, 103), scrolledDown(100));
    const shown = showPending(view, LIMITS);
    expect(ids(shown.head)).toEqual([103, 102, 101]);
    expect(shown.pending).toEqual([]);
    expect(shown.pendingCount).toBe(0);
    expect(shown.anchor).toBeNull();
    expect(showPending(shown, LIMITS)).toBe(shown);
  });

  it('restarts the list below the held events when more arrived than it holds', () => {
    let view = applyLiveBatch(EMPTY_LIVE_VIEW, events(101), atTop(100));
    view = applyLiveBatch(view, range(102, 131), scrolledDown(100));
    expect(view.pending).toHaveLength(LIMITS.max);
    expect(view.pendingCount).toBe(30);
    const shown = showPending(view, LIMITS);
    // 102…121 were dropped: the head is the newest held, and the pages resume below them.
    expect(ids(shown.head)).toEqual([131, 130, 129, 128, 127, 126, 125, 124, 123, 122]);
    expect(shown.anchor).toBe(122);
    expect(shown.pendingCount).toBe(0);
  });

  it('keeps the head within its bound when the held events fill it', () => {
    let view = applyLiveBatch(EMPTY_LIVE_VIEW, range(1, 8), atTop(0));
    view = applyLiveBatch(view, range(9, 12), scrolledDown(0));
    const shown = showPending(view, LIMITS);
    expect(ids(shown.head)).toEqual([12, 11, 10, 9]);
    expect(shown.anchor).toBe(9);
  });
});

describe('visibleRows', () => {
  const pages = [...events(100, 99, 98)];

  it('lists the head, then the pages', () => {
    expect(ids(visibleRows(events(102, 101), pages))).toEqual([102, 101, 100, 99, 98]);
    expect(ids(visibleRows([], pages))).toEqual([100, 99, 98]);
    expect(ids(visibleRows(events(102, 101), []))).toEqual([102, 101]);
  });

  it('lists an event once when a page read after it arrived has it too', () => {
    // 101 and 100 arrived live before the first page came back with them.
    expect(ids(visibleRows(events(102, 101, 100), [event(101), ...pages]))).toEqual([102, 101, 100, 99, 98]);
    expect(visibleRows(events(100, 99), pages)).toBe(pages);
  });
});

describe('a gap in the stream (events left out under load)', () => {
  const gap = (through: number, count: number) => ({ through, count });

  it('at the top: the events above the gap become the head, and the pages are read again below them', () => {
    const view = applyLiveBatch(EMPTY_LIVE_VIEW, events(101, 102), atTop(100));
    // 103–150 were left out; 151–153 were sent.
    const next = applyLiveBatch(view, events(151, 152, 153), atTop(100), gap(150, 48));
    expect(ids(next.head)).toEqual([153, 152, 151]);
    expect(next.anchor).toBe(151);
    expect(next.pending).toEqual([]);
    // Only rare events sent (none matching): the pages are read from just above the gap.
    const none = applyLiveBatch(view, [], atTop(100), gap(150, 48));
    expect(none.head).toEqual([]);
    expect(none.anchor).toBe(151);
  });

  it('drops what the batch sent below the gap: the head is only what is complete', () => {
    // A rare event (120) among the left-out ones was sent, yet between it and 151 some are missing.
    const next = applyLiveBatch(EMPTY_LIVE_VIEW, events(120, 151, 152), atTop(100), gap(150, 40));
    expect(ids(next.head)).toEqual([152, 151]);
    expect(next.anchor).toBe(151);
  });

  it('ignores a gap it already has everything after (older than what is listed)', () => {
    const view = applyLiveBatch(EMPTY_LIVE_VIEW, events(101, 102), atTop(100));
    expect(applyLiveBatch(view, [], atTop(100), gap(90, 5))).toBe(view);
  });

  it('held: counts what was left out, and showing reads the pages again from the held events down', () => {
    const held = applyLiveBatch(EMPTY_LIVE_VIEW, events(101, 102), scrolledDown(100));
    const next = applyLiveBatch(held, events(151, 152), scrolledDown(100), gap(150, 48));
    expect(ids(next.pending)).toEqual([152, 151]);
    expect(next.pendingCount).toBe(2 + 48 + 2);
    expect(next.head).toEqual(held.head);
    const shown = showPending(next, LIMITS);
    expect(ids(shown.head)).toEqual([152, 151]);
    expect(shown.anchor).toBe(151);
    expect(shown.pendingCount).toBe(0);
    // Nothing sent above the gap: shown, the list starts from just above it.
    const onlyGap = applyLiveBatch(held, [], scrolledDown(100), gap(150, 48));
    expect(showPending(onlyGap, LIMITS)).toMatchObject({ head: [], anchor: 151, pendingCount: 0 });
  });
});

describe('gapSummary', () => {
  const gap = {
    issuers: { root: { omitted: { 'token.issued': 30, request: 20 }, through: 150 } },
  };
  it('counts what a filter may list of a gap, by its type, with the newest id left out', () => {
    expect(gapSummary(gap, {})).toEqual({ count: 50, through: 150 });
    expect(gapSummary(gap, { type: 'request', client_id: 'svc' })).toEqual({ count: 20, through: 150 });
    expect(gapSummary(gap, { type: 'user.created' })).toBeNull();
  });
  it('counts an uncounted gap as one, whatever the filter', () => {
    const uncounted = { issuers: { root: { omitted: {}, through: 90, uncounted: true as const } } };
    expect(gapSummary(uncounted, { type: 'user.created' })).toEqual({ count: 1, through: 90 });
  });
});
