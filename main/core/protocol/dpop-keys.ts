import { calculateJwkThumbprint, EmbeddedJWK, type JWK, type JWSHeaderParameters } from 'jose';

/**
 * The public keys DPoP proofs carry in their header, imported once. A client signs every proof with
 * the same key (a token stays bound to it), so importing the header's JWK and hashing its RFC 7638
 * thumbprint anew for each proof was a sixth of issuing a DPoP-bound token: an EC import and a digest
 * job per request. jose's EmbeddedJWK is a function of the header's `alg` and `jwk` alone, so the key
 * it gives (or the error it throws) is the same for the same two; that pair, exactly as sent, is the
 * cache key. Nothing secret is kept: these are public keys, and a proof still has its own signature
 * verified with the key.
 */
interface EmbeddedKey {
  key: ReturnType<typeof EmbeddedJWK>;
  jkt: Promise<string> | null;
}

/** Keys kept; a workload with more live DPoP clients than this imports some keys again, nothing more. */
const MAX_KEYS = 1024;
const keys = new Map<string, EmbeddedKey>();

function entryFor(header: JWSHeaderParameters): EmbeddedKey {
  const id = `${String(header.alg)}\u0000${JSON.stringify(header.jwk)}`;
  let entry = keys.get(id);
  if (entry === undefined) {
    const key = EmbeddedJWK(header);
    entry = { key, jkt: null };
    // A header jose refuses is not kept: the refusal is cheap, and the cache holds only usable keys.
    key.catch(() => {
      if (keys.get(id) === entry) keys.delete(id);
    });
    // Oldest first out (Map keeps insertion order).
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(id, entry);
  }
  return entry;
}

/** jose's EmbeddedJWK (the key in the proof's own header), imported once per alg and JWK. */
export function embeddedKey(header: JWSHeaderParameters): ReturnType<typeof EmbeddedJWK> {
  return entryFor(header).key;
}

/** The RFC 7638 SHA-256 thumbprint of a verified proof's header key, computed once per key. */
export function embeddedKeyThumbprint(header: JWSHeaderParameters): Promise<string> {
  const entry = entryFor(header);
  entry.jkt ??= calculateJwkThumbprint(header.jwk as JWK, 'sha256');
  return entry.jkt;
}
