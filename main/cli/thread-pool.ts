import os from 'node:os';

/**
 * Sizes libuv's thread pool for this machine unless the user set UV_THREADPOOL_SIZE. WebCrypto (jose)
 * signs every JWT in that pool, and its default of four threads on a two-core machine takes CPU from
 * the one thread that runs everything else: the benchmark measured more tokens per second with one
 * pool thread than with four there (docs/BENCHMARKS.md). So: one thread per core beyond the first,
 * never more than libuv's default. libuv reads the variable once, when the pool first starts, which is
 * why the CLI entry imports this module before any other.
 */
export function sizeThreadPool(
  env: NodeJS.ProcessEnv = process.env,
  cores = os.availableParallelism(),
): void {
  if (env.UV_THREADPOOL_SIZE) return;
  env.UV_THREADPOOL_SIZE = String(Math.min(4, Math.max(1, cores - 1)));
}

sizeThreadPool();
