import { decodeProtectedHeader } from 'jose';
import { TOKEN_CHILDREN_SHOWN, type TokenDetail } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import { type TokenRecord, tokenDto } from '../../store/tokens';

type Json = TokenDetail['claims'];

/**
 * A token as the UI inspects it: its state, its claims (the decoded JWT, or rebuilt from its row), its
 * introspection, and its lineage: the token it was refreshed or exchanged from, and those issued from it.
 */
export async function tokenDetail(ctx: ProviderContext, record: TokenRecord): Promise<TokenDetail> {
  const now = seconds(ctx.clock);
  const claims = ctx.tokenService.claimsOf(record) as Json;
  // What /introspect answers right now, by the endpoint's own path (ID tokens are not introspectable).
  const introspection = ctx.tokenService.introspection(await ctx.tokenService.resolveStored(record)) as Json;
  const parent = record.parent_id ? ctx.tokens.findById(record.parent_id) : undefined;
  const children = ctx.tokens.children(record.id, TOKEN_CHILDREN_SHOWN);
  return {
    ...tokenDto(record, now),
    jwt: record.jwt,
    header: record.jwt ? (decodeProtectedHeader(record.jwt) as Json) : null,
    claims,
    introspection,
    parent: parent ? tokenDto(parent, now) : null,
    children: children.tokens.map((child) => tokenDto(child, now)),
    children_total: children.total,
  };
}
