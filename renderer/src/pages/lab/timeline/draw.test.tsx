import { describe, expect, it } from 'vitest';
import type { Token } from '../../../../../shared/schemas';
import { type DrawInput, drawTimeline, type Palette } from './draw';
import { layoutTimeline } from './layout';
import { wholeWindow, windowLayout } from './window';

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0);

/** A 2D context that only records what is drawn. */
function recorder() {
  const calls: Record<string, number> = {};
  /** fillText's texts and rect's [x, y, w, h], in order. */
  const texts: string[] = [];
  const rects: number[][] = [];
  const ctx = new Proxy(
    {},
    {
      get(_target, name: string) {
        if (name === 'measureText') return () => ({ width: 20 });
        return (...args: unknown[]) => {
          calls[name] = (calls[name] ?? 0) + 1;
          if (name === 'fillText') texts.push(String(args[0]));
          if (name === 'rect') rects.push(args as number[]);
        };
      },
      set: () => true,
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, calls, texts, rects };
}

const colour = '#000';
const palette: Palette = {
  background: colour,
  band: colour,
  grid: colour,
  clock: colour,
  text: colour,
  dimmed: colour,
  now: colour,
  link: colour,
  exchange: colour,
  hover: colour,
  selection: colour,
  highlight: colour,
  hole: colour,
  states: { active: colour, expired: colour, revoked: colour, rotated: colour, reuse_detected: colour },
  marks: { revoked: colour, introspected: colour, reuse: colour, userinfo: colour, refreshed: colour },
  keys: { staged: colour, activated: colour, retired: colour },
};

function tokens(count: number): Token[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `t${i}`,
    kind: 'access',
    format: 'jwt',
    state: i % 3 === 0 ? 'revoked' : 'active',
    client_id: 'web',
    username: 'alice',
    subject: 'alice',
    grant_id: `g${i}`,
    parent_id: null,
    scope: '',
    audience: [],
    issued_at: new Date(T0 + i * 10).toISOString(),
    expires_at: new Date(T0 + 3_600_000 + (i % 50) * 60_000).toISOString(),
    revoked_at: i % 3 === 0 ? new Date(T0 + 60_000).toISOString() : null,
    revoked_reason: i % 3 === 0 ? 'revoked_by_admin' : null,
    last_used_at: null,
    flaws: [],
    grant_type: null,
    act: null,
  }));
}

/** Layouts by token count, made once: 100,000 tokens take a while to generate and lay out. */
const layouts = new Map<number, ReturnType<typeof layoutTimeline>>();
function layoutOf(count: number) {
  let layout = layouts.get(count);
  if (!layout) {
    layout = layoutTimeline(tokens(count));
    layouts.set(count, layout);
  }
  return layout;
}

function input(count: number, rowHeight: number, height = 524): DrawInput {
  return {
    layout: wholeWindow(layoutOf(count)),
    view: { start: T0 - 600_000, end: T0 + 7_200_000 },
    width: 1000,
    height,
    gutter: 0,
    axis: 24,
    rowHeight,
    scrollTop: 0,
    now: T0 + 120_000,
    palette,
    selected: null,
    hovered: null,
  };
}

/** The rectangles filled with `style` ([x, y, w, h]), by a context that tracks its fill style. */
function filledWith(style: string, draw: (ctx: CanvasRenderingContext2D) => void): number[][] {
  const filled: number[][] = [];
  let fillStyle = '';
  const ctx = new Proxy(
    {},
    {
      get(_target, name: string) {
        if (name === 'measureText') return () => ({ width: 20 });
        if (name === 'fillRect')
          return (...args: number[]) => {
            if (fillStyle === style) filled.push(args);
          };
        return () => {};
      },
      set(_target, name: string, value: unknown) {
        if (name === 'fillStyle') fillStyle = String(value);
        return true;
      },
    },
  ) as unknown as CanvasRenderingContext2D;
  draw(ctx);
  return filled;
}

describe('drawTimeline', () => {
  it('shades the spans left unread under a high rate across every row, at least 2 px wide, only in view', () => {
    const shade = 'rgba(1,2,3,0.2)';
    const base = { ...input(10, 22), palette: { ...palette, hole: shade } };
    // The view is 7,800 s over 1,000 px: 7.8 s per pixel.
    const holes = [
      { from: T0, to: T0 + 78_000, skipped: 10 },
      { from: T0 + 100_000, to: T0 + 100_100, skipped: null },
      { from: T0 + 9_000_000, to: T0 + 9_100_000, skipped: 5 },
    ];
    const rects = filledWith(shade, (ctx) => drawTimeline(ctx, { ...base, holes }));
    expect(rects).toHaveLength(2);
    const [wide, narrow] = rects as [number[], number[]];
    expect(wide[0]).toBeCloseTo(600 / 7.8, 5);
    expect(wide[1]).toBe(24);
    expect(wide[2]).toBeCloseTo(10, 5);
    expect(wide[3]).toBe(524 - 24);
    expect(narrow[2]).toBe(2);
    expect(filledWith(shade, (ctx) => drawTimeline(ctx, base))).toEqual([]);
  });

  it('draws every bar of 10,000 rows on screen, merged per pixel row when rows are thinner than a pixel', () => {
    const { ctx, calls } = recorder();
    const drawn = drawTimeline(ctx, input(10_000, 500 / 10_000));
    expect(drawn).toBe(10_000);
    // A few rectangles per pixel row (three colour parts, one mark), not 10,000 × 2 bars plus 3,334
    // marks: what is filled is bounded by the canvas, not by the number of tokens.
    expect(calls.rect ?? 0).toBeLessThanOrEqual(500 * 4 + 1);
    // One fill per colour bucket, not per bar.
    expect(calls.fill ?? 0).toBeLessThan(20);
  });

  it('draws 100,000 rows thinner than a pixel within what the canvas can show, marks one per pixel', () => {
    const { ctx, calls } = recorder();
    const drawn = drawTimeline(ctx, input(100_000, 500 / 100_000));
    expect(drawn).toBe(100_000);
    // Three colour parts per pixel row at most, plus the revocation marks merged per pixel (they fall
    // on the same minute, T0 + 60 s: one column of pixels).
    expect(calls.rect ?? 0).toBeLessThanOrEqual(500 * 3 + 500 + 1);
    expect(calls.fill ?? 0).toBeLessThan(20);
  }, 60_000);

  it('draws only the visible rows’ bars and marks when rows are tall, however many rows there are', () => {
    const { ctx, calls, rects } = recorder();
    const drawn = drawTimeline(ctx, input(100_000, 22));
    const visible = Math.ceil(500 / 22);
    expect(drawn).toBe(visible);
    // A bar per visible row, an ended cap and rest per revoked one, a revocation mark each: not
    // 100,000 bars or 33,334 marks.
    expect(rects.length).toBeLessThan(visible * 4);
    expect(calls.moveTo ?? 0).toBeLessThan(visible * 4 + 50);
  }, 60_000);

  it('draws the rows kept for a zoomed-in window, and no link to a hidden row', () => {
    const parent: Token = { ...(tokens(1)[0] as Token), id: 'p', kind: 'refresh', state: 'rotated' };
    const child: Token = {
      ...(tokens(1)[0] as Token),
      id: 'c',
      parent_id: 'p',
      grant_type: 'refresh_token',
      issued_at: new Date(T0 + 600_000).toISOString(),
      expires_at: new Date(T0 + 900_000).toISOString(),
    };
    const layout = layoutTimeline([{ ...parent, expires_at: new Date(T0 + 300_000).toISOString() }, child]);
    // The parent ended before the window: only the child is kept, and its link is not drawn.
    const shown = windowLayout(layout, { start: T0 + 500_000, end: T0 + 1_000_000 });
    expect(shown.rows.map((row) => row.token.id)).toEqual(['c']);
    const view = { start: T0 + 500_000, end: T0 + 1_000_000 };
    const { ctx, calls } = recorder();
    expect(drawTimeline(ctx, { ...input(0, 22), layout: shown, view })).toBe(1);
    // Both kept (a wider window), drawn in the same view: the link's two strokes more.
    const both = windowLayout(layout, { start: T0, end: T0 + 1_000_000 });
    expect(both.rows).toHaveLength(2);
    const all = recorder();
    drawTimeline(all.ctx, { ...input(0, 22), layout: both, view });
    expect((all.calls.lineTo ?? 0) - (calls.lineTo ?? 0)).toBe(2);
  });

  it('visits only the visible rows when they are tall', () => {
    const { ctx, calls } = recorder();
    const drawn = drawTimeline(ctx, input(10_000, 22));
    expect(drawn).toBe(Math.ceil(500 / 22));
    expect(calls.fillText ?? 0).toBeLessThan(100);
  });

  it('labels rows at every density: one label per row when tall, per family when thin', () => {
    const tall = recorder();
    drawTimeline(tall.ctx, { ...input(30, 22), gutter: 200 });
    expect(tall.texts.filter((t) => t === 'access · alice · web').length).toBeGreaterThan(15);

    // "All rows" at 2,000 tokens: a fraction of a pixel each, still labelled (each token its own family
    // here), as many as fit one under the other.
    const thin = recorder();
    drawTimeline(thin.ctx, { ...input(2000, 500 / 2000), gutter: 200 });
    const labels = thin.texts.filter((t) => t.includes(' · ') && !t.includes('tokens'));
    expect(labels.length).toBeGreaterThan(30);
    expect(labels.length).toBeLessThanOrEqual(Math.ceil(500 / 12));
    expect(labels[0]).toBe('alice · web');
  });

  it('draws a rotated token as ended: its bar stops at the rotation, a thin line runs on to its expiry', () => {
    const rotated: Token = {
      ...(tokens(1)[0] as Token),
      id: 'r1',
      kind: 'refresh',
      state: 'rotated',
      revoked_at: null,
      revoked_reason: null,
      last_used_at: new Date(T0 + 600_000).toISOString(),
      expires_at: new Date(T0 + 14 * 86_400_000).toISOString(),
    };
    const { ctx, rects } = recorder();
    const base = input(0, 22);
    drawTimeline(ctx, { ...base, layout: wholeWindow(layoutTimeline([rotated])) });
    const width = base.width;
    const x = (t: number) => ((t - base.view.start) / (base.view.end - base.view.start)) * width;
    const bar = 22 * 0.64;
    const barRects = rects.filter(([, , , h]) => Math.abs((h as number) - bar) < 0.01);
    expect(barRects).toHaveLength(1);
    const [x0, , w] = barRects[0] as number[];
    expect((x0 as number) + (w as number)).toBeCloseTo(x(T0 + 600_000), 3);
    // The rest: one pixel high, from the rotation to the window's edge (the expiry is two weeks away).
    const rest = rects.find(([rx, , , h]) => h === 1 && Math.abs((rx as number) - x(T0 + 600_000)) < 0.01);
    expect(rest?.[2]).toBeGreaterThan(width - x(T0 + 600_000));
  });
});
