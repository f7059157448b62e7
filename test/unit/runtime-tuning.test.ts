import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sizeThreadPool } from '../../main/cli/runtime-tuning';

describe('CLI thread pool size', () => {
  it('is one thread per core, at least one, at most libuv’s default of four', () => {
    const sized = (cores: number) => {
      const env: NodeJS.ProcessEnv = {};
      sizeThreadPool(env, cores);
      return env.UV_THREADPOOL_SIZE;
    };
    expect([1, 2, 3, 4, 5, 16].map(sized)).toEqual(['1', '2', '3', '4', '4', '4']);
  });

  it('leaves a size the user chose alone', () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '12' };
    sizeThreadPool(env, 2);
    expect(env.UV_THREADPOOL_SIZE).toBe('12');
  });
});

describe("the CLI's V8 young generation", () => {
  /** Young collections while a process allocates ~25 MB it keeps, as a start does, with or without the tuning. */
  function youngCollections(withTuning: boolean): number {
    const tuning = esbuild.buildSync({
      entryPoints: [path.join(__dirname, '..', '..', 'main', 'cli', 'runtime-tuning.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    }).outputFiles[0]?.text;
    const script = `${withTuning ? tuning : ''}
      const { PerformanceObserver, constants } = require('node:perf_hooks');
      let young = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) young++;
      }).observe({ entryTypes: ['gc'] });
      globalThis.kept = [];
      for (let i = 0; i < 400000; i++) globalThis.kept.push({ i, text: 'kept ' + i });
      setTimeout(() => process.stdout.write(String(young)), 100);`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return Number(result.stdout);
  }

  it('grows to its largest size at once: fewer young collections copy what a start keeps', () => {
    const tuned = youngCollections(true);
    const untuned = youngCollections(false);
    expect(tuned).toBeGreaterThan(0);
    expect(tuned).toBeLessThan(untuned);
  }, 30_000); // two Node processes, on a machine shared with other work
});
