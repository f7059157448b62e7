/**
 * The timeline's layout engine, full and incremental. A layout keeps (in a WeakMap beside it) what
 * each token's row needs, by the token's place in the list, and which rows each family holds; a live
 * round (tokens appended, the oldest dropped past the cap, rows replaced in place, events added) then
 * recomputes only the families it touches and copies the others' rows from the last layout. A full
 * layout is the same code with every family touched, so both give the same result (tested).
 */
import type { Token } from '../../../../../shared/schemas';
import type { TimelineEvent, TimelineLayout } from './layout';
import { assembleSteps } from './layout-assemble';
import { buildBlocks } from './layout-families';
import {
  BULK_SHARE,
  complete,
  eventsByToken,
  idsOf,
  type LayoutState,
  linkChild,
  marksToken,
  parse,
  STEP,
  states,
  updateEventsByToken,
} from './layout-state';

/** Lays out every token afresh. */
export function layoutAll(tokens: readonly Token[], events: readonly TimelineEvent[]): TimelineLayout {
  return complete(layoutAllSteps(tokens, events));
}

/**
 * A full layout in steps: it pauses (yields) every few thousand tokens, so a caller can spread a
 * 100,000-token layout over several tasks and no frame carries all of it.
 */
export function* layoutAllSteps(
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
): Generator<void, TimelineLayout, void> {
  const n = tokens.length;
  const state: LayoutState = {
    tokens,
    events,
    start: new Float64Array(n),
    end: new Float64Array(n),
    kind: new Uint8Array(n),
    parentOf: new Int32Array(n).fill(-1),
    firstChild: new Float64Array(n).fill(Number.NaN),
    tokenRow: new Int32Array(0),
    rowToken: new Int32Array(0),
    rowFamily: new Int32Array(0),
    familyStart: new Int32Array(1),
    familyFirst: new Int32Array(0),
    grantMember: new Map(),
    base: 0,
    unresolved: new Set(),
    ids: null,
    eventsByToken: eventsByToken(events),
    spent: false,
  };
  for (let from = 0; from < n; from += STEP) {
    for (let i = from; i < Math.min(n, from + STEP); i++) parse(state, i);
    yield;
  }
  linkParents(state);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const blocks = yield* buildBlocks(state, all);
  yield;
  return yield* assembleSteps(state, { previous: null, dropped: 0, touched: null, blocks });
}

/** Each token's parent index, when held. Only parents are looked up by id: no map of every token. */
function linkParents(state: LayoutState): void {
  const { tokens } = state;
  const n = tokens.length;
  const parentIds = new Set<string>();
  for (const token of tokens) if (token.parent_id !== null) parentIds.add(token.parent_id);
  const indexOfParent = new Map<string, number>();
  if (parentIds.size > 0) {
    for (let i = 0; i < n; i++) {
      const id = (tokens[i] as Token).id;
      if (parentIds.has(id)) indexOfParent.set(id, i);
    }
  }
  for (let i = 0; i < n; i++) {
    const parentId = (tokens[i] as Token).parent_id;
    if (parentId === null) continue;
    const parent = indexOfParent.get(parentId);
    if (parent === undefined) state.unresolved.add(parentId);
    else linkChild(state, i, parent);
  }
}

/**
 * The layout of `tokens` and `events` given the last layout: incremental when they are what it laid
 * out with tokens appended, the oldest dropped and rows replaced in place (same id, issue time, grant
 * and parent), and events appended or the oldest dropped; afresh otherwise, or when the round touched
 * over a quarter of the tokens.
 */
export function relayout(
  previous: TimelineLayout | null,
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
): TimelineLayout {
  const last = previous ? states.get(previous) : undefined;
  if (!previous || !last || last.spent) return layoutAll(tokens, events);
  if (last.tokens === tokens && last.events === events) return previous;
  const steps = incrementalSteps(previous, last, tokens, events);
  return steps ? complete(steps) : layoutAll(tokens, events);
}

/**
 * `relayout` for a page: the layout when the round can be followed incrementally, else the steps of
 * a full layout (for the caller to run over several tasks).
 */
export function planLayout(
  previous: TimelineLayout | null,
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
  /** A live round in steps as well (a few milliseconds each), for a page under a flood of tokens. */
  roundInSteps = false,
): { layout: TimelineLayout } | { steps: Generator<void, TimelineLayout, void>; round: boolean } {
  const last = previous ? states.get(previous) : undefined;
  if (previous && last && !last.spent) {
    if (last.tokens === tokens && last.events === events) return { layout: previous };
    const steps = incrementalSteps(previous, last, tokens, events);
    if (steps) return roundInSteps ? { steps, round: true } : { layout: complete(steps) };
  }
  return { steps: layoutAllSteps(tokens, events), round: false };
}

/** Where `next` starts in `held` (the count dropped from its front), or -1 when it does not. */
function droppedCount<T>(held: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean): number {
  if (next.length === 0) return -1;
  const first = next[0] as T;
  for (let d = 0; d < held.length; d++) if (same(held[d] as T, first)) return d;
  return held.length === 0 ? 0 : -1;
}

/** A replacement of a held token the rows can take in place: same id, issue time, grant and parent. */
function replaceable(held: Token, fresh: Token): boolean {
  return (
    held.id === fresh.id &&
    held.issued_at === fresh.issued_at &&
    held.grant_id === fresh.grant_id &&
    held.parent_id === fresh.parent_id &&
    held.kind === fresh.kind
  );
}

/**
 * One live round laid out from the last layout, in steps, or null when it must be laid out afresh.
 * What decides that is checked now; the work (which takes over the last layout's state) runs when the
 * steps do.
 */
function incrementalSteps(
  previous: TimelineLayout,
  last: LayoutState,
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
): Generator<void, TimelineLayout, void> | null {
  // Tokens: the oldest dropped, rows replaced in place, new ones appended.
  const held = last.tokens;
  const dropped = tokens.length === 0 ? held.length : droppedCount(held, tokens, (a, b) => a.id === b.id);
  if (dropped < 0) return null;
  const kept = held.length - dropped;
  if (tokens.length < kept) return null;
  const replaced: number[] = [];
  for (let i = 0; i < kept; i++) {
    const before = held[i + dropped] as Token;
    const now = tokens[i] as Token;
    if (before === now) continue;
    if (!replaceable(before, now)) return null;
    replaced.push(i);
  }
  // Events: the oldest dropped, new ones appended (events do not change).
  const droppedEvents =
    last.events === events
      ? 0
      : events.length === 0
        ? last.events.length
        : droppedCount(last.events, events, Object.is);
  if (droppedEvents < 0) return null;
  const keptEvents = last.events.length - droppedEvents;
  if (events.length < keptEvents) return null;
  for (let k = 0; k < keptEvents; k++) if (last.events[k + droppedEvents] !== events[k]) return null;
  const appended = tokens.length - kept;
  const markEvents: TimelineEvent[] = [];
  for (let k = 0; k < droppedEvents; k++)
    if (marksToken(last.events[k] as TimelineEvent)) markEvents.push(last.events[k] as TimelineEvent);
  for (let k = keptEvents; k < events.length; k++)
    if (marksToken(events[k] as TimelineEvent)) markEvents.push(events[k] as TimelineEvent);
  const changed = dropped + appended + replaced.length + markEvents.length;
  if (changed > Math.max(64, tokens.length * BULK_SHARE)) return null;
  // A dropped token's parent kept (its first child changes), or a new token some held token names as
  // its parent: rare, and laid out afresh.
  for (let i = 0; i < dropped; i++) if ((last.parentOf[i] as number) >= dropped) return null;
  for (let i = kept; i < tokens.length; i++) if (last.unresolved.has((tokens[i] as Token).id)) return null;
  return roundSteps(previous, last, tokens, events, { dropped, kept, replaced, droppedEvents, markEvents });
}

/** What `incrementalSteps` found the round to be. */
interface RoundChange {
  dropped: number;
  kept: number;
  replaced: number[];
  droppedEvents: number;
  markEvents: TimelineEvent[];
}

function* roundSteps(
  previous: TimelineLayout,
  last: LayoutState,
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
  change: RoundChange,
): Generator<void, TimelineLayout, void> {
  const { dropped, kept, replaced, droppedEvents, markEvents } = change;
  const held = last.tokens;
  const state = shifted(last, tokens, events, dropped, kept, droppedEvents);
  // The previous layout's families this round touches.
  const touched = new Uint8Array(last.familyFirst.length);
  const touch = (previousIndex: number) => {
    const row = last.tokenRow[previousIndex] as number | undefined;
    if (row !== undefined && row >= 0) touched[last.rowFamily[row] as number] = 1;
  };
  for (let i = 0; i < dropped; i++) touch(i);
  for (const i of replaced) {
    touch(i + dropped);
    parse(state, i);
  }
  const heldIndex = (id: string): number => {
    const serial = idsOf(state).get(id);
    return serial === undefined ? -1 : serial - state.base;
  };
  for (const event of markEvents) {
    const i = heldIndex(event.token_id as string);
    if (i >= 0 && i < kept) touch(i + dropped);
  }
  for (let i = kept; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    parse(state, i);
    if (state.ids) state.ids.set(token.id, i + state.base);
    if (token.grant_id !== null) {
      const serial = last.grantMember.get(token.grant_id);
      if (serial !== undefined && serial - last.base < held.length) touch(serial - last.base);
    }
  }
  for (let i = kept; i < tokens.length; i++) {
    const parentId = (tokens[i] as Token).parent_id;
    if (parentId === null) continue;
    const parent = heldIndex(parentId);
    if (parent < 0) {
      state.unresolved.add(parentId);
      continue;
    }
    linkChild(state, i, parent);
    // Its parent's family (the child joins it, or the parent's rotation moves).
    if (parent < kept) touch(parent + dropped);
  }
  // Every kept token of the touched families, and the new tokens, laid out again.
  const members: number[] = [];
  for (let f = 0; f < touched.length; f++) {
    if (!touched[f]) continue;
    for (let r = last.familyStart[f] as number; r < (last.familyStart[f + 1] as number); r++) {
      const i = (last.rowToken[r] as number) - dropped;
      if (i >= 0) members.push(i);
    }
    const grant = (held[last.familyFirst[f] as number] as Token).grant_id;
    if (grant !== null) state.grantMember.delete(grant);
  }
  for (let i = kept; i < tokens.length; i++) members.push(i);
  yield;
  const blocks = yield* buildBlocks(state, Int32Array.from(members));
  return yield* assembleSteps(state, {
    previous: { state: last, layout: previous },
    dropped,
    touched,
    blocks,
  });
}

/** The last round's per-token state with `dropped` tokens gone from the front and room for the new. */
function shifted(
  last: LayoutState,
  tokens: readonly Token[],
  events: readonly TimelineEvent[],
  dropped: number,
  kept: number,
  droppedEvents: number,
): LayoutState {
  last.spent = true;
  const n = tokens.length;
  const copy = <T extends Float64Array | Int32Array | Uint8Array>(from: T, make: (size: number) => T) => {
    const to = make(n);
    to.set(from.subarray(dropped, dropped + kept));
    return to;
  };
  const parentOf = copy(last.parentOf, (size) => new Int32Array(size));
  for (let i = 0; i < kept; i++) {
    const parent = parentOf[i] as number;
    if (parent < 0) continue;
    if (parent < dropped) {
      // Its parent is gone: a root now (its family was touched with the parent's).
      parentOf[i] = -1;
      last.unresolved.add((tokens[i] as Token).parent_id as string);
    } else parentOf[i] = parent - dropped;
  }
  parentOf.fill(-1, kept);
  const firstChild = copy(last.firstChild, (size) => new Float64Array(size));
  firstChild.fill(Number.NaN, kept);
  const base = last.base + dropped;
  const ids = last.ids;
  if (ids) for (let i = 0; i < dropped; i++) ids.delete((last.tokens[i] as Token).id);
  const byToken = last.eventsByToken;
  updateEventsByToken(byToken, last.events, events, last.events.length - droppedEvents);
  return {
    tokens,
    events,
    start: copy(last.start, (size) => new Float64Array(size)),
    end: copy(last.end, (size) => new Float64Array(size)),
    kind: copy(last.kind, (size) => new Uint8Array(size)),
    parentOf,
    firstChild,
    tokenRow: last.tokenRow,
    rowToken: last.rowToken,
    rowFamily: last.rowFamily,
    familyStart: last.familyStart,
    familyFirst: last.familyFirst,
    grantMember: last.grantMember,
    base,
    unresolved: last.unresolved,
    ids,
    eventsByToken: byToken,
    spent: false,
  };
}
