import { decodeProtectedHeader } from 'jose';
import { TOKEN_CHILDREN_SHOWN, type TokenDetail } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import { type TokenRecord, tokenDto } from '../../store/tokens';
import { decideClaims, explainClaims, tokenClaimContext } from '../../tokens/claim-mapping';

type Json = TokenDetail['claims'];

/**
 * A token as the UI inspects it: its state, its claims (the decoded JWT, or rebuilt from its row), its
 * introspection, and its lineage: the token it was refreshed or exchanged from, and those issued from it.
 */
export async function tokenDetail(ctx: ProviderContext, record: TokenRecord): Promise<TokenDetail> {
  const now = seconds(ctx.clock);
  const claims = ctx.tokenService.claimsOf(record) as Json;
  // Why each claim is there, recomputed from the token's user, client and scope (claim-mapping.ts):
  // the same decision that issued it, so nothing needs storing with each token.
  const context = tokenClaimContext(ctx, record);
  const minted = record.grant_type === 'mint';
  const claimReasons =
    record.kind === 'refresh'
      ? {}
      : explainClaims(claims, decideClaims(context, record.kind, true), { minted });
  // What /introspect answers right now, by the endpoint's own path (ID tokens are not introspectable).
  const introspection = ctx.tokenService.introspection(
    await ctx.tokenService.resolveStored(record),
    context,
  ) as Json;
  const introspectionReasons =
    introspection.active === true
      ? explainClaims(introspection, decideClaims(context, 'introspection', true), {
          minted,
          introspection: true,
        })
      : {};
  const parent = record.parent_id ? ctx.tokens.findById(record.parent_id) : undefined;
  const children = ctx.tokens.children(record.id, TOKEN_CHILDREN_SHOWN);
  return {
    ...tokenDto(record, now),
    jwt: record.jwt,
    header: record.jwt ? (decodeProtectedHeader(record.jwt) as Json) : null,
    claims,
    claim_reasons: claimReasons,
    introspection,
    introspection_reasons: introspectionReasons,
    parent: parent ? tokenDto(parent, now) : null,
    children: children.tokens.map((child) => tokenDto(child, now)),
    children_total: children.total,
  };
}
