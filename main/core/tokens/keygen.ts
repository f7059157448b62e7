import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningAlg } from '../../../shared/signing';
import { publicPart } from '../lib/jwk';
import type { KeyRecord } from '../store/keys';

// Also loaded by the CLI's launcher, which generates a fresh start's key before the rest of the CLI
// and the database are loaded (main/cli/start-key.ts): so nothing here may import a runtime module of
// the store (type imports are erased).

/**
 * Generates a key pair for `alg` (jose does all the key work). Key generation is async and slow for
 * RSA, so it happens before the transaction that stores the key.
 */
export async function generateSigningKey(alg: SigningAlg, now: number): Promise<KeyRecord> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg === 'RS256' || alg === 'PS256' ? { modulusLength: 2048 } : {}),
  });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  return {
    kid,
    alg,
    status: 'current',
    private_jwk: { ...privateJwk, kid, alg, use: 'sig' },
    public_jwk: { ...publicPart(privateJwk), kid, alg, use: 'sig' },
    created_at: now,
    retired_at: null,
    activates_at: null,
    // It starts signing when it is installed (or activated), not when it is made.
    activated_at: null,
  };
}
