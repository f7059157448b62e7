import os from 'node:os';
import v8 from 'node:v8';

/**
 * Sizes libuv's thread pool for this machine unless the user set UV_THREADPOOL_SIZE. WebCrypto (jose)
 * signs every JWT in that pool. More threads than cores take CPU from the one thread that runs
 * everything else, fewer leave a core idle while RSA signatures queue (the measured runs are in
 * docs/BENCHMARKS.md). So: one thread per core, never more than libuv's default. libuv reads the
 * variable once, when the pool first starts, which is why the CLI entry imports this module before
 * any other.
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
 * four times on a machine with much memory. The engine's live heap is small next to the garbage
 * between full collections, so this keeps the RSS peak with many stored tokens within its target
 * (figures: docs/ARCHITECTURE.md, docs/BENCHMARKS.md). V8 reads this flag each time it sizes the heap,
 * so setting it at start-up takes effect.
 */
const HEAP_GROWING_PERCENT = 100;

function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * Lets V8's young generation grow from its first size (1 MB a semi-space) to its largest (16 MB) in
 * one step instead of doubling four times. A start allocates mostly objects that live as long as the
 * engine (modules, schemas, routes, prepared statements): in steps of 1, 2, 4 and 8 MB, each young
 * collection copied them again and promoted them, which took V8 to a full collection right after the
 * engine listened, when the first request came in. In one step a start makes 3 young collections
 * instead of 9 and no full one (bench/experiments/cold-start-parts.mjs). The cost: the young generation
 * is at its largest from the start, until V8 shrinks it when allocation slows down (RSS after a token
 * load: docs/ARCHITECTURE.md, Build). Read each time V8 grows it, so setting it at start-up takes effect.
 */
const SEMI_SPACE_GROWTH_FACTOR = 16;

function growYoungGenerationAtOnce(): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
}

sizeThreadPool();
limitHeapGrowth();
growYoungGenerationAtOnce();
