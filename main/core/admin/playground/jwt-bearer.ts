import { decodeJwt, decodeProtectedHeader, type JWK, SignJWT } from 'jose';
import type { AdminParsedInput } from '../../../../shared/contract';
import { ISSUER_KEY_PAIR_COMMAND } from '../../../../shared/contract-constants';
import { AdminError } from '../../../../shared/errors';
import { JWT_BEARER_GRANT, type TrustedIssuer } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import { randomToken } from '../../lib/secrets';
import { MAX_ASSERTION_LIFETIME_SECONDS } from '../../provider/client-assertions';
import type { UserRecord } from '../../store/users';
import { type PastedKey, parsePrivateJwk, registeredKey, signingKey } from './client-auth';
import {
  describeToken,
  introspectStep,
  type Json,
  type PlaygroundRun,
  parsedBody,
  tokenRequest,
} from './exchange';

type Input = AdminParsedInput<'playground.run'>;

/** How long the assertion is valid: a few minutes, as RFC 7521 §4.1 expects of an assertion grant. */
const ASSERTION_LIFETIME_SECONDS = 5 * 60;

/** What the flow acts with: the trusted issuer, the user its assertion is about, and the issuer's key. */
interface Setup {
  trusted: TrustedIssuer;
  user: UserRecord;
  key: PastedKey;
  publicJwk: JWK;
  /** Whether the key is one of the issuer's registered public keys (null: they are behind a jwks_uri). */
  registered: boolean | null;
}

/** The trusted issuer to act as (the client's first by default); refused, before any request, if none. */
function trustedIssuer(run: PlaygroundRun, input: Input): TrustedIssuer {
  const { client } = run;
  const id = client.client_id;
  const trusted = client.jwt_bearer?.trusted_issuers ?? [];
  if (!client.grant_types.includes(JWT_BEARER_GRANT) || trusted.length === 0) {
    throw new AdminError(
      'invalid_input',
      `Client "${id}" is not allowed the JWT bearer grant: add ${JWT_BEARER_GRANT} to its grant types and a trusted issuer (its "issuer" and public keys) to its jwt_bearer.trusted_issuers.`,
    );
  }
  const wanted = input.assertion_issuer ?? trusted[0]?.issuer;
  const found = trusted.find((t) => t.issuer === wanted);
  if (!found) {
    throw new AdminError(
      'invalid_input',
      `"${wanted}" is not a trusted issuer of client "${id}" (trusted: ${trusted.map((t) => `"${t.issuer}"`).join(', ')}): choose one of them, or add it to the client's jwt_bearer.trusted_issuers.`,
    );
  }
  return found;
}

/** What to paste, and where an issuer key comes from when the developer has none at hand. */
function keyHint(trusted: TrustedIssuer, clientId: string): string {
  const where = trusted.jwks_uri
    ? `publish the public one at ${trusted.jwks_uri}`
    : `put the public one in that trusted issuer's jwks (client "${clientId}", jwt_bearer.trusted_issuers)`;
  return `paste the private JWK of trusted issuer "${trusted.issuer}", the key whose public half client "${clientId}" trusts, in assertion_private_jwk. It signs this run's assertion only and is never stored. Lab → Mint's DPoP key and the client drawer's "Generate key pair" make client keys, not issuer keys; to make an issuer key pair, run ${ISSUER_KEY_PAIR_COMMAND} in a folder where jose is installed, paste the private JWK it prints, and ${where}`;
}

/** The issuer, the user and the issuer's pasted key, all checked before any request is sent. */
async function prepare(run: PlaygroundRun, input: Input): Promise<Setup> {
  const trusted = trustedIssuer(run, input);
  if (!input.username) throw new AdminError('invalid_input', 'Choose the user the assertion is about.');
  const user = run.deps.ctx.users.require(input.username);
  const hint = keyHint(trusted, run.client.client_id);
  const text = input.assertion_private_jwk?.trim();
  if (!text) throw new AdminError('invalid_input', `No issuer key was given: ${hint}.`);
  const what = `The private key for trusted issuer "${trusted.issuer}"`;
  const jwk = parsePrivateJwk(text, what, hint, run.secrets);
  const key = await signingKey(jwk, undefined, `the key pasted for trusted issuer "${trusted.issuer}"`);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  // A wrong key is not refused here: the provider's invalid_grant shows what a real issuer mix-up does.
  const inline = trusted.jwks?.keys ?? null;
  const match = inline ? await registeredKey(inline, jwk) : undefined;
  const kid = key.kid ?? match?.kid;
  return { trusted, user, key: { ...key, kid }, publicJwk, registered: inline ? Boolean(match) : null };
}

/** RFC 7523 §3 item 2: `sub` names the user as the issuer's subject_match says the provider finds them. */
function subjectOf({ trusted, user }: Setup): string {
  return trusted.subject_match === 'username' ? user.username : user.sub;
}

/** What the provider checks in each part of the assertion (RFC 7523 §3, items 1–10). */
function providerChecks(setup: Setup, clientId: string): Json {
  const how = { sub: 'subject', username: 'username', sub_then_username: 'subject, then username' };
  return {
    iss: `Item 1: must be one of client "${clientId}"'s trusted issuers, compared as a plain string; it picks the keys that verify the signature.`,
    sub: `Item 2: names the user the token is for; this issuer's subject_match finds them by ${how[setup.trusted.subject_match]}.`,
    aud: 'Item 3: must name this provider, by its issuer or its token endpoint; an assertion for another server is refused.',
    exp: `Item 4: must not have passed (a few seconds of clock skew allowed); with iat, at most ${MAX_ASSERTION_LIFETIME_SECONDS} s of the assertion's life is accepted.`,
    iat: `Item 6: must not be in the future, nor more than ${MAX_ASSERTION_LIFETIME_SECONDS} s ago.`,
    jti: 'Item 7: remembered until the assertion expires; the same jti from this issuer again is a replay and is refused.',
    signature: `Item 9: ${setup.key.alg}, verified with the issuer's registered public key; items 10 and §3.1: anything invalid is invalid_grant.`,
  };
}

/** Step 1: the issuer signs the assertion (RFC 7523 §3), iat now and a 5-minute exp on the provider's clock. */
async function signAssertion(run: PlaygroundRun, setup: Setup): Promise<string> {
  const now = seconds(run.deps.ctx.clock);
  const { key, alg, kid } = setup.key;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .setIssuer(setup.trusted.issuer)
    .setSubject(subjectOf(setup))
    .setAudience(run.deps.ctx.endpoint('token'))
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .setJti(randomToken())
    .sign(key);
  run.steps.push({
    title: `Issuer ${setup.trusted.issuer} signs an assertion about ${setup.user.username}`,
    spec: 'RFC 7523 §3, RFC 7519 §4.1',
    explanation: `The trusted issuer (an identity system the client already relies on) vouches for the user in a JWT signed with its private key: iss is the issuer, sub the user (${setup.trusted.subject_match === 'username' ? 'by username' : 'by subject'}, as the issuer's subject_match says), aud this provider's token endpoint, a 5-minute exp and a jti. The client will trade it for an access token without the user signing in here. The values below say what the provider checks in each claim.`,
    http: null,
    values: {
      assertion: { header: decodeProtectedHeader(assertion) as Json, payload: decodeJwt(assertion) as Json },
      provider_checks: providerChecks(setup, run.client.client_id),
      issuer_public_jwk: setup.publicJwk as Json,
      key_is_registered: setup.registered,
    },
  });
  return assertion;
}

/** POST /token with the assertion as the grant, the client authenticating as it is registered. */
function grantRequest(run: PlaygroundRun, assertion: string, scope: string | undefined) {
  const form: Record<string, string> = { grant_type: JWT_BEARER_GRANT, assertion };
  if (scope) form.scope = scope;
  return tokenRequest(run, form);
}

/** Step 2: the grant; the access token, with no refresh token (and why). */
async function trade(run: PlaygroundRun, setup: Setup, assertion: string, scope: string | undefined) {
  const { http, parsed } = await grantRequest(run, assertion, scope);
  run.steps.push({
    title: `Client → POST /token (jwt-bearer, for ${setup.user.username})`,
    spec: 'RFC 7523 §2.1, §3.1, RFC 7521 §4.1, RFC 6749 §5.1',
    explanation: `The client sends the assertion as the grant (grant_type ${JWT_BEARER_GRANT}, assertion) and authenticates as it does for any grant; the provider checks the assertion and answers with an access token for the user it names. No refresh token: an assertion is short-lived, and the token it buys should not outlive it by much (RFC 7521 §4.1), so the client makes a new assertion when it needs a new token, and the user's access ends when the issuer stops vouching. No ID token either: nobody signed in at this provider.`,
    http,
    values: {
      token_type: parsed?.token_type ?? null,
      scope: parsed?.scope ?? null,
      refresh_token: parsed?.refresh_token ?? null,
      access_token: describeToken(parsed?.access_token),
    },
    value_notes: { refresh_token: 'no refresh token: the JWT bearer grant issues none (RFC 7521 §4.1)' },
  });
  return parsed;
}

/** Step 4: the same assertion again is a replay (RFC 7523 §3 item 7): invalid_grant (§3.1). */
async function replay(run: PlaygroundRun, assertion: string, scope: string | undefined): Promise<boolean> {
  const { http } = await grantRequest(run, assertion, scope);
  const error = parsedBody(http);
  run.steps.push({
    title: 'Client → POST /token again with the same assertion: refused (replay)',
    spec: 'RFC 7523 §3, §3.1',
    explanation:
      'Whoever copies an assertion on its way could trade it too. The provider remembers each jti of an issuer until the assertion expires (item 7), so the same assertion is refused the second time with invalid_grant (§3.1), as any assertion that is not valid is. A client makes a new assertion, with a new jti, for each request.',
    http,
    values: { error: error.error ?? null, error_description: error.error_description ?? null },
  });
  return http.response.status === 400 && error.error === 'invalid_grant';
}

/**
 * RFC 7523 §2.1 JWT bearer grant: the trusted issuer's assertion about the user, signed with the
 * pasted key, traded for an access token, introspected, then replayed and refused.
 */
export async function jwtBearerFlow(run: PlaygroundRun, input: Input): Promise<boolean> {
  const setup = await prepare(run, input);
  const assertion = await signAssertion(run, setup);
  const parsed = await trade(run, setup, assertion, input.scope);
  if (!parsed?.access_token) return false;
  Object.assign(run.tokens, parsed);
  const introspection = await introspectStep(
    run,
    parsed.access_token,
    `The API that receives the token asks about it: active, issued to ${run.client.client_id}, and its sub is ${setup.user.username}'s, the user the issuer vouched for.`,
  );
  const last = run.steps.at(-1);
  if (last && 'active' in introspection) last.values.sub_is_the_user = introspection.sub === setup.user.sub;
  const introspected =
    run.client.token_endpoint_auth_method === 'none' ||
    (introspection.active === true && introspection.sub === setup.user.sub);
  return (await replay(run, assertion, input.scope)) && introspected;
}
