import { CLAIM_EXPLANATIONS } from '../../../../../shared/jwt-inspect';
import { STANDARD_CLAIMS } from '../../../lib/claims';

/** What each JOSE header parameter means. */
export const HEADER_EXPLANATIONS: Record<string, string> = {
  alg: 'Algorithm: how the signature was made. A verifier must only accept the algorithms it expects, never "none".',
  typ: 'Type: "at+jwt" marks an RFC 9068 access token; "JWT" is any other JWT, such as an ID token.',
  kid: 'Key ID: which key of the issuer’s JWKS made the signature.',
  cty: 'Content type: set only for nested JWTs.',
  jku: 'A URL of a JWKS. Never fetch keys from a URL the token itself names.',
  x5u: 'A URL of a certificate chain. Never trust it blindly.',
  jwk: 'An embedded public key. Trusting it would let anyone sign tokens.',
  crit: 'Extensions the verifier must understand.',
};

const PROFILE = new Set(STANDARD_CLAIMS.map((claim) => claim.name));

/** A claim in plain words: registered claims explained, profile and custom claims named as such. */
export function explainClaim(name: string): string {
  const known = CLAIM_EXPLANATIONS[name];
  if (known) return known;
  if (PROFILE.has(name))
    return 'Standard OpenID Connect claim about the user (granted by a scope like profile or email).';
  return 'Custom claim: not registered; its meaning is agreed between this issuer and the APIs that read it.';
}
