import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatRelative } from '../lib/time';
import { nextLocalMidnight, nextRelativeChange } from '../lib/time-changes';
import { createTicker, TICK_GRID_MS } from './ticker';

const T0 = new Date(2026, 2, 14, 12, 0, 0).getTime();

describe('createTicker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one timer, for the earliest callback, and none once nothing waits', () => {
    const ticker = createTicker();
    const calls: string[] = [];
    expect(vi.getTimerCount()).toBe(0);
    ticker.at(T0 + 5000, () => calls.push('5 s'));
    ticker.at(T0 + 1000, () => calls.push('1 s'));
    ticker.at(T0 + 60_000, () => calls.push('1 min'));
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['1 s']);
    vi.advanceTimersByTime(4000);
    expect(calls).toEqual(['1 s', '5 s']);
    expect(ticker.waiting()).toBe(1);
    vi.advanceTimersByTime(55_000);
    expect(calls).toEqual(['1 s', '5 s', '1 min']);
    expect(ticker.waiting()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes once for the callbacks due within the same quarter second', () => {
    const ticker = createTicker();
    const woke: number[] = [];
    for (const offset of [1010, 1100, 1249]) ticker.at(T0 + offset, () => woke.push(Date.now() - T0));
    vi.advanceTimersByTime(1249);
    expect(woke).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(woke).toEqual([TICK_GRID_MS * 5, TICK_GRID_MS * 5, TICK_GRID_MS * 5]);
  });

  it('cancels: a cancelled callback never runs, and the last one cancelled leaves no timer', () => {
    const ticker = createTicker();
    const calls: string[] = [];
    const cancelFirst = ticker.at(T0 + 1000, () => calls.push('first'));
    const cancelSecond = ticker.at(T0 + 2000, () => calls.push('second'));
    cancelFirst();
    vi.advanceTimersByTime(1500);
    expect(calls).toEqual([]);
    cancelSecond();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(calls).toEqual([]);
  });

  it('runs a callback scheduled in the past at once', () => {
    const ticker = createTicker();
    const calls: string[] = [];
    ticker.at(T0 - 5000, () => calls.push('late'));
    vi.advanceTimersByTime(0);
    expect(calls).toEqual(['late']);
  });
});

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

describe('nextRelativeChange', () => {
  it.each([
    // [target offset from now, expected next change offset from now, text now, text then]
    [10 * S + 400, 401, 'in 10 s', 'in 9 s'],
    [-10 * S - 400, 600, '10 s ago', '11 s ago'],
    [-3 * MIN - 20 * S, 40 * S, '3 min ago', '4 min ago'],
    [4 * MIN + 30 * S, 30 * S + 1, 'in 4 min', 'in 3 min'],
    [MIN, 1, 'in 1 min', 'in 59 s'],
    [-59 * S, S, '59 s ago', '1 min ago'],
    [300, 1300, 'now', '1 s ago'],
    [-2 * DAY - 3 * H - 10 * MIN, 50 * MIN, '2 days 3 h ago', '2 days 4 h ago'],
  ])('target %d ms away changes after %d ms ("%s" → "%s")', (target, after, before, then) => {
    const next = nextRelativeChange(T0 + target, T0);
    expect(next - T0).toBe(after);
    expect(formatRelative(T0 + target, T0)).toBe(before);
    expect(formatRelative(T0 + target, next - 1)).toBe(before);
    expect(formatRelative(T0 + target, next)).toBe(then);
  });

  it('finds the first change for any distance, so a text is never redrawn unchanged nor left stale', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 2000; i++) {
      const scale = [S, MIN, H, DAY, 40 * DAY, 800 * DAY][i % 6] as number;
      const target = T0 + Math.round((random() * 2 - 1) * scale * 3);
      const next = nextRelativeChange(target, T0);
      expect(next).toBeGreaterThan(T0);
      const text = formatRelative(target, T0);
      expect(formatRelative(target, next - 1)).toBe(text);
      expect(formatRelative(target, next)).not.toBe(text);
    }
  });

  it('never changes for a time that is not one', () => {
    expect(nextRelativeChange('not a date', T0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('nextLocalMidnight is the start of the next local day', () => {
    const midnight = new Date(nextLocalMidnight(T0));
    expect([midnight.getDate(), midnight.getHours(), midnight.getMinutes()]).toEqual([15, 0, 0]);
  });
});
