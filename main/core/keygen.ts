import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningAlg } from '../../shared/signing';
import type { KeyRecord } from './store/keys';

// Apart from the key store (store/keys.ts), which loads the database: the CLI's launcher generates a
// fresh start's key before the rest of the CLI is loaded (main/cli/start-key.ts).

/** Only the public members of a JWK, whatever the key type. */
export function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...rest } = jwk;
  return rest;
}

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
