import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A key that signs JWT assertions, and the public JWK a provider registers for it. */
export interface AssertionKeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function assertionKeyPair(alg: 'RS256' | 'ES256', kid: string): Promise<AssertionKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * An RSA key as the PEM file a client outside Node is handed (PKCS #8, or PKCS #1's "RSA PRIVATE
 * KEY"), and its public JWK (RS256) for the provider.
 */
export function rsaPemKey(kid: string, type: 'pkcs8' | 'pkcs1' = 'pkcs8') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pem: privateKey.export({ type, format: 'pem' }).toString(),
    publicJwk: async (): Promise<JWK> => ({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }),
  };
}

/** How a test changes an assertion from its usual shape. */
export interface AssertionOptions {
  claims?: Record<string, unknown>;
  omit?: string[];
  key?: CryptoKey | Uint8Array;
  header?: { alg: string; kid?: string };
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * An RS256 assertion from `iss` about `sub` for `aud` (iat now, exp in a minute, a fresh jti), signed
 * with `signer` (its kid in the header), changed as `options` say.
 */
export function signAssertion(
  base: { iss: string; sub: string; aud: string; signer: AssertionKeyPair },
  options: AssertionOptions = {},
): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: base.iss,
    sub: base.sub,
    aud: base.aud,
    iat: now(),
    exp: now() + 60,
    jti: randomUUID(),
    ...options.claims,
  };
  for (const name of options.omit ?? []) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader(options.header ?? { alg: 'RS256', kid: base.signer.publicJwk.kid })
    .sign(options.key ?? base.signer.privateKey);
}
