/**
 * Draws the timeline on one 2D canvas. Every bar of a colour is one path filled once, and only rows
 * inside the viewport are visited, so ten thousand tokens cost a few milliseconds. Geometry (which
 * row and bar is under a point) is pure and shared with hit-testing.
 */
import type { TokenKind, TokenState } from '../../../../../shared/schemas';
import {
  familyLabel,
  type KeyStage,
  type MarkType,
  rowLabel,
  rowPrefix,
  stateAt,
  type TimelineRow,
  USE_MARKS,
} from './layout';
import { type TimeView, timeTicks, timeToX } from './scale';
import type { TokenHole } from './token-window';
import { familyOf, type WindowedLayout } from './window';

export interface Geometry {
  view: TimeView;
  /** CSS pixels of the canvas. */
  width: number;
  height: number;
  /** Width of the label column on the left (0 when rows are too thin for text). */
  gutter: number;
  /** Height of the time axis at the top. */
  axis: number;
  rowHeight: number;
  /** Vertical scroll of the rows, in CSS pixels. */
  scrollTop: number;
}

export interface Palette {
  background: string;
  band: string;
  grid: string;
  text: string;
  dimmed: string;
  now: string;
  /** The provider clock's moves (time travel). */
  clock: string;
  link: string;
  /** Token-exchange lineage (RFC 8693): its connector and the mark at the exchange. */
  exchange: string;
  hover: string;
  selection: string;
  /** The newest family's rows in presenter mode. */
  highlight: string;
  /** Spans whose tokens were not read under a high rate (translucent). */
  hole: string;
  states: Record<TokenState, string>;
  marks: Record<MarkType, string>;
  keys: Record<KeyStage, string>;
}

export interface DrawInput extends Geometry {
  /** The rows kept for the view (windowLayout); links and marks are read from the whole layout. */
  layout: WindowedLayout;
  now: number;
  palette: Palette;
  selected: number | null;
  hovered: number | null;
  /** Presenter mode: larger type, and the newest family (family 0) highlighted. */
  presenter?: boolean;
  /** Spans whose tokens were not read (a rate too high to follow), shaded across every row. */
  holes?: readonly TokenHole[];
}

/** The canvas font at a size, scaled up in presenter mode. */
function font(input: DrawInput, px: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${input.presenter ? Math.round(px * 1.35) : px}px system-ui, sans-serif`;
}

export const AXIS_HEIGHT = 24;
export const GUTTER_WIDTH = 200;
/** Rows at least this tall get a text label in the gutter. */
export const LABEL_MIN_ROW = 14;

function plotX(time: number, g: Geometry): number {
  return g.gutter + timeToX(time, g.view, g.width - g.gutter);
}

function rowTop(index: number, g: Geometry): number {
  return g.axis + index * g.rowHeight - g.scrollTop;
}

/** Rows [first, last) that intersect the viewport. */
export function visibleRows(g: Geometry, count: number): [number, number] {
  if (g.rowHeight <= 0) return [0, 0];
  const first = Math.max(0, Math.floor(g.scrollTop / g.rowHeight));
  const last = Math.min(count, Math.ceil((g.scrollTop + g.height - g.axis) / g.rowHeight));
  return [first, Math.max(first, last)];
}

/** A bar's vertical extent inside its row: access tokens are thick, ID tokens thin. */
export function barExtent(kind: TokenKind, rowHeight: number): { offset: number; height: number } {
  if (rowHeight < 4) return { offset: 0, height: Math.max(rowHeight, 1) };
  const share = kind === 'id' ? 0.36 : 0.64;
  const height = Math.max(2, rowHeight * share);
  return { offset: (rowHeight - height) / 2, height };
}

/** The row under a point, or null; a point beside its bar (or in the gutter) still picks the row. */
export function hitTest(
  g: Geometry,
  layout: { rows: readonly TimelineRow[] },
  x: number,
  y: number,
): number | null {
  if (y < g.axis || y > g.height || x < 0 || x > g.width) return null;
  const index = Math.floor((y - g.axis + g.scrollTop) / g.rowHeight);
  const row = layout.rows[index];
  if (!row) return null;
  if (x < g.gutter) return index;
  const x0 = plotX(row.start, g);
  const x1 = plotX(row.end, g);
  return x >= x0 - 4 && x <= x1 + 4 ? index : null;
}

type Style = 'solid' | 'outline';
const STATES: TokenState[] = ['active', 'expired', 'revoked', 'rotated', 'reuse_detected'];
/** Rows thinner than this are drawn merged per pixel row. */
const DENSE_ROW = 2;
/** Opacity of the grey rest of a bar after the token was revoked or rotated. */
const AFTER_ALPHA = 0.22;

/** Bars of rows at least DENSE_ROW tall, bucketed by colour and style so each bucket is one path. */
function drawBars(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, rowHeight, now, width, gutter } = input;
  const buckets = new Map<string, number[]>();
  for (let i = first; i < last; i++) {
    const row = layout.rows[i];
    if (!row || row.end < input.view.start || row.start > input.view.end) continue;
    const style: Style = row.token.kind === 'refresh' && rowHeight >= 6 ? 'outline' : 'solid';
    const key = `${stateAt(row, now)}|${style}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(i);
    else buckets.set(key, [i]);
  }
  const clampX = (x: number) => Math.min(width + 2, Math.max(gutter - 2, x));
  for (const state of STATES) {
    for (const style of ['solid', 'outline'] as const) {
      const indices = buckets.get(`${state}|${style}`);
      if (!indices) continue;
      const colour = p.states[state];
      // The lived part: issue to the end of its life (revoked, rotated) or its expiry.
      ctx.beginPath();
      for (const i of indices) {
        const row = layout.rows[i];
        if (!row) continue;
        const { offset, height: h } = barExtent(row.token.kind, rowHeight);
        const x0 = clampX(plotX(row.start, input));
        const x1 = clampX(plotX(row.lifeEnd ?? row.end, input));
        ctx.rect(x0, rowTop(i, input) + offset, Math.max(1, x1 - x0), h);
      }
      ctx.globalAlpha = style === 'outline' ? 0.35 : 1;
      ctx.fillStyle = colour;
      ctx.fill();
      if (style === 'outline') {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
  }
  drawEndedRests(ctx, input, first, last);
}

/**
 * A token that ended early (revoked, or rotated by a refresh) is drawn ended: its bar stops at that
 * moment with a cap, and only a thin grey line runs on to the expiry it would have had.
 */
function drawEndedRests(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, rowHeight, width, gutter } = input;
  const clampX = (x: number) => Math.min(width + 2, Math.max(gutter - 2, x));
  const ended: number[] = [];
  for (let i = first; i < last; i++) {
    const row = layout.rows[i];
    if (!row || row.lifeEnd === null || row.end < input.view.start || row.start > input.view.end) continue;
    ended.push(i);
  }
  if (ended.length === 0) return;
  for (const part of ['rest', 'cap'] as const) {
    ctx.beginPath();
    for (const i of ended) {
      const row = layout.rows[i] as (typeof layout.rows)[number];
      const top = rowTop(i, input);
      const x0 = clampX(plotX(row.lifeEnd ?? row.end, input));
      if (part === 'rest') {
        const x1 = clampX(plotX(row.end, input));
        ctx.rect(x0, top + rowHeight / 2 - 0.5, Math.max(0, x1 - x0), 1);
      } else {
        const { offset, height: h } = barExtent(row.token.kind, rowHeight);
        ctx.rect(x0 - 1, top + offset - 1, 2, h + 2);
      }
    }
    ctx.globalAlpha = part === 'rest' ? Math.min(1, AFTER_ALPHA * 2.5) : 1;
    ctx.fillStyle = part === 'rest' ? p.states.expired : p.text;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
}

/** Colour parts of the dense drawing: each state's lived part, then the grey rest after an early end. */
const DENSE_PARTS = [
  ...STATES.map((state) => ({ state, after: false })),
  { state: 'expired', after: true },
] as const;
const STATE_PART = new Map(STATES.map((state, i) => [state, i]));
const AFTER_PART = STATES.length;

/**
 * Spans of one pixel row, per colour part: packed as x0 · 2^16 + x1 in a typed array, so sorting them
 * is a numeric sort without allocations. Reused across frames.
 */
const denseScratch = DENSE_PARTS.map(() => ({ spans: new Float64Array(256), count: 0 }));
const PACK = 65_536;

function pushSpan(part: number, x0: number, x1: number): void {
  const scratch = denseScratch[part] as (typeof denseScratch)[number];
  if (scratch.count === scratch.spans.length) {
    const grown = new Float64Array(scratch.spans.length * 2);
    grown.set(scratch.spans);
    scratch.spans = grown;
  }
  scratch.spans[scratch.count++] = x0 * PACK + x1;
}

/** Merges one pixel row's spans of each part into rectangles [x, y, w] appended to `out`. */
function flushDenseLine(y: number, out: number[][]): void {
  denseScratch.forEach((scratch, part) => {
    if (scratch.count === 0) return;
    const spans = scratch.spans.subarray(0, scratch.count).sort();
    const rects = out[part] as number[];
    let start = Math.floor((spans[0] as number) / PACK);
    let end = (spans[0] as number) % PACK;
    for (let k = 1; k < spans.length; k++) {
      const x0 = Math.floor((spans[k] as number) / PACK);
      const x1 = (spans[k] as number) % PACK;
      if (x0 <= end) end = Math.max(end, x1);
      else {
        rects.push(start, y, end - start);
        start = x0;
        end = x1;
      }
    }
    rects.push(start, y, end - start);
    scratch.count = 0;
  });
}

/**
 * Rows thinner than DENSE_ROW (thousands on screen): many rows share a pixel row, so bars are
 * snapped to whole pixels and merged per pixel row and colour before filling. What is filled is
 * then bounded by the canvas size, not by the number of tokens; rows are visited in order, so one
 * pixel row's spans are merged before the next one's start (no map of every row's spans).
 */
function drawDenseBars(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, now, width, gutter } = input;
  const out: number[][] = DENSE_PARTS.map(() => []);
  const left = input.view.start;
  const right = input.view.end;
  const xOf = (time: number) => plotX(time, input);
  const add = (part: number, from: number, to: number) => {
    const x0 = Math.floor(Math.max(gutter, xOf(from)));
    const x1 = Math.max(x0 + 1, Math.ceil(Math.min(width, xOf(to))));
    if (x0 >= width || x1 <= gutter) return;
    pushSpan(part, x0, x1);
  };
  let line = Number.NaN;
  for (let i = first; i < last; i++) {
    const row = layout.rows[i] as TimelineRow;
    if (row.end < left || row.start > right) continue;
    const y = Math.floor(rowTop(i, input));
    if (y !== line) {
      if (!Number.isNaN(line)) flushDenseLine(line, out);
      line = y;
    }
    const stop = row.lifeEnd ?? row.end;
    add(STATE_PART.get(stateAt(row, now)) as number, row.start, stop);
    // Ended early: the rest, to the expiry it would have had, in the ended (expired) grey.
    if (row.lifeEnd !== null) add(AFTER_PART, stop, row.end);
  }
  if (!Number.isNaN(line)) flushDenseLine(line, out);
  DENSE_PARTS.forEach(({ state, after }, part) => {
    const rects = out[part] as number[];
    if (rects.length === 0) return;
    ctx.beginPath();
    for (let k = 0; k < rects.length; k += 3)
      ctx.rect(rects[k] as number, rects[k + 1] as number, rects[k + 2] as number, 1);
    ctx.globalAlpha = after ? AFTER_ALPHA : 1;
    ctx.fillStyle = p.states[state];
    ctx.fill();
    ctx.globalAlpha = 1;
  });
}

/**
 * Lineage: a connector from the parent down to each token its use issued. A refresh's is a plain line;
 * a token exchange's is dashed in its own colour, with a diamond on the exchanged token's bar at the
 * moment of the exchange (a dot on thin rows), so a delegation chain reads as a staircase of diamonds.
 */
function drawLinks(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, rowHeight } = input;
  const { whole, position } = layout;
  const diamond = Math.max(1.5, Math.min(rowHeight * 0.3, 5));
  for (const kind of ['refresh', 'exchange'] as const) {
    if (kind === 'exchange' && whole.exchanges === 0) continue;
    ctx.beginPath();
    const marks: Array<[number, number]> = [];
    for (const link of whole.links) {
      if (link.kind !== kind) continue;
      // Both ends kept (a link to a hidden row is not drawn), and the span between them in view.
      const from = position[link.from] as number;
      const to = position[link.to] as number;
      if (from < 0 || to < 0 || to < first || from >= last) continue;
      const x = Math.round(plotX(link.at, input)) + 0.5;
      const y0 = rowTop(from, input) + rowHeight / 2;
      const y1 = rowTop(to, input) + rowHeight / 2;
      ctx.moveTo(x, y0);
      ctx.lineTo(x, y1);
      ctx.lineTo(x + Math.min(6, rowHeight / 2), y1);
      if (kind === 'exchange') marks.push([x, y1]);
    }
    ctx.strokeStyle = kind === 'exchange' ? p.exchange : p.link;
    ctx.lineWidth = kind === 'exchange' ? 1.5 : 1;
    ctx.setLineDash(kind === 'exchange' && rowHeight >= 6 ? [3, 2] : []);
    ctx.stroke();
    ctx.setLineDash([]);
    if (marks.length === 0) continue;
    ctx.beginPath();
    for (const [x, y] of marks) {
      ctx.moveTo(x, y - diamond);
      ctx.lineTo(x + diamond, y);
      ctx.lineTo(x, y + diamond);
      ctx.lineTo(x - diamond, y);
      ctx.closePath();
    }
    ctx.fillStyle = p.exchange;
    ctx.fill();
  }
}

/** Height of a family label's line when rows are too thin for one label each. */
const FAMILY_LINE = 12;

function drawLabels(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, gutter, axis, height, rowHeight } = input;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, axis, gutter - 6, height - axis);
  ctx.clip();
  ctx.textBaseline = 'middle';
  if (rowHeight >= LABEL_MIN_ROW) {
    for (let i = first; i < last; i++) {
      const row = layout.rows[i];
      if (!row) continue;
      const y = rowTop(i, input) + rowHeight / 2;
      const indent = 6 + Math.min(row.depth, 8) * 10;
      ctx.font = font(input, 11, input.presenter === true && familyOf(layout, i) === 0);
      ctx.fillStyle = row.depth > 0 ? p.dimmed : p.text;
      ctx.fillText(`${rowPrefix(row)}${rowLabel(row)}`, indent, y);
    }
  } else {
    ctx.font = font(input, 10);
    ctx.fillStyle = p.text;
    const line = input.presenter ? Math.round(FAMILY_LINE * 1.35) : FAMILY_LINE;
    let free = axis;
    for (let i = first; i < last; ) {
      const row = layout.rows[i];
      if (!row) break;
      // The family's rows in view: [i, end).
      const family = familyOf(layout, i);
      let end = i + 1;
      while (end < last && familyOf(layout, end) === family) end++;
      const top = Math.max(axis, rowTop(i, input));
      const bottom = Math.min(height, rowTop(end, input));
      const y = Math.max(top + line / 2, (top + bottom) / 2);
      if (y - line / 2 >= free) {
        ctx.fillText(familyLabel(row, bottom - top < line), 6, y);
        free = y + line / 2;
      }
      i = end;
    }
  }
  ctx.restore();
}

/**
 * The gutter's labels as last drawn: zooming and panning redraw every frame, the labels stay put.
 * Objects in its key (the layout's rows above all) are held through WeakRefs: this module-level cache
 * must not keep the last timeline's hundred thousand tokens alive once the page is left, where every
 * full GC of the idle UI marks them again (bench/experiments/idle-sources.mjs, helper D's edit).
 */
let labelCache: { key: unknown[]; image: OffscreenCanvas } | null = null;
const weakly = (value: unknown) => (typeof value === 'object' && value !== null ? new WeakRef(value) : value);
const unweak = (held: unknown) => (held instanceof WeakRef ? held.deref() : held);

/**
 * The labels through a cache of their pixels, keyed on what they depend on: text is the slowest thing
 * a software canvas draws, and while zooming or panning (a redraw per frame) the labels do not change.
 */
function drawLabelsCached(
  ctx: CanvasRenderingContext2D,
  input: DrawInput,
  first: number,
  last: number,
): void {
  const transform = typeof OffscreenCanvas === 'undefined' ? undefined : ctx.getTransform?.();
  if (!transform) {
    drawLabels(ctx, input, first, last);
    return;
  }
  const scale = transform.a || 1;
  const { layout, palette, gutter, height, rowHeight, scrollTop, presenter, axis } = input;
  const key = [layout.rows, palette, gutter, height, rowHeight, scrollTop, presenter, axis, scale];
  if (!labelCache || labelCache.key.some((held, i) => unweak(held) !== key[i])) {
    // One offscreen canvas, reused (scrolling misses the cache on every frame).
    const image = labelCache?.image ?? new OffscreenCanvas(1, 1);
    const [w, h] = [Math.ceil(gutter * scale), Math.ceil(height * scale)];
    if (image.width !== w) image.width = w;
    if (image.height !== h) image.height = h;
    const off = image.getContext('2d');
    if (!off) {
      drawLabels(ctx, input, first, last);
      return;
    }
    off.setTransform(1, 0, 0, 1, 0, 0);
    off.clearRect(0, 0, w, h);
    off.setTransform(scale, 0, 0, scale, 0, 0);
    drawLabels(off as unknown as CanvasRenderingContext2D, input, first, last);
    labelCache = { key: key.map(weakly), image };
  }
  ctx.drawImage(labelCache.image, 0, 0, labelCache.image.width / scale, labelCache.image.height / scale);
}

const MARK_ORDER = [...USE_MARKS, 'revoked', 'reuse'] as const;
const MARK_SLOT = new Map<MarkType, number>(MARK_ORDER.map((type, i) => [type, i]));
/** Which pixels already have a tiny mark of the type being drawn: stamped, so never cleared. */
let markStamps = new Uint32Array(0);
let markStamp = 0;

/**
 * Marks of the visible rows only (read through the layout's per-row index): uses (userinfo,
 * introspection, refresh) as ticks across the bar, revocation ×, reuse-detection triangle (tiny
 * squares on thin rows, one per pixel however many marks share it).
 */
function drawMarks(ctx: CanvasRenderingContext2D, input: DrawInput, first: number, last: number): void {
  const { layout, palette: p, rowHeight, width, height } = input;
  const { whole, index } = layout;
  const left = input.view.start;
  const right = input.view.end;
  const points: number[][] = MARK_ORDER.map(() => []);
  for (let i = first; i < last; i++) {
    const row = index[i] as number;
    const y = rowTop(i, input) + rowHeight / 2;
    for (let k = whole.markOffsets[row] as number; k < (whole.markOffsets[row + 1] as number); k++) {
      const mark = whole.marks[whole.markIndex[k] as number] as { at: number; type: MarkType };
      if (mark.at < left || mark.at > right) continue;
      (points[MARK_SLOT.get(mark.type) as number] as number[]).push(plotX(mark.at, input), y);
    }
  }
  const size = Math.max(1.5, Math.min(rowHeight * 0.38, 6));
  const tiny = rowHeight < 4;
  const uses: readonly MarkType[] = USE_MARKS;
  const stride = Math.ceil(width) + 4;
  if (tiny && markStamps.length < stride * (Math.ceil(height) + 4)) {
    markStamps = new Uint32Array(stride * (Math.ceil(height) + 4));
    markStamp = 0;
  }
  MARK_ORDER.forEach((type, slot) => {
    const list = points[slot] as number[];
    if (list.length === 0) return;
    markStamp = (markStamp + 1) >>> 0 || 1;
    ctx.beginPath();
    for (let k = 0; k < list.length; k += 2) {
      const x = list[k] as number;
      const y = list[k + 1] as number;
      if (tiny) {
        const cell = Math.floor(x) + 2 + (Math.floor(y) + 2) * stride;
        if (cell < 0 || cell >= markStamps.length || markStamps[cell] === markStamp) continue;
        markStamps[cell] = markStamp;
        ctx.rect(Math.floor(x) - 1, Math.floor(y) - 1, 2, 2);
      } else if (uses.includes(type)) {
        const half = Math.max(2, rowHeight * 0.42);
        ctx.rect(Math.round(x) - 1, y - half, 2, half * 2);
      } else if (type === 'reuse') {
        ctx.moveTo(x, y - size);
        ctx.lineTo(x + size, y + size);
        ctx.lineTo(x - size, y + size);
        ctx.closePath();
      } else {
        ctx.moveTo(x - size, y - size);
        ctx.lineTo(x + size, y + size);
        ctx.moveTo(x + size, y - size);
        ctx.lineTo(x - size, y + size);
      }
    }
    if (type === 'revoked' && !tiny) {
      ctx.strokeStyle = p.marks.revoked;
      ctx.lineWidth = 2;
      ctx.stroke();
    } else {
      ctx.fillStyle = p.marks[type];
      ctx.fill();
    }
  });
}

/** Draws everything; returns how many bars were drawn (visible rows whose bar is in the time window). */
export function drawTimeline(ctx: CanvasRenderingContext2D, input: DrawInput): number {
  const { layout, palette: p, width, height, gutter, axis, rowHeight, now } = input;
  const g: Geometry = input;
  const plotLeft = gutter;
  const plotWidth = width - gutter;

  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);

  const [first, last] = visibleRows(g, layout.rows.length);

  // Family bands and the hovered / selected row.
  if (rowHeight >= 3) {
    ctx.fillStyle = p.band;
    for (let i = first; i < last; i++) {
      if (familyOf(layout, i) % 2 === 1) ctx.fillRect(0, rowTop(i, g), width, rowHeight);
    }
  }
  // Presenter mode: the newest family (what was just done on stage) stands out.
  if (input.presenter) {
    ctx.fillStyle = p.highlight;
    for (let i = first; i < last; i++) {
      if (familyOf(layout, i) === 0) ctx.fillRect(0, rowTop(i, g), width, Math.max(rowHeight, 1));
    }
  }
  for (const [index, colour] of [
    [input.hovered, p.hover],
    [input.selected, p.selection],
  ] as const) {
    if (index === null || index < first || index >= last) continue;
    ctx.fillStyle = colour;
    ctx.fillRect(0, rowTop(index, g), width, Math.max(rowHeight, 2));
  }

  // Grid lines at the ticks.
  const ticks = timeTicks(input.view, plotWidth);
  ctx.strokeStyle = p.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const tick of ticks) {
    const x = Math.round(plotX(tick.time, g)) + 0.5;
    ctx.moveTo(x, axis);
    ctx.lineTo(x, height);
  }
  ctx.stroke();

  // Bars, bucketed by colour and style so each bucket is one path.
  ctx.save();
  ctx.beginPath();
  ctx.rect(plotLeft, axis, plotWidth, height - axis);
  ctx.clip();
  let drawn = 0;
  const left = input.view.start;
  const right = input.view.end;
  for (let i = first; i < last; i++) {
    const row = layout.rows[i];
    if (row && row.end >= left && row.start <= right) drawn++;
  }
  if (rowHeight < DENSE_ROW) drawDenseBars(ctx, input, first, last);
  else drawBars(ctx, input, first, last);

  if (layout.whole.links.length) drawLinks(ctx, input, first, last);

  drawMarks(ctx, input, first, last);

  // Spans left unread under a high rate: shaded across every row (at least 2 px, so a short one shows).
  ctx.fillStyle = p.hole;
  for (const hole of input.holes ?? []) {
    if (hole.to < left || hole.from > right) continue;
    const x0 = Math.max(plotLeft, plotX(hole.from, g));
    ctx.fillRect(x0, axis, Math.max(2, Math.min(width, plotX(hole.to, g)) - x0), height - axis);
  }

  // Signing-key stages: a line across every row, since a key change concerns every token signed after it.
  for (const change of layout.whole.keyChanges) {
    if (change.at < left || change.at > right) continue;
    const x = Math.round(plotX(change.at, g)) + 0.5;
    ctx.strokeStyle = p.keys[change.stage];
    ctx.lineWidth = change.stage === 'activated' ? 2 : 1.5;
    ctx.setLineDash(change.stage === 'staged' ? [2, 3] : change.stage === 'retired' ? [6, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x, axis);
    ctx.lineTo(x, height);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // Provider clock moves: time travel, drawn across every row like a key change.
  for (const change of layout.whole.clockChanges) {
    if (change.at < left || change.at > right) continue;
    const x = Math.round(plotX(change.at, g)) + 0.5;
    ctx.strokeStyle = p.clock;
    ctx.lineWidth = 2;
    ctx.setLineDash([1, 2]);
    ctx.beginPath();
    ctx.moveTo(x, axis);
    ctx.lineTo(x, height);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // Now.
  const nowX = plotX(now, g);
  if (nowX >= plotLeft && nowX <= width) {
    ctx.strokeStyle = p.now;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(Math.round(nowX) + 0.5, axis);
    ctx.lineTo(Math.round(nowX) + 0.5, height);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.restore();

  // Labels in the gutter: one per row when rows are tall enough to read, else one per family (who and
  // which client), abbreviated when the family is thinner than a line of text.
  if (gutter > 0) drawLabelsCached(ctx, input, first, last);

  // Axis on top of everything.
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, axis);
  ctx.strokeStyle = p.grid;
  ctx.beginPath();
  ctx.moveTo(0, axis - 0.5);
  ctx.lineTo(width, axis - 0.5);
  if (gutter > 0) {
    ctx.moveTo(gutter - 0.5, 0);
    ctx.lineTo(gutter - 0.5, height);
  }
  ctx.stroke();
  ctx.font = font(input, 11);
  ctx.textBaseline = 'middle';
  ctx.fillStyle = p.dimmed;
  const nowVisible = nowX >= plotLeft && nowX <= width;
  for (const tick of ticks) {
    const x = plotX(tick.time, g);
    const labelEnd = x + 3 + ctx.measureText(tick.label).width;
    // Skip a tick label the "now" tag would cover.
    if (nowVisible && labelEnd > nowX - 18 && x + 3 < nowX + 18) continue;
    if (x > plotLeft + 2) ctx.fillText(tick.label, x + 3, axis / 2);
  }
  if (nowVisible) {
    ctx.font = font(input, 11, true);
    const tag = Math.ceil(ctx.measureText('now').width) + 8;
    ctx.fillStyle = p.now;
    ctx.fillRect(nowX - tag / 2, 4, tag, axis - 8);
    ctx.fillStyle = p.background;
    ctx.fillText('now', nowX - tag / 2 + 4, axis / 2);
  }
  if (gutter > 0) {
    ctx.fillStyle = p.dimmed;
    ctx.font = font(input, 11);
    const tokens = `${layout.rows.length} token${layout.rows.length === 1 ? '' : 's'}`;
    const families = `${layout.families} ${layout.families === 1 ? 'family' : 'families'}`;
    ctx.fillText(`${tokens} · ${families}`, 6, axis / 2);
  }
  return drawn;
}
