import { describe, expect, it } from 'vitest';
import {
  fitView,
  followView,
  MAX_SPAN,
  MIN_SPAN,
  panView,
  RECENT_MAX_SPAN,
  RECENT_MIN_SPAN,
  recentView,
  span,
  timeTicks,
  timeToX,
  xToTime,
  zoomView,
} from './scale';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = new Date(2026, 2, 14, 12, 0, 0).getTime();

describe('time scale', () => {
  it('maps times to x and back', () => {
    const view = { start: NOW, end: NOW + HOUR };
    expect(timeToX(NOW + HOUR / 4, view, 800)).toBe(200);
    expect(xToTime(600, view, 800)).toBe(NOW + (3 * HOUR) / 4);
  });

  it('follows now with three quarters of the window in the past', () => {
    expect(followView(HOUR, NOW)).toEqual({ start: NOW - 0.75 * HOUR, end: NOW + 0.25 * HOUR });
  });

  it('zooms around an anchor, which stays at the same place on screen', () => {
    const view = { start: NOW, end: NOW + HOUR };
    const anchor = NOW + HOUR / 4;
    const zoomed = zoomView(view, 0.5, anchor);
    expect(span(zoomed)).toBe(HOUR / 2);
    expect(timeToX(anchor, zoomed, 800)).toBeCloseTo(timeToX(anchor, view, 800));
  });

  it('clamps zooming between ten seconds and 400 days', () => {
    const view = { start: NOW, end: NOW + HOUR };
    expect(span(zoomView(view, 1e-9))).toBe(MIN_SPAN);
    expect(span(zoomView(view, 1e9))).toBe(MAX_SPAN);
  });

  it('pans by a time delta', () => {
    expect(panView({ start: 0, end: 10 }, 5)).toEqual({ start: 5, end: 15 });
  });

  it('fits every interval with a little room, and falls back to an hour around now when empty', () => {
    const fit = fitView(NOW, NOW + HOUR, NOW);
    expect(fit.start).toBeLessThan(NOW);
    expect(fit.end).toBeGreaterThan(NOW + HOUR);
    expect(span(fit)).toBeCloseTo(HOUR * 1.06);
    expect(span(fitView(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, NOW))).toBe(HOUR);
    // All tokens issued in the same instant: at least the narrowest window.
    expect(span(fitView(NOW, NOW, NOW))).toBe(HOUR);
    expect(span(fitView(NOW, NOW + 1000, NOW))).toBe(MIN_SPAN);
  });

  it('puts ticks on round local times, far enough apart to read', () => {
    const view = { start: NOW - 7 * MIN - 13_000, end: NOW + 53 * MIN };
    const ticks = timeTicks(view, 1000);
    const gaps = ticks.slice(1).map((t, i) => t.time - (ticks[i]?.time ?? 0));
    expect(new Set(gaps).size).toBe(1);
    expect((gaps[0] ?? 0) * (1000 / span(view))).toBeGreaterThanOrEqual(90);
    for (const tick of ticks) {
      expect(new Date(tick.time).getSeconds()).toBe(0);
      expect(tick.label).toMatch(/^\d\d:\d\d$/);
    }
    expect(ticks.map((t) => t.label)).toContain('12:00');
  });

  it('labels second ticks with seconds and day ticks with the date', () => {
    const seconds = timeTicks({ start: NOW, end: NOW + 20_000 }, 1000);
    expect(seconds[0]?.label).toMatch(/^12:00:\d\d$/);
    const days = timeTicks({ start: NOW, end: NOW + 14 * 24 * HOUR }, 1000);
    expect(days.length).toBeGreaterThan(2);
    for (const tick of days) {
      expect(new Date(tick.time).getHours()).toBe(0);
      expect(tick.label).not.toMatch(/:/);
    }
  });

  describe('the default "Recent" window', () => {
    const SEC = 1000;
    const life = (start: number, seconds: number, lifeEnd: number | null = null) => ({
      start,
      end: start + seconds * SEC,
      lifeEnd,
    });

    it('fits a fresh sign-in’s 20 s access token, not its two-week refresh token or one-hour ID token', () => {
      const issued = NOW - 2 * SEC;
      const view = recentView([life(issued, 20), life(issued, 3600), life(issued, 14 * 86_400)], NOW);
      // From a little before the issue to a little after the access token's expiry; now inside.
      expect(view.start).toBeLessThan(issued);
      expect(view.start).toBeGreaterThan(issued - 30 * SEC);
      expect(view.end).toBeGreaterThan(issued + 20 * SEC);
      expect(view.end).toBeLessThan(NOW + 60 * SEC);
      // The access token's bar is a good share of the window, not a sliver.
      expect((20 * SEC) / span(view)).toBeGreaterThan(0.25);
      expect(span(view)).toBe(RECENT_MIN_SPAN);
    });

    it('reaches back to the earliest token of the last hour, and ignores older ones', () => {
      const view = recentView([life(NOW - 20 * MIN, 60), life(NOW - 2 * HOUR, 60)], NOW);
      expect(view.start).toBeLessThan(NOW - 20 * MIN);
      expect(view.start).toBeGreaterThan(NOW - 30 * MIN);
      expect(view.end).toBeGreaterThanOrEqual(NOW);
    });

    it('counts a token that ended early (rotated, revoked) by its end of life', () => {
      const issued = NOW - 2 * SEC;
      // A refresh token rotated a second after issue: its two weeks do not stretch the window.
      const view = recentView([life(issued, 14 * 86_400, issued + SEC), life(issued, 30)], NOW);
      expect(span(view)).toBeLessThanOrEqual(2 * MIN);
      expect(view.end).toBeGreaterThan(issued + 30 * SEC);
    });

    it('stays between its narrowest and widest spans, and is an hour when nothing is recent', () => {
      expect(span(recentView([], NOW))).toBe(HOUR);
      expect(span(recentView([life(NOW - 2 * HOUR, 60)], NOW))).toBe(HOUR);
      expect(span(recentView([life(NOW - 59 * MIN, 6 * 3600)], NOW))).toBeLessThanOrEqual(RECENT_MAX_SPAN);
      expect(span(recentView([life(NOW, 1)], NOW))).toBe(RECENT_MIN_SPAN);
    });

    it('follows now: a moment later the window has moved with it', () => {
      const tokens = [life(NOW - 10 * SEC, 20)];
      const a = recentView(tokens, NOW);
      const b = recentView(tokens, NOW + 5 * SEC);
      expect(b.end).toBeGreaterThanOrEqual(a.end);
      expect(b.end).toBeGreaterThanOrEqual(NOW + 5 * SEC);
    });
  });
});
