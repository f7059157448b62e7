import { decodeProtectedHeader } from 'jose';
import type { TokenDetail } from '../../../shared/schemas';
import { seconds } from '../clock';
import type { ProviderContext } from '../context';
import { type TokenRecord, tokenDto } from '../store/tokens';

type Json = TokenDetail['claims'];

/** A token as the UI inspects it: its state, its claims (the decoded JWT, or rebuilt from its row) and its introspection. */
export function tokenDetail(ctx: ProviderContext, record: TokenRecord): TokenDetail {
  const claims = ctx.tokenService.claimsOf(record) as Json;
  return {
    ...tokenDto(record, seconds(ctx.clock)),
    jwt: record.jwt,
    header: record.jwt ? (decodeProtectedHeader(record.jwt) as Json) : null,
    claims,
    // ID tokens are not introspectable (RFC 7662 covers access and refresh tokens).
    introspection: ctx.tokenService.introspection(record.kind === 'id' ? null : { record, claims }) as Json,
  };
}
