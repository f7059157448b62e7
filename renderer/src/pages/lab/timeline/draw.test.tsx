import { describe, expect, it } from 'vitest';
import type { Token } from '../../../../../shared/schemas';
import { type DrawInput, drawTimeline, type Palette } from './draw';
import { layoutTimeline } from './layout';

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0);

/** A 2D context that only records what is drawn. */
function recorder() {
  const calls: Record<string, number> = {};
  const ctx = new Proxy(
    {},
    {
      get(_target, name: string) {
        if (name === 'measureText') return () => ({ width: 20 });
        return (..._args: unknown[]) => {
          calls[name] = (calls[name] ?? 0) + 1;
        };
      },
      set: () => true,
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, calls };
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
  states: { active: colour, expired: colour, revoked: colour, rotated: colour, reuse_detected: colour },
  marks: { revoked: colour, introspected: colour, reuse: colour },
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
});
