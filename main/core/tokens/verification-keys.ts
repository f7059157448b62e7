import { createLocalJWKSet } from 'jose';
import type { KeyRecord } from '../store/keys';

/** What jose's verify calls take for the provider's own published keys. */
export interface VerificationKeys {
  jwks: ReturnType<typeof createLocalJWKSet>;
  /** The published keys' algorithms, each once: the allow-list a verification passes to jose. */
  algorithms: string[];
}

/**
 * One JWK set per published key list. jose's local JWK set imports each public key on first use and
 * keeps it, but only for that set: building a new set for every JWT imported the key again each time
 * (`ecImportKey` alone was 15% of a token exchange's main-thread time). The key store hands out the same
 * (frozen) list until a key changes, so the list itself is the cache key: a new list after a rotation,
 * staging or retirement gets a new set, and the old one is collected with its list.
 */
const byList = new WeakMap<readonly KeyRecord[], VerificationKeys>();

export function verificationKeys(published: readonly KeyRecord[]): VerificationKeys {
  let keys = byList.get(published);
  if (!keys) {
    keys = {
      jwks: createLocalJWKSet({ keys: published.map((key) => key.public_jwk) }),
      algorithms: [...new Set(published.map((key) => key.alg))],
    };
    byList.set(published, keys);
  }
  return keys;
}
