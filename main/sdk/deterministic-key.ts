import { createECDH, createPrivateKey, hkdfSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import type { KeyExport } from '../../shared/schemas';

/** The algorithms a key can be derived for: their private key is any 32-byte value (almost surely). */
export const DETERMINISTIC_ALGS = ['ES256', 'EdDSA'] as const;
export type DeterministicAlg = (typeof DETERMINISTIC_ALGS)[number];

// An Ed25519 private key is its 32-byte seed; PKCS#8 (RFC 8410 §7) wraps it after this fixed header.
const ED25519_PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * 32 bytes that depend only on `seed` and `alg` (HKDF-SHA-256, RFC 5869): the same seed gives the same
 * key on every run and machine, a different alg a different key.
 */
function privateBytes(seed: string, alg: DeterministicAlg): Buffer {
  return Buffer.from(hkdfSync('sha256', seed, 'idp-sandbox deterministic signing key', alg, 32));
}

/** Node computes the public part; the JWK comes out of jose. No key math happens here. */
async function privateJwk(bytes: Buffer, alg: DeterministicAlg): Promise<JWK> {
  if (alg === 'EdDSA') {
    const key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_HEADER, bytes]),
      format: 'der',
      type: 'pkcs8',
    });
    return exportJWK(key);
  }
  // P-256: OpenSSL derives the public point from the scalar (and refuses one out of range, which
  // HKDF output is with a chance of about 2^-32); the uncompressed point is 0x04 ‖ x ‖ y.
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(bytes);
  const point = ecdh.getPublicKey();
  return {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
    d: bytes.toString('base64url'),
  };
}

/**
 * A signing key derived from a seed string, in the workspace format (`keys` of a seed), so the engine
 * imports it like any seeded key: same seed, same key, same kid and JWKS.
 */
export async function deterministicKey(seed: string, alg: DeterministicAlg, now: Date): Promise<KeyExport> {
  if (seed.length === 0) throw new Error('deterministicKeys must be a non-empty string.');
  const jwk = await privateJwk(privateBytes(seed, alg), alg);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    alg,
    status: 'current',
    created_at: now.toISOString(),
    private_jwk: { ...jwk, kid, alg, use: 'sig' },
  };
}
