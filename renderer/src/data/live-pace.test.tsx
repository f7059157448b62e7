import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGapPace, GAP_MAX_WAIT_MS } from './live-pace';

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
