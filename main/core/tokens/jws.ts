import { CompactSign, importJWK, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';

/** The protected header of every JWT we sign: the key's algorithm and id, and the token type. */
export interface SigningHeader extends JWTHeaderParameters {
  alg: string;
  kid: string;
  typ: string;
}

/** One signing job as it crosses to a signing worker (structured clone). */
export interface SignJob {
  /** Pairs the answer with its job (a worker may have several in flight). */
  id: number;
  payload: JWTPayload;
  header: SigningHeader;
  /** The private JWK of the key named by `header.kid`; imported once per kid on the signing side. */
  jwk: JWK;
}

/** A signing worker's answer to one job. */
export type SignReply = { id: number; jws: string } | { id: number; error: string };

type KeyMaterial = Awaited<ReturnType<typeof importJWK>>;

/** Keys kept imported; a few rotations' worth (old keys are only needed while they are current). */
const KEY_CACHE_SIZE = 8;

/**
 * Signs JWTs with jose, importing each private key once per kid. The same code runs in process and in
 * every signing worker. A kid names one key only within one store: a workspace import may bring a
 * different key under a kid seen before, so a cached key is reused only while the JWK still matches.
 */
export function createJwtSigner(): (job: Omit<SignJob, 'id'>) => Promise<string> {
  const keys = new Map<string, { jwk: JWK; alg: string; material: Promise<KeyMaterial> }>();

  const keyFor = (jwk: JWK, alg: string, kid: string): Promise<KeyMaterial> => {
    const cached = keys.get(kid);
    if (cached && cached.alg === alg && sameKey(cached.jwk, jwk)) return cached.material;
    const material = importJWK(jwk, alg);
    keys.delete(kid);
    keys.set(kid, { jwk, alg, material });
    // A failed import is not kept: the next job with this key tries again.
    material.catch(() => {
      if (keys.get(kid)?.material === material) keys.delete(kid);
    });
    if (keys.size > KEY_CACHE_SIZE) keys.delete(keys.keys().next().value as string);
    return material;
  };

  // CompactSign over the payload's JSON is what SignJWT produces, byte for byte, without SignJWT's copy
  // and re-validation of claims this engine built itself: those were a tenth of issuing an ES256 JWT.
  const encoder = new TextEncoder();
  return async ({ payload, header, jwk }) =>
    new CompactSign(encoder.encode(JSON.stringify(payload)))
      .setProtectedHeader(header)
      .sign(await keyFor(jwk, header.alg, header.kid));
}

/** The private and public members that identify a key, for RSA, EC and OKP JWKs alike. */
function sameKey(a: JWK, b: JWK): boolean {
  return a.kty === b.kty && a.d === b.d && a.n === b.n && a.x === b.x && a.y === b.y && a.crv === b.crv;
}
