import { createLocalJWKSet, decodeProtectedHeader, importJWK } from 'jose';
import type { KeyRecord } from '../store/keys';

type PublicKey = Awaited<ReturnType<typeof importJWK>>;

/** What jose's verify calls take for the provider's own published keys. */
export interface VerificationKeys {
  jwks: ReturnType<typeof createLocalJWKSet>;
  /** The published keys' algorithms, each once: the allow-list a verification passes to jose. */
  algorithms: string[];
  /**
   * The imported public key a compact JWS of ours names by its `kid` (the only key when just one is
   * published), or null when none is published under that kid. jose still checks the signature and
   * the algorithm against the allow-list; this only spares the JWK set's per-call key search.
   */
  keyFor(jws: string): Promise<PublicKey> | null;
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
    const byKid = new Map<string, Promise<PublicKey>>();
    const imported = (key: KeyRecord): Promise<PublicKey> => {
      let found = byKid.get(key.kid);
      if (!found) {
        found = importJWK(key.public_jwk, key.alg);
        byKid.set(key.kid, found);
        // A failed import is not kept: the next JWS naming this key tries again (and fails alike).
        found.catch(() => byKid.delete(key.kid));
      }
      return found;
    };
    const only = published.length === 1 ? published[0] : undefined;
    keys = {
      jwks: createLocalJWKSet({ keys: published.map((key) => key.public_jwk) }),
      algorithms: [...new Set(published.map((key) => key.alg))],
      keyFor: (jws) => {
        // One key: no header to read first (a JWS under another kid fails jose's signature check).
        if (only) return imported(only);
        const { kid } = decodeProtectedHeader(jws);
        const key = published.find((k) => k.kid === kid);
        return key ? imported(key) : null;
      },
    };
    byList.set(published, keys);
  }
  return keys;
}
