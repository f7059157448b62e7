/**
 * The JWS algorithms the engine signs with. Kept apart from the zod schemas (shared/schemas.ts builds
 * its enum from this list) so that code running before those load can use it: the CLI begins a fresh
 * start's signing key before it loads the engine (main/cli/index.ts).
 */
export const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

export function isSigningAlg(value: unknown): value is SigningAlg {
  return (SIGNING_ALGS as readonly unknown[]).includes(value);
}
