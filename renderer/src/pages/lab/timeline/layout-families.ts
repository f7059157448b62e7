/** A timeline layout's families: members grouped, ordered and laid out depth first, row by row. */
import type { Token } from '../../../../../shared/schemas';
import type { MarkType, TimelineEvent, TimelineRow } from './layout';
import { type Blocks, type LayoutState, rootOf, STEP, type TokenMark, time } from './layout-state';

/**
 * The families of `members` (whole families: every held token of each), each laid out: members in
 * issue order, children right under their parent, depth first, with each row's object and marks.
 * In steps of STEP tokens or families; the work is in plain methods (a generator's own loops run slower).
 */
export function* buildBlocks(state: LayoutState, members: Int32Array): Generator<void, Blocks, void> {
  const builder = new FamilyBuilder(state, members);
  for (let k = 0; k < members.length; k += STEP) {
    builder.assign(k, Math.min(members.length, k + STEP));
    yield;
  }
  builder.group();
  for (let f = 0; f < builder.familyCount; f += STEP) {
    builder.layOut(f, Math.min(builder.familyCount, f + STEP));
    yield;
  }
  return builder.blocks();
}

export class FamilyBuilder {
  readonly familyIds = new Map<string, number>();
  /** A family without a grant, by its root token's index. */
  readonly ownFamily: Int32Array;
  readonly familyOf: Int32Array;
  readonly memberFamily: Int32Array;
  familyCount = 0;
  grouped: { offsets: Int32Array; items: Int32Array } | null = null;
  children: { offsets: Int32Array; items: Int32Array } | null = null;
  first = new Int32Array(0);
  offsets = new Int32Array(1);
  readonly rows: Int32Array;
  readonly rowObjects: TimelineRow[] = [];
  readonly rowMarks: (TokenMark[] | undefined)[] = [];
  count = 0;
  readonly stack: number[] = [];
  readonly withEvents: boolean;
  readonly byIssue: (a: number, b: number) => number;

  constructor(
    readonly state: LayoutState,
    readonly members: Int32Array,
  ) {
    const n = state.tokens.length;
    this.ownFamily = new Int32Array(n).fill(-1);
    this.familyOf = new Int32Array(n).fill(-1);
    this.memberFamily = new Int32Array(members.length);
    this.rows = new Int32Array(members.length);
    this.withEvents = state.eventsByToken.size > 0;
    const { tokens, start, kind } = state;
    this.byIssue = (a, b) => {
      const d = (start[a] as number) - (start[b] as number) || (kind[a] as number) - (kind[b] as number);
      if (d !== 0) return d;
      const x = (tokens[a] as Token).id;
      const y = (tokens[b] as Token).id;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }

  /**
   * Families of members [from, to): tokens sharing a grant; a token without one is a family of its
   * own, but for one exchanged from a token shown here (a client_credentials token has no grant),
   * which joins its subject's family.
   */
  assign(from: number, to: number): void {
    const { state, members, ownFamily, familyIds } = this;
    for (let k = from; k < to; k++) {
      const i = members[k] as number;
      const root = rootOf(state, i);
      const grant = (state.tokens[root] as Token).grant_id;
      let family: number | undefined;
      if (grant === null) {
        family = ownFamily[root] as number;
        if (family < 0) {
          family = this.familyCount++;
          ownFamily[root] = family;
        }
      } else {
        family = familyIds.get(grant);
        if (family === undefined) {
          family = this.familyCount++;
          familyIds.set(grant, family);
        }
      }
      this.familyOf[i] = family;
      this.memberFamily[k] = family;
    }
  }

  /** Members by family, and each member's children within its family. */
  group(): void {
    const { state, members, familyOf } = this;
    this.grouped = groupBy(this.memberFamily, this.familyCount, members);
    const childKeys = new Int32Array(members.length);
    for (let k = 0; k < members.length; k++) {
      const i = members[k] as number;
      const parent = state.parentOf[i] as number;
      childKeys[k] = parent >= 0 && familyOf[parent] === familyOf[i] ? parent : -1;
    }
    this.children = groupBy(childKeys, state.tokens.length, members);
    this.first = new Int32Array(this.familyCount);
    this.offsets = new Int32Array(this.familyCount + 1);
  }

  /** Families [from, to) laid out, depth first (a stack, not recursion: chains can be long). */
  layOut(from: number, to: number): void {
    const { state, familyOf, stack, byIssue } = this;
    const grouped = this.grouped as { offsets: Int32Array; items: Int32Array };
    const children = this.children as { offsets: Int32Array; items: Int32Array };
    for (let f = from; f < to; f++) {
      const begin = grouped.offsets[f] as number;
      const end = grouped.offsets[f + 1] as number;
      // A view only for families of more than one token: most have one, and views cost.
      if (end - begin > 1) grouped.items.subarray(begin, end).sort(byIssue);
      this.first[f] = grouped.items[begin] as number;
      this.offsets[f] = this.count;
      for (let m = begin; m < end; m++) {
        const root = grouped.items[m] as number;
        // Roots: tokens whose parent is not shown (first issue, or a parent filtered out).
        const parent = state.parentOf[root] as number;
        if (parent >= 0 && familyOf[parent] === f) continue;
        stack.push(root, 0);
        while (stack.length > 0) {
          const depth = stack.pop() as number;
          const i = stack.pop() as number;
          this.addRow(i, depth);
          const first = children.offsets[i] as number;
          const last = children.offsets[i + 1] as number;
          if (last - first > 1) children.items.subarray(first, last).sort(byIssue);
          for (let c = last - 1; c >= first; c--) stack.push(children.items[c] as number, depth + 1);
        }
      }
    }
  }

  addRow(i: number, depth: number): void {
    const token = this.state.tokens[i] as Token;
    const revoked = time(token.revoked_at);
    const events = this.withEvents ? this.state.eventsByToken.get(token.id) : undefined;
    this.rows[this.count++] = i;
    this.rowObjects.push(rowObjectOf(this.state, i, depth, revoked, events));
    this.rowMarks.push(events || !Number.isNaN(revoked) ? marksOfToken(token, revoked, events) : undefined);
  }

  /** The families, newest first (what just happened is at the top). */
  blocks(): Blocks {
    const { first, byIssue } = this;
    this.offsets[this.familyCount] = this.count;
    const order = new Int32Array(this.familyCount);
    for (let f = 0; f < this.familyCount; f++) order[f] = f;
    order.sort((a, b) => byIssue(first[b] as number, first[a] as number));
    return {
      first,
      offsets: this.offsets,
      rows: this.rows,
      order,
      rowObjects: this.rowObjects,
      rowMarks: this.rowMarks,
    };
  }
}

/** Items grouped by a key index: members of group g are items[offsets[g] … offsets[g + 1]). */
export function groupBy(
  keys: Int32Array,
  groups: number,
  values: Int32Array,
): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(groups + 1);
  let count = 0;
  for (const key of keys) {
    if (key < 0) continue;
    offsets[key + 1] = (offsets[key + 1] as number) + 1;
    count++;
  }
  for (let g = 0; g < groups; g++) offsets[g + 1] = (offsets[g + 1] as number) + (offsets[g] as number);
  const items = new Int32Array(count);
  const fill = offsets.slice(0, groups);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as number;
    if (key < 0) continue;
    items[fill[key] as number] = values[k] as number;
    fill[key] = (fill[key] as number) + 1;
  }
  return { offsets, items };
}

/** When a rotated token's children are not listed: its first refresh event, else its last use. */
export function refreshedAt(token: Token, events: readonly TimelineEvent[] | undefined): number {
  let at = Number.NaN;
  for (const event of events ?? []) {
    if (event.type !== 'token.refreshed') continue;
    const t = Date.parse(event.at);
    if (!(at <= t)) at = t;
  }
  return Number.isNaN(at) ? time(token.last_used_at) : at;
}

export function rowObjectOf(
  state: LayoutState,
  i: number,
  depth: number,
  revoked: number,
  events: readonly TimelineEvent[] | undefined,
): TimelineRow {
  const token = state.tokens[i] as Token;
  const from = state.start[i] as number;
  const to = state.end[i] as number;
  let rotated = Number.NaN;
  if (token.state === 'rotated') {
    rotated = state.firstChild[i] as number;
    if (Number.isNaN(rotated)) rotated = refreshedAt(token, events);
  }
  // The earlier of its revocation and its rotation, when before its expiry (NaN compares false).
  let lifeEnd: number | null = null;
  if (revoked < to) lifeEnd = revoked;
  if (rotated < to && (lifeEnd === null || rotated < lifeEnd)) lifeEnd = rotated;
  return { token, start: from, end: to, lifeEnd, depth };
}

/** A token's marks: its events' (in event order), then its revocation (or reuse detection). */
export function marksOfToken(
  token: Token,
  revoked: number,
  events: readonly TimelineEvent[] | undefined,
): TokenMark[] | undefined {
  const marks: TokenMark[] = [];
  let reuseMarked = false;
  for (const event of events ?? []) {
    const type = MARK_OF_EVENT[event.type] ?? 'reuse';
    if (type === 'reuse') reuseMarked = true;
    marks.push({ at: Date.parse(event.at), type });
  }
  // The replayed token: marked from its event, or from its revocation when the event is not loaded.
  if (token.state === 'reuse_detected' && !Number.isNaN(revoked)) {
    if (!reuseMarked) marks.push({ at: revoked, type: 'reuse' });
  } else if (!Number.isNaN(revoked)) marks.push({ at: revoked, type: 'revoked' });
  return marks.length > 0 ? marks : undefined;
}

/** The mark an event draws on its token (a userinfo request, or these). */
export const MARK_OF_EVENT: Partial<Record<TimelineEvent['type'], MarkType>> = {
  'token.introspected': 'introspected',
  'token.refreshed': 'refreshed',
  request: 'userinfo',
  'token.reuse_detected': 'reuse',
};
