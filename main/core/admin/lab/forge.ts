/**
 * The JOSE work of the bad-token factory, all of it through jose: signing with one of the provider's
 * keys, with a throwaway key the provider never published, with an HMAC secret made of the provider's
 * public key, and the unsigned and tampered forms. Nothing here touches the database.
 */
import {
  base64url,
  type CompactJWSHeaderParameters,
  CompactSign,
  type CryptoKey,
  exportSPKI,
  importJWK,
  type JWK,
} from 'jose';
import type { SigningAlg } from '../../../../shared/schemas';
import type { KeyRecord } from '../../store/keys';
import { generateSigningKey } from '../../tokens/keygen';

export type JoseObject = Record<string, unknown>;

/** A key a bad token is signed with: the private key (or HMAC secret) and what the header names. */
export interface ForgeKey {
  kid: string;
  alg: string;
  key: CryptoKey | Uint8Array;
  /** The public JWK (a throwaway key's, for the embedded `jwk` header). */
  publicJwk: JWK;
}

const encoder = new TextEncoder();

/** JSON as a JWT carries it: members set to undefined are left out (how a recipe removes a claim). */
const json = (value: JoseObject) => JSON.stringify(value);

/**
 * Signs `payload` under `header` with `key`. Extension names the header lists in `crit` are declared
 * understood to jose, which otherwise refuses to produce a header it could not process itself.
 */
export async function signJws(
  payload: JoseObject,
  header: JoseObject,
  key: ForgeKey['key'],
): Promise<string> {
  const crit = Array.isArray(header.crit) ? header.crit.map(String) : [];
  const protectedHeader = JSON.parse(json(header)) as CompactJWSHeaderParameters;
  return new CompactSign(encoder.encode(json(payload)))
    .setProtectedHeader(protectedHeader)
    .sign(key, crit.length ? { crit: Object.fromEntries(crit.map((name) => [name, true])) } : undefined);
}

/**
 * An unsecured JWS (RFC 7515 §A.5, RFC 7519 §6.1): header and payload, empty signature. jose's
 * UnsecuredJWT always writes the header `{"alg":"none"}` alone; this keeps the rest of the header
 * (typ, kid) so that `alg` is the only thing that differs from a good token. No cryptography involved.
 */
export function unsecuredJws(payload: JoseObject, header: JoseObject): string {
  return `${base64url.encode(json({ ...header, alg: 'none' }))}.${base64url.encode(json(payload))}.`;
}

/** The same JWS with its payload segment replaced after signing: the signature no longer matches. */
export function replacePayload(jws: string, payload: JoseObject): string {
  const [header, , signature] = jws.split('.');
  return `${header}.${base64url.encode(json(payload))}.${signature}`;
}

/** One of the provider's own keys (current or retired), imported to sign. */
export async function providerKey(key: KeyRecord): Promise<ForgeKey> {
  return {
    kid: key.kid,
    alg: key.alg,
    key: (await importJWK(key.private_jwk, key.alg)) as CryptoKey,
    publicJwk: key.public_jwk,
  };
}

/**
 * The HMAC secret of an algorithm-confusion attack (RFC 8725 §2.1): the provider's public key as a
 * resource server that takes "the key" as bytes would misuse it, its SPKI PEM text.
 */
export async function publicKeyAsHmacSecret(key: KeyRecord): Promise<ForgeKey> {
  const publicKey = (await importJWK({ ...key.public_jwk, ext: true }, key.alg)) as CryptoKey;
  return {
    kid: key.kid,
    alg: 'HS256',
    key: encoder.encode(await exportSPKI(publicKey)),
    publicJwk: key.public_jwk,
  };
}

/**
 * A key of the provider's algorithm that no JWKS of any provider ever held, made by the same key
 * generator as real keys (so its kid is its thumbprint). One per algorithm per process: generating an
 * RSA key takes up to most of a second, and a throwaway key needs no freshness.
 */
const throwawayKeys = new Map<SigningAlg, Promise<ForgeKey>>();

export function throwawayKey(alg: SigningAlg): Promise<ForgeKey> {
  let key = throwawayKeys.get(alg);
  if (!key) {
    key = generateSigningKey(alg, 0).then(providerKey);
    throwawayKeys.set(alg, key);
    // A failed generation is not kept: the next call tries again.
    key.catch(() => throwawayKeys.delete(alg));
  }
  return key;
}
