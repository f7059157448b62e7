import type { JSONWebKeySet } from 'jose';
import type { AdminOutput } from '../../../../../shared/contract';
import { inspectJwt } from '../../../../../shared/jwt-inspect';
import { adminApi } from '../../../api';

export type Minted = AdminOutput<'tokens.mint'>;

export interface PairCheck {
  /** The JWT checked the way an API that verifies locally does: signature with the JWKS, iss and exp. */
  jwtVerifies: boolean;
  jwtSignatureValid: boolean | null;
  jwtExpired: boolean;
  jwtIntrospectionActive: boolean;
  referenceIntrospectionActive: boolean;
}

/** Checks both tokens now: the JWT locally and by introspection, the reference token by introspection. */
export async function checkPair(
  pair: { jwt: Minted; reference: Minted },
  jwks: JSONWebKeySet,
  issuer: string,
): Promise<PairCheck> {
  const [local, jwtLookup, refLookup] = await Promise.all([
    inspectJwt(pair.jwt.value, { jwks, expectedIssuer: issuer }),
    adminApi.tokens.lookup({ value: pair.jwt.value }),
    adminApi.tokens.lookup({ value: pair.reference.value }),
  ]);
  const errors = local.findings.filter((f) => f.level === 'error');
  return {
    jwtVerifies: local.signatureValid === true && errors.length === 0,
    jwtSignatureValid: local.signatureValid,
    jwtExpired: local.findings.some((f) => f.code === 'expired'),
    jwtIntrospectionActive: jwtLookup.introspection.active === true,
    referenceIntrospectionActive: refLookup.introspection.active === true,
  };
}
