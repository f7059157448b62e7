/**
 * OAuth-shaped errors (RFC 6749 §5.2, RFC 6750 §3.1, OIDC Core §3.1.2.6). Every endpoint throws one
 * of these; the error handler turns it into the JSON body, status and headers the specs require.
 */
/** Characters RFC 6749 §5.2 allows in error_description: %x20-21 / %x23-5B / %x5D-7E. */
export const ERROR_DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/**
 * A message made fit for error_description without losing what it says: double quotes become single
 * quotes (they only mark names), and any other character outside the allowed set (a backslash, a
 * control character, non-ASCII text from a client id or a Host header) is percent-encoded as its
 * UTF-8 bytes, the way it would appear in a URL. A lone surrogate becomes U+FFFD's bytes.
 */
export function toErrorDescription(text: string): string {
  return text
    .replaceAll('"', "'")
    .replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/gu, (ch) =>
      [...Buffer.from(ch, 'utf8')]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join(''),
    );
}

export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  /** The message as it goes on the wire: always within RFC 6749 §5.2's character set. */
  readonly errorDescription: string;
  /** Extra response headers, e.g. WWW-Authenticate for 401s. */
  readonly headers: Record<string, string>;

  constructor(status: number, error: string, description: string, headers: Record<string, string> = {}) {
    // `message` keeps the text as written, for HTML error pages and logs.
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.errorDescription = toErrorDescription(description);
    this.headers = headers;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.errorDescription };
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);
export const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
export const invalidScope = (description: string) => new OAuthError(400, 'invalid_scope', description);
export const unauthorizedClient = (description: string) =>
  new OAuthError(400, 'unauthorized_client', description);
export const unsupportedGrantType = (description: string) =>
  new OAuthError(400, 'unsupported_grant_type', description);
export const unsupportedResponseType = (description: string) =>
  new OAuthError(400, 'unsupported_response_type', description);
export const unsupportedTokenType = (description: string) =>
  new OAuthError(400, 'unsupported_token_type', description);
export const loginRequired = (description: string) => new OAuthError(400, 'login_required', description);
export const invalidTarget = (description: string) => new OAuthError(400, 'invalid_target', description);

/** RFC 6749 §5.2: 401 with WWW-Authenticate when the client tried HTTP Basic, else 400 is allowed; we use 401 always. */
export const invalidClient = (description: string, usedBasic: boolean) =>
  new OAuthError(
    401,
    'invalid_client',
    description,
    usedBasic ? { 'www-authenticate': 'Basic realm="idp-sandbox"' } : {},
  );

/** RFC 6750 §3.1 errors for protected resources (userinfo). */
export const invalidToken = (description: string) =>
  new OAuthError(401, 'invalid_token', description, {
    // A quoted-string (RFC 7235) may hold any allowed error_description character.
    'www-authenticate': `Bearer error="invalid_token", error_description="${toErrorDescription(description)}"`,
  });
export const insufficientScope = (description: string, scope: string) =>
  new OAuthError(403, 'insufficient_scope', description, {
    'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"`,
  });
export const missingBearer = () =>
  new OAuthError(401, 'invalid_request', 'Send the access token as "Authorization: Bearer <token>".', {
    'www-authenticate': 'Bearer realm="idp-sandbox"',
  });

/** RFC 9449 §7.1 challenge: the DPoP scheme, the error, and the proof algorithms accepted. */
function dpopChallenge(error: string, description: string, algs: readonly string[]): Record<string, string> {
  return {
    'www-authenticate': `DPoP error="${error}", error_description="${toErrorDescription(description)}", algs="${algs.join(' ')}"`,
  };
}

/** RFC 9449 §5: a missing or bad DPoP proof at the token endpoint. */
export const invalidDpopProof = (description: string) =>
  new OAuthError(400, 'invalid_dpop_proof', description);
/** RFC 9449 §7.1: a missing or bad DPoP proof at a protected resource (userinfo). */
export const invalidDpopProofAtResource = (description: string, algs: readonly string[]) =>
  new OAuthError(
    401,
    'invalid_dpop_proof',
    description,
    dpopChallenge('invalid_dpop_proof', description, algs),
  );
/** RFC 9449 §8: the proof must carry the nonce the server gives in the DPoP-Nonce header. */
export const dpopNonceNeeded = (description: string, nonce: string) =>
  new OAuthError(400, 'use_dpop_nonce', description, { 'dpop-nonce': nonce });
/** RFC 9449 §9: the same at a protected resource, as a 401 DPoP challenge. */
export const dpopNonceNeededAtResource = (description: string, nonce: string, algs: readonly string[]) =>
  new OAuthError(401, 'use_dpop_nonce', description, {
    ...dpopChallenge('use_dpop_nonce', description, algs),
    'dpop-nonce': nonce,
  });
/** RFC 9449 §7.1: a DPoP-bound access token presented without its proof (e.g. as a Bearer token). */
export const invalidDpopToken = (description: string, algs: readonly string[]) =>
  new OAuthError(401, 'invalid_token', description, dpopChallenge('invalid_token', description, algs));
