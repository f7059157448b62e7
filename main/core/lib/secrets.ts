import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

// Every random value and every secret comparison in the engine: one pool, one hash, one compare.

/**
 * Bytes from the system CSPRNG, fetched 8 KiB at a time: one call per token value was a measurable
 * share of issuing a reference token (node:crypto does the same for randomUUID). Every byte is handed
 * out once, and the pool is refilled, never reused.
 */
const RANDOM_POOL_BYTES = 8192;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
export function randomBytesFromPool(length: number): { bytes: Buffer; offset: number } {
  if (randomOffset + length > randomPool.length) {
    randomPool = randomFillSync(Buffer.allocUnsafe(RANDOM_POOL_BYTES));
    randomOffset = 0;
  }
  const offset = randomOffset;
  randomOffset += length;
  return { bytes: randomPool, offset };
}

/** ≥128 bits of randomness for every opaque value (we use 256): 43 base64url characters. */
export function randomToken(): string {
  const { bytes, offset } = randomBytesFromPool(32);
  return bytes.toString('base64url', offset, offset + 32);
}

/** Opaque values and secrets are stored only as this hash, so a copy of the database holds no usable token. */
export function hashTokenValue(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** Whether `secret` is the one whose hash was stored; constant time in the secret. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'base64url');
  const given = hash('sha256', secret, 'buffer');
  return expected.length === given.length && timingSafeEqual(given, expected);
}

/** Constant-time comparison that also hides the length of the expected value. */
export function safeEqual(given: string, expected: string): boolean {
  // One-shot hashes: this runs on every client authentication, and a Hash object each was measurable.
  return timingSafeEqual(hash('sha256', given, 'buffer'), hash('sha256', expected, 'buffer'));
}
