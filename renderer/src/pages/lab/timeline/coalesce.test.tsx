import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from './coalesce';

describe('createCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('folds a burst into one run, and a trigger during a run into exactly one more, spaced by the interval', async () => {
    const finish: Array<() => void> = [];
    const run = vi.fn(() => new Promise<void>((resolve) => finish.push(resolve)));
    const c = createCoalescer(run, () => 1000);

    c.trigger();
    c.trigger();
    c.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);

    // Events while the first request is in flight: no second request at the same time.
    c.trigger();
    c.trigger();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);

    finish.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    // The first run started 5 s ago, longer than the interval: the follow-up starts at once.
    expect(run).toHaveBeenCalledTimes(2);
    finish.shift()?.();
    await vi.advanceTimersByTimeAsync(0);

    // The next trigger waits out the interval since the last start.
    c.trigger();
    await vi.advanceTimersByTimeAsync(500);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(600);
    expect(run).toHaveBeenCalledTimes(3);
    finish.shift()?.();
    await vi.advanceTimersByTimeAsync(0);

    // Nothing more without a trigger; nothing after dispose.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(3);
    c.trigger();
    c.dispose();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('keeps going after a failed run', async () => {
    const run = vi.fn().mockRejectedValueOnce(new Error('engine down')).mockResolvedValue(undefined);
    const c = createCoalescer(run, () => 0);
    c.trigger();
    await vi.advanceTimersByTimeAsync(0);
    c.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
