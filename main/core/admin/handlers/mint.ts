import { decodeJwt } from 'jose';
import type { AdminOutput, AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { seconds } from '../../lib/clock';
import { defaultAudience } from '../../protocol/policy';
import type { ProviderContext } from '../../provider/context';
import type { TokenRecord } from '../../store/tokens';
import { machineScope } from '../../tokens/claims';
import { tokenDetail } from './token-detail';

/**
 * Mints one token without running a flow. It goes through the same TokenService as the token
 * endpoint and is recorded like any other token (grant_type "mint" in its event), so it can be
 * listed, introspected and revoked.
 */
export async function mintToken(
  ctx: ProviderContext,
  input: AdminParsedInput<'tokens.mint'>,
): Promise<AdminOutput<'tokens.mint'>> {
  const client = ctx.clients.require(input.client_id);
  const user = input.username ? ctx.users.require(input.username) : null;
  if (input.kind === 'id' && !user)
    throw new AdminError('invalid_input', 'An ID token is always about a user: choose one.');
  if (input.format && input.kind !== 'access') {
    throw new AdminError(
      'invalid_input',
      'format applies to access tokens only (ID tokens are JWTs, refresh tokens opaque).',
    );
  }
  const scope = input.scope ?? (user ? client.scope : machineScope(client.scope));
  const audience = input.audience ?? defaultAudience(client);
  const at = seconds(ctx.clock);

  // Stored with the token, in one transaction, once it is signed.
  const grant = ctx.grants.buildDirect(client, user, scope, at);
  const prepared = await ctx.tokenService.prepare({
    client,
    user,
    grant,
    scope,
    audience,
    authTime: user ? at : null,
    withAccess: input.kind === 'access',
    withRefresh: input.kind === 'refresh',
    withIdToken: input.kind === 'id',
    overrides: {
      ...(input.format ? { accessFormat: input.format } : {}),
      ...(input.ttl ? { accessTtl: input.ttl, idTtl: input.ttl, refreshTtl: input.ttl } : {}),
      ...(input.extra_claims ? { extraClaims: input.extra_claims } : {}),
    },
  });
  const record = prepared.records[0] as TokenRecord;
  ctx.db.transaction(() => {
    ctx.grants.insert(grant);
    ctx.tokenService.store(prepared);
    ctx.events.record('token.issued', {
      client_id: record.client_id,
      username: record.username,
      token_id: record.id,
      data: { kind: record.kind, format: record.format, grant_type: 'mint', grant_id: grant.id },
    });
  })();
  return { value: prepared.values.get(record.id) as string, token: await tokenDetail(ctx, record) };
}

/** What the provider knows about a pasted token value, and what introspection would answer. */
export async function lookupToken(
  ctx: ProviderContext,
  value: string,
): Promise<AdminOutput<'tokens.lookup'>> {
  const trimmed = value.trim();
  // What /introspect would resolve: a verified JWT of ours, or a stored opaque token.
  const introspectable = await ctx.tokenService.resolveAnyToken(trimmed);
  let record = introspectable?.record;
  if (!record && trimmed.split('.').length === 3) {
    // An ID token we issued is recorded too, by jti, though it is never introspectable; so are the QA
    // lab's bad tokens, which fail verification. Matching the stored JWT byte for byte means the
    // unverified decode cannot be abused, and such a record is shown but never answers as active.
    let jti: unknown;
    try {
      jti = decodeJwt(trimmed).jti;
    } catch {
      jti = undefined;
    }
    const stored = typeof jti === 'string' ? ctx.tokens.findById(jti) : undefined;
    if (stored?.jwt === trimmed) record = stored;
  }
  return {
    token: record ? await tokenDetail(ctx, record) : null,
    introspection: ctx.tokenService.introspection(
      introspectable ?? null,
    ) as AdminOutput<'tokens.lookup'>['introspection'],
  };
}
