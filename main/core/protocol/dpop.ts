import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { seconds } from '../lib/clock';
import type { ProviderContext } from '../provider/context';
import { embeddedKey, embeddedKeyThumbprint } from './dpop-keys';
import {
  dpopNonceNeeded,
  dpopNonceNeededAtResource,
  invalidDpopProof,
  invalidDpopProofAtResource,
} from './errors';

/**
 * RFC 9449 DPoP proofs: a JWT the client signs with its own key for each request, carrying that public
 * key in its header. A token issued with one is bound to the key (`cnf.jkt`, its RFC 7638 thumbprint),
 * so a stolen token is useless without the private key.
 */

/** Asymmetric algorithms only (RFC 9449 §4.2: a MAC would need a secret shared with the server). */
export const DPOP_SIGNING_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
] as const;
const ALLOWED_ALGS: readonly string[] = DPOP_SIGNING_ALGS;

/**
 * How far a proof's iat may be from provider time, either way. Proofs are made just before each request
 * (RFC 9449 §11.1), so a minute covers a slow client clock; it also bounds how long a jti is remembered.
 */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/** Longer ids are refused rather than remembered: the replay cache holds them all for the window. */
const MAX_JTI_LENGTH = 256;

/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A verified proof: the thumbprint of the key it was signed with. */
export interface DpopProof {
  jkt: string;
}

/** RFC 9449 §4.3 `ath`: base64url SHA-256 of the access token's ASCII value. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** The `cnf.jkt` a token carries (JWT payload or a reference token's stored claims), if it is DPoP-bound. */
export function boundJkt(claims: Record<string, unknown>): string | null {
  const cnf = claims.cnf;
  if (typeof cnf !== 'object' || cnf === null) return null;
  const jkt = (cnf as Record<string, unknown>).jkt;
  return typeof jkt === 'string' ? jkt : null;
}

/** Endpoint URLs by issuer and path, each parsed once (a proof comes with every DPoP request). */
const endpointUrls = new Map<string, string>();

/** The URL a proof's htu must name: the endpoint under the issuer, without query or fragment. */
function endpointUrl(ctx: ProviderContext, request: FastifyRequest): string {
  const joined = `${ctx.issuer()}${request.routeOptions.url ?? request.url.split('?')[0]}`;
  let url = endpointUrls.get(joined);
  if (url === undefined) {
    url = new URL(joined).href;
    if (endpointUrls.size >= 256) endpointUrls.clear();
    endpointUrls.set(joined, url);
  }
  return url;
}

/**
 * RFC 9449 §4.3 item 9: htu compared without query and fragment, after URL normalisation. An htu that
 * is already the endpoint's URL exactly (what clients send) normalises to itself, so it is not parsed.
 */
function normalisedHtu(htu: unknown, expected: string): string | null {
  if (htu === expected) return expected;
  if (typeof htu !== 'string') return null;
  try {
    const url = new URL(htu);
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/** What a header check refuses, in words; null when the header is a DPoP proof header we accept. */
function headerProblem(proof: string): string | null {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    return 'The DPoP header is not a JWT (header.payload.signature, base64url).';
  }
  if (header.typ !== 'dpop+jwt') {
    return `The DPoP proof's typ must be "dpop+jwt" (got ${JSON.stringify(header.typ ?? null)}).`;
  }
  if (typeof header.alg !== 'string' || !ALLOWED_ALGS.includes(header.alg)) {
    return `The DPoP proof's alg ${JSON.stringify(header.alg ?? null)} is not allowed; use one of ${ALLOWED_ALGS.join(', ')} (asymmetric only).`;
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null) {
    return 'The DPoP proof has no "jwk" header: it must carry the public key it is signed with.';
  }
  const secret = PRIVATE_MEMBERS.filter((name) => Object.hasOwn(jwk, name));
  if (secret.length) {
    return `The DPoP proof's jwk must be a public key; it has private members (${secret.join(', ')}).`;
  }
  return null;
}

/** jose's verdict on signature and claims, in the words a client developer needs. */
function verifyProblem(error: unknown): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'The DPoP proof signature does not verify with the jwk in its own header (signed by another key?).';
  }
  if (error instanceof errors.JWTClaimValidationFailed)
    return `The DPoP proof's ${error.claim} is invalid: ${error.reason}.`;
  if (error instanceof errors.JOSEError) return `The DPoP proof is invalid: ${error.message}.`;
  throw error;
}

interface ProofClaims {
  htm?: unknown;
  htu?: unknown;
  iat?: unknown;
  jti?: unknown;
  ath?: unknown;
  nonce?: unknown;
}

/** htm, htu, iat and (at a resource) ath: the checks that tie a proof to this request. */
function claimProblem(
  ctx: ProviderContext,
  request: FastifyRequest,
  claims: ProofClaims,
  accessToken: string | null,
): string | null {
  if (claims.htm !== request.method) {
    return `The DPoP proof's htm ${JSON.stringify(claims.htm ?? null)} does not match the request method ${request.method}.`;
  }
  const expected = endpointUrl(ctx, request);
  if (normalisedHtu(claims.htu, expected) !== expected) {
    return `The DPoP proof's htu ${JSON.stringify(claims.htu ?? null)} does not match this endpoint, ${expected} (query and fragment are ignored).`;
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))
    return 'The DPoP proof has no numeric iat.';
  const skew = claims.iat - seconds(ctx.clock);
  if (Math.abs(skew) > DPOP_IAT_WINDOW_SECONDS) {
    const when = skew < 0 ? `${-Math.round(skew)} s old` : `${Math.round(skew)} s in the future`;
    return `The DPoP proof's iat is ${when}; it must be within ${DPOP_IAT_WINDOW_SECONDS} s of provider time (make a new proof for each request).`;
  }
  if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > MAX_JTI_LENGTH) {
    return `The DPoP proof needs a jti: a unique string of at most ${MAX_JTI_LENGTH} characters.`;
  }
  if (accessToken === null) return null;
  if (claims.ath === undefined) {
    return 'The DPoP proof has no ath: at a resource it must carry the hash of the access token (RFC 9449 §4.2).';
  }
  if (claims.ath !== accessTokenHash(accessToken)) {
    return "The DPoP proof's ath is not the SHA-256 hash (base64url) of the access token it is sent with.";
  }
  return null;
}

/** Where a proof is checked: the token endpoint (400 errors) or a protected resource (401 challenges). */
interface ProofCheck {
  /** At a resource: the access token sent with the proof (its hash must be the proof's `ath`). */
  accessToken: string | null;
  /** RFC 9449 §8: the proof must carry the current DPoP-Nonce (a client option). */
  nonceRequired: boolean;
}

/** The errors of one place: 400 at the token endpoint, 401 with a DPoP challenge at a resource. */
function refusals(atResource: boolean, ctx: ProviderContext) {
  return {
    invalid: (description: string) =>
      atResource ? invalidDpopProofAtResource(description, DPOP_SIGNING_ALGS) : invalidDpopProof(description),
    nonceNeeded: (description: string) => {
      const nonce = ctx.dpopProofs.nonce();
      return atResource
        ? dpopNonceNeededAtResource(description, nonce, DPOP_SIGNING_ALGS)
        : dpopNonceNeeded(description, nonce);
    },
  };
}

/** RFC 9449 §8: what is wrong with the proof's nonce, if one is required; null when it is accepted. */
function nonceProblem(ctx: ProviderContext, nonce: unknown): string | null {
  if (nonce === undefined) {
    return 'This client must put the server-provided nonce in its DPoP proofs: use the DPoP-Nonce header of this answer.';
  }
  if (typeof nonce !== 'string' || !ctx.dpopProofs.nonceAccepted(nonce)) {
    return "The DPoP proof's nonce is not (or no longer) valid: use the DPoP-Nonce header of this answer.";
  }
  return null;
}

/**
 * Verifies the request's DPoP proof (RFC 9449 §4.3) and returns its key's thumbprint. Call only when
 * the request has a DPoP header (or must have one): requests without one pay nothing.
 */
export async function verifyDpopProof(
  ctx: ProviderContext,
  request: FastifyRequest,
  check: ProofCheck,
): Promise<DpopProof> {
  const refuse = refusals(check.accessToken !== null, ctx);
  const proof = request.headers.dpop;
  if (typeof proof !== 'string' || proof === '')
    throw refuse.invalid('Send one DPoP proof in the DPoP header.');
  // Node joins repeated headers with ", "; a JWT holds neither character.
  if (proof.includes(',')) throw refuse.invalid('Send exactly one DPoP header (RFC 9449 §4.3).');
  const problem = headerProblem(proof);
  if (problem) throw refuse.invalid(problem);
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    verified = await jwtVerify(proof, embeddedKey, {
      typ: 'dpop+jwt',
      algorithms: [...ALLOWED_ALGS],
      currentDate: new Date(ctx.clock.now()),
    });
  } catch (error) {
    throw refuse.invalid(verifyProblem(error));
  }
  const claims = verified.payload as ProofClaims;
  const claimFault = claimProblem(ctx, request, claims, check.accessToken);
  if (claimFault) throw refuse.invalid(claimFault);
  // Checked last, so a client learns of a wrong proof before it is asked for a nonce.
  const nonceFault = check.nonceRequired ? nonceProblem(ctx, claims.nonce) : null;
  if (nonceFault) throw refuse.nonceNeeded(nonceFault);
  const jkt = await embeddedKeyThumbprint(verified.protectedHeader);
  // Only a proof that passed every check is remembered, for as long as its iat is accepted.
  const now = seconds(ctx.clock);
  const acceptedUntil = (claims.iat as number) + DPOP_IAT_WINDOW_SECONDS;
  if (!ctx.dpopProofs.replay.claim(jkt, claims.jti as string, acceptedUntil, now)) {
    throw refuse.invalid(
      'The DPoP proof was already used (its jti was seen): make a new proof for each request.',
    );
  }
  return { jkt };
}
