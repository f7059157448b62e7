import type { JWK } from 'jose';

/** Only the public members of a JWK, whatever the key type. */
export function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...rest } = jwk;
  return rest;
}
