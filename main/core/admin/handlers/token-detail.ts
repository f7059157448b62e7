import { decodeProtectedHeader } from 'jose';
import type { TokenDetail } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import { type TokenRecord, tokenDto } from '../../store/tokens';

type Json = TokenDetail['claims'];

/** A token as the UI inspects it: its state, its claims (the decoded JWT, or rebuilt from its row) and its introspection. */
export async function tokenDetail(ctx: ProviderContext, record: TokenRecord): Promise<TokenDetail> {
  const claims = ctx.tokenService.claimsOf(record) as Json;
  // What /introspect answers right now, by the endpoint's own path (ID tokens are not introspectable).
  const introspection = ctx.tokenService.introspection(await ctx.tokenService.resolveStored(record)) as Json;
  return {
    ...tokenDto(record, seconds(ctx.clock)),
    jwt: record.jwt,
    header: record.jwt ? (decodeProtectedHeader(record.jwt) as Json) : null,
    claims,
    introspection,
  };
}
