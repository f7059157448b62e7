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

/**
 * RFC 9068 §2.2.3.1 takes these from SCIM (RFC 7643 §4.1.2) for access tokens: what the user may do.
 * No OpenID Connect scope grants them; here they come from the user's own claims.
 */
const AUTHORIZATION_CLAIMS = new Set(['roles', 'groups', 'entitlements']);
const PROFILE = new Set(
  STANDARD_CLAIMS.map((claim) => claim.name).filter((name) => !AUTHORIZATION_CLAIMS.has(name)),
);

/** A claim in plain words: registered claims explained, profile and custom claims named as such. */
export function explainClaim(name: string): string {
  const known = CLAIM_EXPLANATIONS[name];
  if (known) return known;
  if (AUTHORIZATION_CLAIMS.has(name))
    return 'Authorization attribute (RFC 9068 §2.2.3.1, names from SCIM): what the user may do. No OpenID Connect scope grants it; it comes from the user’s claims, and each API decides what it allows.';
  if (PROFILE.has(name))
    return 'Standard OpenID Connect claim about the user (OIDC Core §5.1, granted by a scope like profile or email).';
  return 'Custom claim: not registered; its meaning is agreed between this issuer and the APIs that read it.';
}
