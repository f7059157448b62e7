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
