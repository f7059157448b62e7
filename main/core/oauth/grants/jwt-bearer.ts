import { decodeJwt, type JWTPayload } from 'jose';
import { JWT_BEARER_GRANT, type JwtBearerPolicy, type TrustedIssuer } from '../../../../shared/schemas';
import { invalidGrant, invalidScope, unauthorizedClient } from '../../protocol/errors';
import { readRepeated, required } from '../../protocol/params';
import { checkResources, grantedScope, parseResource } from '../../protocol/policy';
import { AssertionRefused } from '../../provider/client-assertions';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import type { UserRecord } from '../../store/users';
import { splitScope } from '../../tokens/claims';
import { issueFresh } from './issue';
import type { GrantHandler } from './types';

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/** The trusted issuer an assertion names (its iss, read before anything is verified). */
function trustedIssuerOf(client: ClientRecord, policy: JwtBearerPolicy, assertion: string): TrustedIssuer {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw invalidGrant('assertion is not a JWT (header.payload.signature, base64url).');
  }
  const trusted = policy.trusted_issuers.map((t) => t.issuer);
  if (typeof claims.iss !== 'string' || claims.iss === '') {
    throw invalidGrant(
      `The assertion has no "iss" claim; it must name its issuer, one of ${quoted(trusted)}.`,
    );
  }
  const found = policy.trusted_issuers.find((t) => t.issuer === claims.iss);
  if (!found) {
    throw invalidGrant(
      `The assertion's iss "${claims.iss}" is not a trusted issuer of client "${client.client_id}" (trusted: ${quoted(trusted)}); add it to the client's jwt_bearer.trusted_issuers.`,
    );
  }
  return found;
}

/** RFC 7523 §3 item 2: `sub` names the user the token is for; the issuer's setting says how to find it. */
function userOf(ctx: ProviderContext, trusted: TrustedIssuer, sub: string): UserRecord {
  const match = trusted.subject_match;
  const bySub = match === 'username' ? undefined : ctx.users.list().find((u) => u.sub === sub);
  const user = bySub ?? (match === 'sub' ? undefined : ctx.users.findByUsername(sub));
  if (!user) {
    const how = { sub: 'subject', username: 'username', sub_then_username: 'subject or username' }[match];
    throw invalidGrant(
      `The assertion's sub "${sub}" is no user's ${how} (trusted issuer "${trusted.issuer}" matches sub by ${how}): create that user, or sign the assertion for an existing one.`,
    );
  }
  return user;
}

/** The requested scope (the client's by default), narrowed to jwt_bearer.allowed_scopes. */
function assertionScope(
  client: ClientRecord,
  policy: JwtBearerPolicy,
  requested: string | undefined,
): string {
  const allowed = policy.allowed_scopes;
  let scopes = splitScope(grantedScope(client, requested));
  if (allowed) {
    const refused = scopes.filter((s) => !allowed.includes(s));
    if (requested !== undefined && refused.length) {
      throw invalidScope(
        `Client "${client.client_id}" may not get scope ${quoted(refused)} with the jwt-bearer grant (jwt_bearer.allowed_scopes: ${quoted(allowed)}).`,
      );
    }
    scopes = scopes.filter((s) => allowed.includes(s));
  }
  // No refresh token is issued (see below), so offline access would promise what is not given.
  return scopes.filter((s) => s !== 'offline_access').join(' ');
}

/**
 * RFC 7523 §2.1 / §3: a JWT signed by an issuer the client trusts, naming a user in `sub`, traded for
 * an access token for that user. The client authenticates as for any grant (§3.1); a public client
 * may use it when its policy allows. No refresh token: the assertion is the client's standing
 * credential, and it makes a fresh one whenever it needs a token (RFC 7523 §3.1 leaves refresh to the
 * server; like Google's and Okta's jwt-bearer, this one does not, so a user's access ends when the
 * issuer stops signing for them). No ID token either: nobody signed in here, and an ID token would say
 * the provider authenticated the user.
 */
export const jwtBearer: GrantHandler = async ({ ctx, client, params, dpop }) => {
  const policy = client.jwt_bearer;
  if (!policy?.trusted_issuers.length) {
    throw unauthorizedClient(
      `Client "${client.client_id}" trusts no assertion issuer (jwt_bearer.trusted_issuers is empty).`,
    );
  }
  const assertion = required(params, 'assertion');
  const trusted = trustedIssuerOf(client, policy, assertion);
  const issuer = ctx.issuer();
  let claims: JWTPayload;
  try {
    // RFC 7523 §3 item 3: the provider is the audience, by its issuer or its token endpoint.
    claims = await ctx.clientAssertions.verifyGrant(trusted, assertion, [issuer, `${issuer}/token`]);
  } catch (error) {
    if (error instanceof AssertionRefused) throw invalidGrant(error.message);
    throw error;
  }
  const user = userOf(ctx, trusted, String(claims.sub));
  const scope = assertionScope(client, policy, params.scope);
  const resources = parseResource(readRepeated(params, 'resource'));
  checkResources(client, resources);
  return issueFresh(
    ctx,
    client,
    user,
    scope,
    resources,
    JWT_BEARER_GRANT,
    { withRefresh: false, withIdToken: false, dpopJkt: dpop?.jkt ?? null },
    { assertion_issuer: trusted.issuer, assertion_jti: claims.jti ?? null },
  );
};
