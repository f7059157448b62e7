/**
 * The bad-token table: one entry per variant of shared/lab.ts, with what is wrong with it, what a
 * correct resource server must do with it, the specification that says so, and its recipe.
 */
import type { BadTokenVariant } from '../../../../shared/lab';
import { type Factory, issue, jwt, type Recipe, scopeWithoutRequired } from './factory';
import {
  type ForgeKey,
  providerKey,
  publicKeyAsHmacSecret,
  replacePayload,
  signJws,
  unsecuredJws,
} from './forge';

export interface VariantSpec {
  title: string;
  expected: string;
  reference: string;
  make: Recipe;
}

/** Past exp, or future nbf/iat, by more than the usual clock-skew leeway (30 to 60 s). */
const BEYOND_LEEWAY = 300;
const HOUR = 3600;
/** A header extension no resource server knows (a collision-resistant name, RFC 7515 §4.2). */
const UNKNOWN_EXTENSION = 'urn:idp-sandbox:lab:must-understand';
const ATTACKER = 'https://attacker.example';
const OTHER_API = 'https://other-api.example';
/**
 * Padding for the oversized token: with it the token is over 16 kB, past the default request-header
 * limits of nginx and Apache (8 kB) and of Node.js (16 kB), so a default-configured service refuses it.
 */
const PADDING_CHARS = 12_800;
const WITH_401 = 'with 401 and WWW-Authenticate: Bearer error="invalid_token"';
const REJECT = `Reject it ${WITH_401}`;
const INACTIVE = `Introspection answers {"active":false}: reject it ${WITH_401}.`;

/** Signs with `key` under its own alg; the recipe's header names the kid. */
const signedBy =
  (key: ForgeKey) =>
  (_f: Factory, payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> =>
    signJws(payload, { ...header, alg: key.alg }, key.key);

const byThrowaway = (f: Factory, payload: Record<string, unknown>, header: Record<string, unknown>) =>
  signedBy(f.throwaway)(f, payload, header);

/**
 * The most recently retired key of this provider, if any was ever retired (its private key is kept).
 * Times are whole seconds, so keys retired within one second are told apart by kid: any of them is a
 * retired key, and the choice does not change from one call to the next.
 */
function retiredKey(f: Factory) {
  const retired = f.ctx.keys.list().filter((key) => key.status === 'retired');
  retired.sort((a, b) => (b.retired_at ?? 0) - (a.retired_at ?? 0) || a.kid.localeCompare(b.kid));
  return retired[0];
}

export const VARIANTS: Record<BadTokenVariant, VariantSpec> = {
  expired: {
    title: `Expired: exp is ${BEYOND_LEEWAY / 60} minutes in the past`,
    expected: `${REJECT}: a token is not accepted after its exp, beyond a small clock-skew leeway.`,
    reference: 'RFC 7519 §4.1.4; RFC 9068 §4',
    make: jwt({ claims: (f) => ({ iat: f.now - BEYOND_LEEWAY - f.ttl, exp: f.now - BEYOND_LEEWAY }) }),
  },
  not_yet_valid: {
    title: 'Not yet valid: nbf is an hour in the future',
    expected: `${REJECT}: a token is not accepted before its nbf, beyond a small clock-skew leeway.`,
    reference: 'RFC 7519 §4.1.5',
    make: jwt({ claims: (f) => ({ nbf: f.now + HOUR, exp: f.now + HOUR + f.ttl }) }),
  },
  issued_in_future: {
    title: 'Issued in the future: iat is an hour ahead',
    expected: `${REJECT}: no token was issued in the future; it is forged or its issuer's clock is wrong (with jose, set maxTokenAge so that iat is checked).`,
    reference: 'RFC 7519 §4.1.6',
    make: jwt({ claims: (f) => ({ iat: f.now + HOUR, exp: f.now + HOUR + f.ttl }) }),
  },
  wrong_issuer: {
    title: 'Wrong issuer: iss is not this provider (signed with its key)',
    expected: `${REJECT}: iss must be exactly the issuer the service trusts, whatever key signed it.`,
    reference: 'RFC 9068 §4; RFC 8725 §3.8',
    make: jwt({ claims: (f) => ({ iss: `${f.claims.iss}/not-this-issuer` }) }),
  },
  wrong_audience: {
    title: `Wrong audience: aud is ${OTHER_API}, another API`,
    expected: `${REJECT}: the token was issued for another API; aud must name this one.`,
    reference: 'RFC 9068 §4; RFC 7519 §4.1.3; RFC 8725 §3.9',
    make: jwt({ claims: () => ({ aud: OTHER_API }) }),
  },
  no_audience: {
    title: 'No audience: the aud claim is missing',
    expected: `${REJECT}: aud is required in a JWT access token and must name this API.`,
    reference: 'RFC 9068 §2.2, §4',
    make: jwt({ claims: () => ({ aud: undefined }) }),
  },
  id_token_typ: {
    title: 'Wrong typ: "JWT", as an ID token has, instead of "at+jwt"',
    expected: `${REJECT}: typ must be "at+jwt" (or "application/at+jwt"), so no other kind of JWT passes for an access token.`,
    reference: 'RFC 9068 §4; RFC 8725 §3.11',
    make: jwt({ header: () => ({ typ: 'JWT' }) }),
  },
  plain_jwt_typ: {
    title: 'No typ: a plain JWT, without the "at+jwt" type',
    expected: `${REJECT}: typ must be "at+jwt" (or "application/at+jwt"); a JWT without it is not an access token.`,
    reference: 'RFC 9068 §4; RFC 8725 §3.11',
    make: jwt({ header: () => ({ typ: undefined }) }),
  },
  alg_none: {
    title: 'alg "none": an unsecured JWT, no signature at all',
    expected: `${REJECT}: only the algorithms the provider signs with are accepted, never "none".`,
    reference: 'RFC 8725 §2.1, §3.1; RFC 7518 §3.6; RFC 9068 §4',
    make: jwt({ sign: async (_f, payload, header) => unsecuredJws(payload, header) }),
  },
  hs256_public_key: {
    title: "Algorithm confusion: HS256 with the provider's public key (PEM) as the HMAC secret",
    expected: `${REJECT}: the algorithm comes from the key the service trusts, never from the token's header.`,
    reference: 'RFC 8725 §2.1, §3.1, §3.2',
    make: async (f, variant) => jwt({ sign: signedBy(await publicKeyAsHmacSecret(f.current)) })(f, variant),
  },
  unknown_kid: {
    title: 'Unknown kid: signed by a key the provider never published, under its own kid',
    expected: `${REJECT}: no key in the provider's JWKS has this kid (refetch the JWKS at most once, rate-limited, then reject).`,
    reference: 'RFC 7515 §4.1.4, §5.2; RFC 9068 §4',
    make: jwt({ header: (f) => ({ kid: f.throwaway.kid }), sign: byThrowaway }),
  },
  retired_kid: {
    title: 'Retired key: signed by a key of this provider that was taken out of its JWKS',
    expected: `${REJECT}: a retired key is no longer in the JWKS; a cached copy of the old JWKS must not keep it trusted.`,
    reference: 'RFC 7515 §4.1.4, §5.2; RFC 9068 §4',
    make: async (f, variant) => {
      const retired = retiredKey(f);
      // Without a retired key the factory does not retire one (that would rotate the provider's real
      // signing key as a side effect): it stands in with the throwaway key, which is what a verifier
      // sees of a retired key after a JWKS refresh (an unpublished kid), and the title says so.
      const key = retired ? await providerKey(retired) : f.throwaway;
      return jwt({
        header: () => ({ kid: key.kid }),
        sign: signedBy(key),
        title: () =>
          retired
            ? undefined
            : 'Retired key (stand-in): no key of this provider is retired yet, so it is signed by a key never published (the same check as unknown kid); retire a key in Settings → Keys for a real one',
      })(f, variant);
    },
  },
  foreign_key_known_kid: {
    title: "Foreign key under a known kid: signed by another key, header names the provider's current kid",
    expected: `${REJECT}: the signature does not verify with the key that kid names.`,
    reference: 'RFC 7515 §5.2; RFC 9068 §4',
    make: jwt({ sign: byThrowaway }),
  },
  payload_tampered: {
    title: 'Payload changed after signing: "admin" added to scope, signature left as it was',
    expected: `${REJECT}: the signature covers the payload; a changed payload does not verify.`,
    reference: 'RFC 7515 §5.2; RFC 8725 §3.1',
    make: jwt({
      sign: async (f, payload, header) =>
        replacePayload(await signJws(payload, header, f.currentKey.key), {
          ...payload,
          scope: `${payload.scope ?? ''} admin`.trim(),
        }),
    }),
  },
  missing_exp: {
    title: 'No expiry: the exp claim is missing',
    expected: `${REJECT}: exp is required in a JWT access token (with jose, list it in requiredClaims: jose alone accepts a JWT without exp).`,
    reference: 'RFC 9068 §2.2, §4',
    make: jwt({ claims: () => ({ exp: undefined }) }),
  },
  insufficient_scope: {
    title: 'Insufficient scope: a valid token without the scope the API requires',
    expected:
      'Reject it with 403 and WWW-Authenticate: Bearer error="insufficient_scope": the token is genuine but does not allow this request.',
    reference: 'RFC 6750 §3.1; RFC 9068 §4',
    make: issue(
      (f) => ({ scope: scopeWithoutRequired(f) }),
      (f) =>
        `Insufficient scope: a valid token without ${f.requiredScope.join(' ') || 'any scope'} (scope "${scopeWithoutRequired(f)}")`,
    ),
  },
  unknown_crit: {
    title: `Unknown critical header: crit lists "${UNKNOWN_EXTENSION}"`,
    expected: `${REJECT}: a JWS whose crit names an extension the service does not understand is invalid.`,
    reference: 'RFC 7515 §4.1.11',
    make: jwt({ header: () => ({ crit: [UNKNOWN_EXTENSION], [UNKNOWN_EXTENSION]: true }) }),
  },
  jku_header: {
    title: 'jku header pointing to another JWKS: signed by a key published there',
    expected: `${REJECT}: keys come only from the provider's configured JWKS, never from a URL the token names.`,
    reference: 'RFC 7515 §4.1.2; RFC 8725 §3.10',
    make: jwt({
      header: (f) => ({ kid: f.throwaway.kid, jku: `${ATTACKER}/.well-known/jwks.json` }),
      sign: byThrowaway,
    }),
  },
  x5u_header: {
    title: 'x5u header pointing to another certificate: signed by the key in it',
    expected: `${REJECT}: keys come only from the provider's configured JWKS, never from a URL the token names.`,
    reference: 'RFC 7515 §4.1.5; RFC 8725 §3.10',
    make: jwt({
      header: (f) => ({ kid: f.throwaway.kid, x5u: `${ATTACKER}/signing-certificate.pem` }),
      sign: byThrowaway,
    }),
  },
  embedded_jwk: {
    title: 'Embedded jwk header: the token carries the public key that verifies it',
    expected: `${REJECT}: a key embedded in the token proves nothing; only the provider's JWKS is trusted.`,
    reference: 'RFC 7515 §4.1.3; RFC 8725 §3.10',
    make: jwt({
      header: (f) => ({ kid: f.throwaway.kid, jwk: f.throwaway.publicJwk }),
      sign: byThrowaway,
    }),
  },
  id_token_as_access: {
    title: 'An ID token presented as an access token',
    expected: `${REJECT}: an ID token is for the client (aud is the client, typ is not "at+jwt"), never a credential for an API.`,
    reference: 'RFC 9068 §4; RFC 8725 §3.11; OpenID Connect Core §2',
    make: idTokenAsAccess,
  },
  refresh_token_as_access: {
    title: 'A refresh token presented as an access token',
    expected: `${REJECT}: a refresh token is only for the token endpoint (introspection reports token_type refresh_token).`,
    reference: 'RFC 6749 §1.5, §10.4; RFC 7662 §2.2',
    make: issue(
      () => ({ withAccess: false, withRefresh: true }),
      (f) =>
        f.client.grant_types.includes('refresh_token')
          ? undefined
          : `A refresh token presented as an access token (${f.client.client_id} has no refresh_token grant: issued anyway, as tokens.mint does)`,
    ),
  },
  revoked_reference: {
    title: 'Revoked reference token',
    expected: INACTIVE,
    reference: 'RFC 7662 §2.2; RFC 7009 §2',
    make: async (f, variant) => ({
      ...(await issue(() => ({ overrides: { accessFormat: 'reference' } }))(f, variant)),
      revoke: true,
    }),
  },
  expired_reference: {
    title: `Expired reference token: expired ${BEYOND_LEEWAY / 60} minutes ago`,
    expected: INACTIVE,
    reference: 'RFC 7662 §2.2',
    make: async (f, variant) => {
      const made = await issue(() => ({ overrides: { accessFormat: 'reference' } }))(f, variant);
      // A reference token's dates are its row's, not signed anywhere: back-dated before it is stored.
      const record = made.record as NonNullable<typeof made.record>;
      record.expires_at = f.now - BEYOND_LEEWAY;
      record.issued_at = record.expires_at - f.ttl;
      return made;
    },
  },
  oversized: {
    title: 'Oversized: a valid JWT of over 16 kB (a padding claim), correct in every other way',
    expected:
      "Refuse the request cleanly, 431 Request Header Fields Too Large (or 400): this tests the service's and its proxy's header limits (8 kB in nginx and Apache, 16 kB in Node.js), not the token.",
    // 431 is RFC 6585's; RFC 9110 §5.4 only asks for "an appropriate 4xx".
    reference: 'RFC 9110 §5.4; RFC 6585 §5 (431)',
    make: issue(() => ({
      overrides: { accessFormat: 'jwt', extraClaims: { lab_padding: 'x'.repeat(PADDING_CHARS) } },
    })),
  },
};

/**
 * A real ID token: about the baseline's user, else about the workspace's first user (an ID token is
 * always about a user, and the title says whose). With no user at all, an ID-token-shaped JWT (typ
 * "JWT", aud the client, no scope) about the client, signed with the provider's key, stands in.
 */
function idTokenAsAccess(f: Factory, variant: BadTokenVariant) {
  const user = f.user ?? f.ctx.users.list()[0];
  if (!user) {
    return jwt({
      kind: 'id',
      header: () => ({ typ: 'JWT' }),
      claims: () => ({ aud: f.client.client_id, scope: undefined, client_id: undefined }),
      title: () =>
        'An ID token presented as an access token (stand-in: the workspace has no user, so an ID-token-shaped JWT about the client)',
    })(f, variant);
  }
  return issue(
    () => ({
      user,
      grant: f.user ? f.grant : null,
      authTime: f.authTime ?? f.now,
      withAccess: false,
      withIdToken: true,
    }),
    () =>
      f.user
        ? undefined
        : `An ID token presented as an access token (about ${user.username}: the baseline has no user)`,
  )(f, variant);
}
