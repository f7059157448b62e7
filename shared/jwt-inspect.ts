/**
 * The token inspector's analysis: decodes any JWT, verifies its signature against a JWKS with jose,
 * and lists findings in plain words. Pure and transport-free so the UI (browser) and tests share it.
 */
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';

export type FindingLevel = 'ok' | 'info' | 'warning' | 'error';

export interface Finding {
  level: FindingLevel;
  /** Stable identifier, e.g. "expired", for tests and filtering. */
  code: string;
  message: string;
}

interface InspectOptions {
  /** The JWKS to verify against (the provider's, or one the user pasted). */
  jwks?: JSONWebKeySet | null;
  /** Issuer the token should come from. */
  expectedIssuer?: string | null;
  /** The API (audience) the token is about to be sent to. */
  expectedAudience?: string | null;
  /** "now" in milliseconds; tests pass a fixed value. */
  now?: number;
  /** Allowed clock skew in seconds when judging exp/nbf/iat. */
  clockSkewSeconds?: number;
  /**
   * Keys the issuer retired: no longer in its JWKS, so a token they signed cannot be checked at all.
   * Named, that is "cannot verify: key retired", not "signature invalid".
   */
  retiredKeys?: ReadonlyArray<{ kid: string; retired_at: string | null }>;
}

interface InspectResult {
  header: ProtectedHeaderParameters | null;
  payload: JWTPayload | null;
  signature: string | null;
  /** null when no JWKS was given, the token could not be decoded, or it cannot be checked (see unverifiable). */
  signatureValid: boolean | null;
  /** Why the signature cannot be checked either way, e.g. "key retired"; null otherwise. */
  unverifiable: string | null;
  findings: Finding[];
}

/** What each registered claim means, for the inspector's claim table. */
export const CLAIM_EXPLANATIONS: Record<string, string> = {
  iss: 'Issuer: who created and signed the token.',
  sub: 'Subject: the user (or, for machine tokens, the client) the token is about.',
  aud: 'Audience: who the token is meant for; a service must reject tokens not addressed to it.',
  exp: 'Expiration time: after this instant the token must be rejected.',
  nbf: 'Not before: the token must be rejected before this instant.',
  iat: 'Issued at: when the token was created.',
  jti: 'JWT ID: a unique identifier, used to detect replays and to look the token up.',
  client_id: 'The OAuth client the token was issued to (RFC 9068).',
  scope: 'Space-separated permissions granted to the client (RFC 9068).',
  auth_time: 'When the user last actively authenticated.',
  nonce: 'Value from the authorization request, echoed so the client can detect replayed ID tokens.',
  at_hash: 'Hash of the access token issued alongside this ID token; binds the two together.',
  sid: 'Session ID of the browser sign-in, used for logout.',
  amr: 'Authentication methods used, e.g. "pwd" for a password.',
  acr: 'Authentication context class: how strong the authentication was.',
  azp: 'Authorized party: the client the ID token was issued to.',
};

const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;

function splitCompact(token: string): string[] | null {
  const parts = token.trim().split('.');
  return parts.length === 3 ? parts : null;
}

export async function inspectJwt(token: string, options: InspectOptions = {}): Promise<InspectResult> {
  const findings: Finding[] = [];
  const parts = splitCompact(token);
  if (!parts) {
    return {
      header: null,
      payload: null,
      signature: null,
      signatureValid: null,
      unverifiable: null,
      findings: [
        {
          level: 'error',
          code: 'not_a_jwt',
          message:
            'This is not a JWT (a JWT has three dot-separated parts). It may be an opaque reference token.',
        },
      ],
    };
  }
  let header: ProtectedHeaderParameters;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch (error) {
    return {
      header: null,
      payload: null,
      signature: parts[2] ?? null,
      signatureValid: null,
      unverifiable: null,
      findings: [
        {
          level: 'error',
          code: 'malformed',
          message: `The token cannot be decoded: ${(error as Error).message}`,
        },
      ],
    };
  }

  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const skew = options.clockSkewSeconds ?? 0;

  if (header.alg === 'none' || !header.alg) {
    findings.push({
      level: 'error',
      code: 'alg_none',
      message: 'alg is "none": the token is unsigned and must never be accepted.',
    });
  } else if (header.alg.startsWith('HS')) {
    findings.push({
      level: 'warning',
      code: 'symmetric_alg',
      message: `alg ${header.alg} is a shared-secret MAC. Against an RSA/EC JWKS this is the classic algorithm-confusion attack.`,
    });
  }
  if (header.typ === 'at+jwt')
    findings.push({ level: 'info', code: 'typ_access', message: 'typ "at+jwt": an RFC 9068 access token.' });
  else if (header.typ === 'JWT' && payload.nonce !== undefined) {
    findings.push({
      level: 'info',
      code: 'typ_id',
      message: 'Looks like an ID token: never send it to an API as an access token.',
    });
  }
  if (!header.kid)
    findings.push({
      level: 'warning',
      code: 'no_kid',
      message: 'No kid in the header: the verifier cannot pick a key.',
    });

  if (typeof payload.exp === 'number') {
    if (payload.exp + skew <= now)
      findings.push({ level: 'error', code: 'expired', message: `Expired ${now - payload.exp} s ago.` });
    else findings.push({ level: 'ok', code: 'not_expired', message: `Expires in ${payload.exp - now} s.` });
  } else {
    findings.push({ level: 'warning', code: 'no_exp', message: 'No exp claim: the token never expires.' });
  }
  if (typeof payload.nbf === 'number' && payload.nbf - skew > now) {
    findings.push({
      level: 'error',
      code: 'not_yet_valid',
      message: `Not valid for another ${payload.nbf - now} s (nbf).`,
    });
  }
  if (typeof payload.iat === 'number' && payload.iat - skew > now) {
    findings.push({
      level: 'warning',
      code: 'issued_in_future',
      message: `Issued ${payload.iat - now} s in the future: clock skew?`,
    });
  }
  if (options.expectedIssuer) {
    if (payload.iss === options.expectedIssuer)
      findings.push({ level: 'ok', code: 'issuer_ok', message: 'Issuer matches.' });
    else
      findings.push({
        level: 'error',
        code: 'wrong_issuer',
        message: `Issuer is "${payload.iss ?? '(none)'}", expected "${options.expectedIssuer}".`,
      });
  }
  if (options.expectedAudience) {
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (aud.includes(options.expectedAudience))
      findings.push({
        level: 'ok',
        code: 'audience_ok',
        message: `Audience includes "${options.expectedAudience}".`,
      });
    else
      findings.push({
        level: 'error',
        code: 'wrong_audience',
        message: `Not meant for "${options.expectedAudience}" (aud: ${aud.join(', ') || 'none'}).`,
      });
  }

  let signatureValid: boolean | null = null;
  let unverifiable: string | null = null;
  const retired = header.kid ? options.retiredKeys?.find((key) => key.kid === header.kid) : undefined;
  if (options.jwks) {
    const keys = options.jwks.keys ?? [];
    if (retired && !keys.some((k) => k.kid === retired.kid)) {
      unverifiable = 'key retired';
      findings.push({
        level: 'warning',
        code: 'retired_kid',
        message: `Cannot verify: kid "${retired.kid}" is a key this issuer retired${retired.retired_at ? ` (${retired.retired_at})` : ''}. It is no longer in the JWKS, so no verifier can check this token any more; APIs reject it.`,
      });
    } else if (header.kid && !keys.some((k) => k.kid === header.kid)) {
      findings.push({
        level: 'error',
        code: 'unknown_kid',
        message: `kid "${header.kid}" is not in the JWKS (rotated out, or another issuer).`,
      });
      signatureValid = false;
    } else if (header.alg === 'none' || !header.alg) {
      signatureValid = false;
    } else {
      // Only the algorithms the JWKS keys declare are allowed: this is what stops alg confusion.
      const algorithms = [
        ...new Set(keys.map((k) => k.alg).filter((a): a is string => typeof a === 'string')),
      ];
      try {
        await compactVerify(token, createLocalJWKSet(options.jwks), { algorithms });
        signatureValid = true;
        findings.push({ level: 'ok', code: 'signature_ok', message: 'Signature verified against the JWKS.' });
      } catch (error) {
        signatureValid = false;
        const reason =
          error instanceof errors.JOSEAlgNotAllowed
            ? `alg ${header.alg} is not allowed by the JWKS`
            : error instanceof errors.JWSSignatureVerificationFailed
              ? 'the signature does not match (tampered, or signed by another key)'
              : (error as Error).message;
        findings.push({ level: 'error', code: 'bad_signature', message: `Signature invalid: ${reason}.` });
      }
    }
  }
  return { header, payload, signature: parts[2] ?? null, signatureValid, unverifiable, findings };
}

/** Time claims as Date objects (for display as local time and relative time). */
export function timeClaims(payload: JWTPayload): Partial<Record<(typeof TIME_CLAIMS)[number], Date>> {
  const out: Partial<Record<(typeof TIME_CLAIMS)[number], Date>> = {};
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (typeof value === 'number') out[name] = new Date(value * 1000);
  }
  return out;
}
