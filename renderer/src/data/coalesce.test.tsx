import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { createCoalescer } from './coalesce';

/** Lets `ms` pass on the fake clock (settling the promises due by then), then counts the runs so far. */
async function expectRunsAfter(ms: number, run: Mock, times: number) {
  await vi.advanceTimersByTimeAsync(ms);
  expect(run).toHaveBeenCalledTimes(times);
}

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
    const finishRun = async () => {
      finish.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    };
    const c = createCoalescer(run, () => 1000);

    c.trigger();
    c.trigger();
    c.trigger();
    await expectRunsAfter(0, run, 1);

    // Events while the first request is in flight: no second request at the same time.
    c.trigger();
    c.trigger();
    await expectRunsAfter(5000, run, 1);

    // The first run started 5 s ago, longer than the interval: the follow-up starts at once.
    await finishRun();
    expect(run).toHaveBeenCalledTimes(2);
    await finishRun();

    // The next trigger waits out the interval since the last start.
    c.trigger();
    await expectRunsAfter(500, run, 2);
    await expectRunsAfter(600, run, 3);
    await finishRun();

    // Nothing more without a trigger; nothing after dispose.
    await expectRunsAfter(10_000, run, 3);
    c.trigger();
    c.dispose();
    await expectRunsAfter(10_000, run, 3);
  });

  it('keeps going after a failed run', async () => {
    const run = vi.fn().mockRejectedValueOnce(new Error('engine down')).mockResolvedValue(undefined);
    const c = createCoalescer(run, () => 0);
    c.trigger();
    await vi.advanceTimersByTimeAsync(0);
    c.trigger();
    await expectRunsAfter(0, run, 2);
  });
});
