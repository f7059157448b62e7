import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGapPace, GAP_MAX_WAIT_MS, OVERLOAD_QUIET_MS, watchOverload } from './live-pace';

describe('createGapPace', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const round = (ms: number) => () => new Promise((resolve) => setTimeout(() => resolve(ms), ms));

  it('waits, after a re-read, until it cost at most 5% of the time; never less than the usual interval', async () => {
    const pace = createGapPace();
    // Nothing measured yet: the usual interval.
    expect(pace.wait(100)).toBe(100);
    const done = pace.measure(round(40));
    await vi.advanceTimersByTimeAsync(40);
    await expect(done).resolves.toBe(40);
    // 40 ms at 5%: 800 ms; plus work outside the round (a layout of 10 ms): 1,000 ms.
    expect(pace.wait(100)).toBe(800);
    expect(pace.wait(100, 10)).toBe(1000);
    expect(pace.wait(2000)).toBe(2000);
  });

  it('never waits longer than its bound, and measures a round that failed too', async () => {
    const pace = createGapPace();
    const failing = pace.measure(async () => {
      await round(1000)();
      throw new Error('the engine went away');
    });
    const settled = expect(failing).rejects.toThrow('the engine went away');
    await vi.advanceTimersByTimeAsync(1000);
    await settled;
    expect(pace.wait(100)).toBe(GAP_MAX_WAIT_MS);
    const long = createGapPace(0.05, 60_000);
    const reload = long.measure(round(2000));
    await vi.advanceTimersByTimeAsync(2000);
    await reload;
    expect(long.wait(10_000)).toBe(40_000);
  });
});

describe('watchOverload', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const gap = { issuers: { root: { omitted: { 'token.issued': 900 }, through: 42 } } };

  it('is overloaded from a batch with a gap until a batch without one, and says when the rate falls', () => {
    const fell = vi.fn();
    const load = watchOverload(fell);
    load.batch(null);
    expect(load.overloaded).toBe(false);
    expect(fell).not.toHaveBeenCalled();
    load.batch(gap);
    load.batch(gap);
    expect(load.overloaded).toBe(true);
    load.batch(null);
    expect(load.overloaded).toBe(false);
    expect(fell).toHaveBeenCalledTimes(1);
    load.batch(null);
    expect(fell).toHaveBeenCalledTimes(1);
  });

  it('takes a quiet spell after a gap for the end of the load: a load that stops sends nothing more', () => {
    const fell = vi.fn();
    const load = watchOverload(fell);
    load.batch(gap);
    vi.advanceTimersByTime(OVERLOAD_QUIET_MS - 1);
    // Batches keep the spell from ending.
    load.batch(gap);
    vi.advanceTimersByTime(OVERLOAD_QUIET_MS - 1);
    expect(fell).not.toHaveBeenCalled();
    expect(load.overloaded).toBe(true);
    vi.advanceTimersByTime(1);
    expect(fell).toHaveBeenCalledTimes(1);
    expect(load.overloaded).toBe(false);
    // Disposed: nothing is called after.
    load.batch(gap);
    load.dispose();
    vi.advanceTimersByTime(OVERLOAD_QUIET_MS * 2);
    expect(fell).toHaveBeenCalledTimes(1);
  });
});
