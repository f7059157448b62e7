/** A timeline layout's arrays, from this round's families and the untouched runs of the last layout. */
import type { Token } from '../../../../../shared/schemas';
import { originOf } from '../../tokens/lineage';
import type {
  ClockChange,
  KeyChange,
  RowLookup,
  TimelineEvent,
  TimelineLayout,
  TimelineLink,
  TimelineMark,
  TimelineRow,
} from './layout';
import { clockChangeOf, KEY_STAGES, keyChangeDetail, USE_MARK_TYPES } from './layout-read';
import {
  type Blocks,
  compareIssue,
  complete,
  idsOf,
  keyOf,
  type LayoutState,
  STEP,
  states,
} from './layout-state';

export interface Round {
  previous: { state: LayoutState; layout: TimelineLayout } | null;
  /** Tokens dropped from the front of the previous list. */
  dropped: number;
  /** The previous layout's families laid out again (by its family index), null: none kept. */
  touched: Uint8Array | null;
  /** The families laid out this round. */
  blocks: Blocks;
}

/** The layout's arrays, filled family by family (copied runs of the last layout's, or new blocks). */
export class LayoutBuilder {
  readonly rowToken: Int32Array;
  readonly rowFamily: Int32Array;
  readonly familyStart: Int32Array;
  readonly familyFirst: Int32Array;
  readonly reachStart: Float64Array;
  readonly reachEnd: Float64Array;
  readonly markOffsets: Int32Array;
  readonly marks: TimelineMark[] = [];
  /** The rows as slices of arrays, joined once at the end (a copy in one call, not a push per row). */
  readonly parts: TimelineRow[][] = [];
  part: TimelineRow[] = [];
  rowCount = 0;
  familyCount = 0;

  constructor(rows: number, families: number) {
    this.rowToken = new Int32Array(rows);
    this.rowFamily = new Int32Array(rows);
    this.reachStart = new Float64Array(rows);
    this.reachEnd = new Float64Array(rows);
    this.markOffsets = new Int32Array(rows + 1);
    this.familyStart = new Int32Array(families + 1);
    this.familyFirst = new Int32Array(families);
  }

  /** Family f of the blocks laid out this round. */
  addBlock(blocks: Blocks, f: number): void {
    this.familyStart[this.familyCount] = this.rowCount;
    this.familyFirst[this.familyCount] = blocks.first[f] as number;
    for (let k = blocks.offsets[f] as number; k < (blocks.offsets[f + 1] as number); k++) {
      const r = this.rowCount++;
      const row = blocks.rowObjects[k] as TimelineRow;
      this.rowToken[r] = blocks.rows[k] as number;
      this.rowFamily[r] = this.familyCount;
      this.part.push(row);
      let from = row.start;
      let to = row.end;
      for (const mark of blocks.rowMarks[k] ?? []) {
        this.marks.push(mark);
        if (mark.at < from) from = mark.at;
        if (mark.at > to) to = mark.at;
      }
      this.markOffsets[r + 1] = this.marks.length;
      this.reachStart[r] = from;
      this.reachEnd[r] = to;
    }
    this.familyCount++;
  }

  /** The last layout's families [from, to) (untouched, so their rows are as they were), shifted. */
  copyRun(
    previous: { state: LayoutState; layout: TimelineLayout },
    from: number,
    to: number,
    dropped: number,
  ) {
    const { state: last, layout } = previous;
    const fromRow = last.familyStart[from] as number;
    const toRow = last.familyStart[to] as number;
    const rowShift = this.rowCount - fromRow;
    const familyShift = this.familyCount - from;
    for (let r = fromRow; r < toRow; r++) {
      this.rowToken[r + rowShift] = (last.rowToken[r] as number) - dropped;
      this.rowFamily[r + rowShift] = (last.rowFamily[r] as number) + familyShift;
    }
    for (let f = from; f < to; f++) {
      this.familyStart[f + familyShift] = (last.familyStart[f] as number) + rowShift;
      this.familyFirst[f + familyShift] = (last.familyFirst[f] as number) - dropped;
    }
    this.reachStart.set(layout.reachStart.subarray(fromRow, toRow), this.rowCount);
    this.reachEnd.set(layout.reachEnd.subarray(fromRow, toRow), this.rowCount);
    const firstMark = layout.markOffsets[fromRow] as number;
    const markShift = this.marks.length - firstMark;
    for (let k = firstMark; k < (layout.markOffsets[toRow] as number); k++)
      this.marks.push(layout.marks[k] as TimelineMark);
    for (let r = fromRow; r < toRow; r++)
      this.markOffsets[r + rowShift + 1] = (layout.markOffsets[r + 1] as number) + markShift;
    if (this.part.length > 0) this.parts.push(this.part);
    this.part = [];
    this.parts.push(layout.rows.slice(fromRow, toRow));
    this.rowCount += toRow - fromRow;
    this.familyCount += to - from;
  }

  rows(): TimelineRow[] {
    if (this.part.length > 0) this.parts.push(this.part);
    this.part = [];
    if (this.parts.length === 1) return this.parts[0] as TimelineRow[];
    return ([] as TimelineRow[]).concat(...this.parts);
  }
}

/**
 * The layout from this round's blocks and the previous layout's untouched families (their rows
 * copied, shifted by the tokens dropped): every family in issue order of its first token, newest first.
 */
export function assemble(state: LayoutState, round: Round): TimelineLayout {
  return complete(assembleSteps(state, round));
}

/** `assemble` in steps of STEP families, for a full layout run over several tasks. */
export function* assembleSteps(state: LayoutState, round: Round): Generator<void, TimelineLayout, void> {
  const { previous, dropped, touched, blocks } = round;
  const families = previous ? previous.state.familyFirst.length : 0;
  const out = new LayoutBuilder(state.tokens.length, blocks.order.length + families);
  if (previous && touched) {
    const last = previous.state;
    let next = 0;
    /** The previous families the block goes before (binary search on issue order, newest first). */
    const place = (f: number) => {
      const key = keyOf(state, blocks.first[f] as number);
      let lo = next;
      let hi = families;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareIssue(keyOf(last, last.familyFirst[mid] as number), key) > 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    /**
     * The untouched previous families up to `end`, each run of them copied at once, STEP families
     * a step: a live round's copy of the families it did not touch is most of its work.
     */
    const copyUntil = function* (end: number): Generator<void, void, void> {
      while (next < end) {
        if (touched[next]) {
          next++;
          continue;
        }
        let runEnd = next + 1;
        while (runEnd < end && runEnd - next < STEP && !touched[runEnd]) runEnd++;
        out.copyRun(previous, next, runEnd, dropped);
        const whole = runEnd - next === STEP;
        next = runEnd;
        if (whole) yield;
      }
    };
    for (const f of blocks.order) {
      yield* copyUntil(place(f));
      out.addBlock(blocks, f);
    }
    yield* copyUntil(families);
  } else {
    for (let k = 0; k < blocks.order.length; k++) {
      out.addBlock(blocks, blocks.order[k] as number);
      if (k % STEP === STEP - 1) yield;
    }
  }
  const { rowCount, familyCount } = out;
  out.familyStart[familyCount] = rowCount;
  state.rowToken = out.rowToken.subarray(0, rowCount);
  state.rowFamily = out.rowFamily.subarray(0, rowCount);
  state.familyStart = out.familyStart.subarray(0, familyCount + 1);
  state.familyFirst = out.familyFirst.subarray(0, familyCount);
  // Where each grant's family is, for the tokens of later rounds.
  for (const i of blocks.rows) {
    const grant = (state.tokens[i] as Token).grant_id;
    if (grant !== null) state.grantMember.set(grant, i + state.base);
  }
  yield;
  const layout = yield* finish(state, out);
  states.set(layout, state);
  return layout;
}

/** The layout's links, bounds and counts, and a row by token id (linear over typed arrays). */
export function* finish(state: LayoutState, out: LayoutBuilder): Generator<void, TimelineLayout, void> {
  const { rowToken, tokens } = state;
  const rowCount = rowToken.length;
  const tokenRow = new Int32Array(tokens.length).fill(-1);
  for (let r = 0; r < rowCount; r++) tokenRow[rowToken[r] as number] = r;
  state.tokenRow = tokenRow;
  const rows = out.rows();
  const links: TimelineLink[] = [];
  let exchanges = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const rowStart = new Float64Array(rowCount);
  const rowStop = new Float64Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const i = rowToken[r] as number;
    const start = state.start[i] as number;
    const end = state.end[i] as number;
    if (start < min) min = start;
    if (end > max) max = end;
    const row = rows[r] as TimelineRow;
    rowStart[r] = row.start;
    rowStop[r] = row.lifeEnd ?? row.end;
    const parent = state.parentOf[i] as number;
    if (parent < 0) continue;
    const kind = originOf(row.token) === 'exchange' ? 'exchange' : 'refresh';
    if (kind === 'exchange') exchanges++;
    links.push({ from: tokenRow[parent] as number, to: r, at: start, kind });
  }
  yield;
  let useMarks = 0;
  let introspections = 0;
  for (const mark of out.marks) {
    if (USE_MARK_TYPES.has(mark.type)) useMarks++;
    if (mark.type === 'introspected') introspections++;
  }
  // Marks are made row by row: the per-row index is the identity.
  const markIndex = new Int32Array(out.marks.length);
  for (let k = 0; k < markIndex.length; k++) markIndex[k] = k;
  const rowById: RowLookup = {
    get: (id) => {
      const serial = idsOf(state).get(id);
      if (serial === undefined) return undefined;
      const row = tokenRow[serial - state.base] as number | undefined;
      return row === undefined || row < 0 ? undefined : row;
    },
  };
  const { keyChanges, clockChanges } = lineChanges(state.events);
  return {
    rows,
    links,
    exchanges,
    marks: out.marks,
    keyChanges,
    clockChanges,
    families: state.familyFirst.length,
    rowById,
    min,
    max,
    useMarks,
    introspections,
    markOffsets: out.markOffsets.subarray(0, rowCount + 1),
    markIndex,
    reachStart: out.reachStart.subarray(0, rowCount),
    reachEnd: out.reachEnd.subarray(0, rowCount),
    rowFamily: state.rowFamily,
    rowStart,
    rowStop,
  };
}

/** Key and clock changes, oldest first. */
export function lineChanges(events: readonly TimelineEvent[]): {
  keyChanges: KeyChange[];
  clockChanges: ClockChange[];
} {
  const keyChanges: KeyChange[] = [];
  const clockChanges: ClockChange[] = [];
  for (const event of events) {
    const clockChange = clockChangeOf(event);
    if (clockChange) {
      clockChanges.push(clockChange);
      continue;
    }
    const stage = KEY_STAGES[event.type];
    const kid = event.data?.kid;
    if (stage && typeof kid === 'string' && event.data)
      keyChanges.push({
        at: Date.parse(event.at),
        stage,
        kid,
        detail: keyChangeDetail(event.type, event.data),
      });
  }
  keyChanges.sort((a, b) => a.at - b.at);
  clockChanges.sort((a, b) => a.at - b.at);
  return { keyChanges, clockChanges };
}
