/** What a timeline layout keeps beside it for the next round, and the small readers it is built with. */
import type { Token, TokenKind } from '../../../../../shared/schemas';
import type { TimelineEvent, TimelineLayout, TimelineMark, TimelineRow } from './layout';
import { parseTime } from './layout-read';

export const KIND_ORDER: Record<TokenKind, number> = { access: 0, id: 1, refresh: 2 };
/** A round touching more than this share of the tokens is laid out afresh (a reload, a bulk change). */
export const BULK_SHARE = 0.25;
/** Grantless tokens follow their parents this far to find the family they join. */
export const MAX_HOPS = 64;

/** A mark holds no row number, so a round's rows shift without new mark objects. */
export type TokenMark = TimelineMark;

/** What a layout keeps to lay out the next round incrementally. Arrays by token index unless named. */
export interface LayoutState {
  tokens: readonly Token[];
  events: readonly TimelineEvent[];
  start: Float64Array;
  end: Float64Array;
  kind: Uint8Array;
  /** The parent's token index, -1 when it is not held. */
  parentOf: Int32Array;
  /** The earliest child's issue time (any family), NaN without one: when a rotated token was rotated. */
  firstChild: Float64Array;
  tokenRow: Int32Array;
  /** By row, in display order. */
  rowToken: Int32Array;
  rowFamily: Int32Array;
  /** By family, in display order: its rows [familyStart[f], familyStart[f + 1]) and its first token. */
  familyStart: Int32Array;
  familyFirst: Int32Array;
  /** A token of each grant's family, by serial (token index + base, which drops do not change). */
  grantMember: Map<string, number>;
  base: number;
  /** Parent ids no held token has: a token with one arriving changes rows already laid out. */
  unresolved: Set<string>;
  /** Serial by id, built the first time a round needs one (a parent, an event's token). */
  ids: Map<string, number> | null;
  /** Mark events (uses, refreshes, reuse) by the token they name, in event order. */
  eventsByToken: Map<string, TimelineEvent[]>;
  /**
   * The next round's state took over this one's maps (ids, grants, events): a second round from the
   * same layout (React may compute a memo twice) is laid out afresh.
   */
  spent: boolean;
}

export const states = new WeakMap<TimelineLayout, LayoutState>();

/** Runs steps to their end at once. */
export function complete<T>(steps: Generator<void, T, void>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Loop iterations between two pauses of a layout run in steps (a few milliseconds of work). */
export const STEP = 4096;

export function time(value: string | null): number {
  if (!value) return Number.NaN;
  return parseTime(value);
}

export function parse(state: LayoutState, i: number): void {
  const token = state.tokens[i] as Token;
  state.start[i] = parseTime(token.issued_at);
  state.end[i] = parseTime(token.expires_at);
  state.kind[i] = KIND_ORDER[token.kind];
}

export function linkChild(state: LayoutState, child: number, parent: number): void {
  state.parentOf[child] = parent;
  const at = state.start[child] as number;
  const known = state.firstChild[parent] as number;
  if (!(known <= at)) state.firstChild[parent] = at;
}

/** The mark events by token id, in event order. */
export function eventsByToken(events: readonly TimelineEvent[]): Map<string, TimelineEvent[]> {
  const byToken = new Map<string, TimelineEvent[]>();
  for (const event of events) addMarkEvent(byToken, event);
  return byToken;
}

/** Whether an event is drawn as a mark on its token's row. */
export function marksToken(event: TimelineEvent): boolean {
  if (!event.token_id) return false;
  switch (event.type) {
    case 'token.introspected':
    case 'token.refreshed':
    case 'token.reuse_detected':
      return true;
    case 'request':
      return event.data?.endpoint === 'userinfo' && event.data.status === 200;
    default:
      return false;
  }
}

export function addMarkEvent(byToken: Map<string, TimelineEvent[]>, event: TimelineEvent): void {
  if (!marksToken(event)) return;
  const id = event.token_id as string;
  const list = byToken.get(id);
  if (list) list.push(event);
  else byToken.set(id, [event]);
}

/** Issue order of two tokens: issue time, then kind, then id. */
export function compareIssue(
  a: { start: number; kind: number; id: string },
  b: { start: number; kind: number; id: string },
): number {
  const d = a.start - b.start || a.kind - b.kind;
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function keyOf(state: LayoutState, i: number) {
  return {
    start: state.start[i] as number,
    kind: state.kind[i] as number,
    id: (state.tokens[i] as Token).id,
  };
}

/**
 * Families laid out: family f's rows (token indices) are rows[offsets[f] … offsets[f + 1]), its first
 * token (in issue order) first[f]; `order` lists the families newest first.
 */
export interface Blocks {
  first: Int32Array;
  offsets: Int32Array;
  rows: Int32Array;
  order: Int32Array;
  /** By the index in `rows`: the row, and the token's marks. */
  rowObjects: TimelineRow[];
  rowMarks: (TokenMark[] | undefined)[];
}

/** The token a grantless token's family is found through: up its parents to one with a grant. */
export function rootOf(state: LayoutState, i: number): number {
  let root = i;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const current = state.tokens[root] as Token;
    if (current.grant_id !== null || current.parent_id === null) break;
    const parent = state.parentOf[root] as number;
    if (parent < 0) break;
    root = parent;
  }
  return root;
}

/** Serial by id of every held token, built when first asked, then kept current by each round. */
export function idsOf(state: LayoutState): Map<string, number> {
  if (!state.ids) {
    const ids = new Map<string, number>();
    for (let i = 0; i < state.tokens.length; i++) ids.set((state.tokens[i] as Token).id, i + state.base);
    state.ids = ids;
  }
  return state.ids;
}

/** The mark events by token after the oldest events were dropped and new ones added. */
export function updateEventsByToken(
  byToken: Map<string, TimelineEvent[]>,
  held: readonly TimelineEvent[],
  next: readonly TimelineEvent[],
  keptEvents: number,
): void {
  if (held === next) return;
  const droppedEvents = held.length - keptEvents;
  for (let k = 0; k < droppedEvents; k++) {
    const event = held[k] as TimelineEvent;
    if (!marksToken(event)) continue;
    const list = byToken.get(event.token_id as string);
    // The oldest events go first, so a dropped one is the first of its token's.
    if (list && list[0] === event) {
      list.shift();
      if (list.length === 0) byToken.delete(event.token_id as string);
    }
  }
  for (let k = keptEvents; k < next.length; k++) addMarkEvent(byToken, next[k] as TimelineEvent);
}
