import os from 'node:os';
import v8 from 'node:v8';

/**
 * Sizes libuv's thread pool for this machine unless the user set UV_THREADPOOL_SIZE. WebCrypto (jose)
 * signs every JWT in that pool. On two cores, interleaved runs (5 rounds each) issued RS256 tokens at a
 * median 2,223/s with one pool thread, 2,818/s with two and 2,577/s with libuv's default of four; ES256
 * at 6,294, 6,444 and 5,577/s. More threads than cores take CPU from the one thread that runs
 * everything else, fewer leave a core idle while RSA signatures queue. So: one thread per core, never
 * more than libuv's default. libuv reads the variable once, when the pool first starts, which is why
 * the CLI entry imports this module before any other.
 */
export function sizeThreadPool(
  env: NodeJS.ProcessEnv = process.env,
  cores = os.availableParallelism(),
): void {
  if (env.UV_THREADPOOL_SIZE) return;
  env.UV_THREADPOOL_SIZE = String(Math.min(4, Math.max(1, cores)));
}

/**
 * Lets V8's heap grow to at most twice what was live after the last full collection, instead of up to
 * four times on a machine with much memory. Under load the engine's live heap stays near 20 MB while
 * the garbage between full collections reached 60 MB more: with this, the RSS peak with 1,000,000 stored
 * tokens went from 173 to under 150 MB at the same request rate (docs/BENCHMARKS.md). V8 reads this flag
 * each time it sizes the heap, so setting it at start-up takes effect.
 */
export const HEAP_GROWING_PERCENT = 100;

export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

sizeThreadPool();
limitHeapGrowth();
