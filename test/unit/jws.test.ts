import { importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtSigner } from '../../main/core/tokens/jws';
import { generateSigningKey } from '../../main/core/tokens/keygen';

/**
 * The engine signs with jose's CompactSign over the payload's JSON instead of SignJWT (which copies
 * and re-validates the claims first). The token must be exactly what SignJWT makes.
 */
describe('createJwtSigner', () => {
  const payload = {
    iss: 'http://127.0.0.1:9400',
    sub: 'alice-sub',
    aud: ['orders-api', 'billing'],
    exp: 1_800_003_600,
    iat: 1_800_000_000,
    jti: '01kq0000000000000000000000',
    scope: 'openid profile',
    roles: ['admin'],
    tenant: { id: 7, name: 'Acme – “Ω”' },
  };

  it.each(['RS256', 'ES256', 'PS256', 'EdDSA'] as const)(
    '%s: the same header and claims as SignJWT, and it verifies',
    async (alg) => {
      const key = await generateSigningKey(alg, 0);
      const header = { alg, kid: key.kid, typ: 'at+jwt' };
      const ours = await createJwtSigner()({ payload, header, jwk: key.private_jwk });
      const theirs = await new SignJWT(payload)
        .setProtectedHeader(header)
        .sign(await importJWK(key.private_jwk, alg));
      // RS256 and EdDSA signatures are deterministic; ES256 and PS256 are randomised.
      if (alg === 'RS256' || alg === 'EdDSA') expect(ours).toBe(theirs);
      else expect(ours.split('.').slice(0, 2)).toEqual(theirs.split('.').slice(0, 2));
      const verified = await jwtVerify(ours, await importJWK(key.public_jwk, alg), { typ: 'at+jwt' });
      expect(verified.payload).toEqual(payload);
      expect(verified.protectedHeader).toEqual(header);
    },
  );
});
