import { describe, expect, it } from 'vitest';
import type { Token } from '../../../../../shared/schemas';
import { type DrawInput, drawTimeline, type Palette } from './draw';
import { layoutTimeline } from './layout';

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

function input(count: number, rowHeight: number, height = 524): DrawInput {
  return {
    layout: layoutTimeline(tokens(count)),
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

describe('drawTimeline', () => {
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
    drawTimeline(ctx, { ...base, layout: layoutTimeline([rotated]) });
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
