import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import {
  decodeTokenCursor,
  encodeTokenCursor,
  type TokenCursor,
  type TokenPosition,
} from '../../../../shared/token-cursor';
import { seconds } from '../../lib/clock';
import type { ProviderContext } from '../../provider/context';
import { inBatches, PURGE_BATCH } from '../../provider/retention';
import { tokenDto } from '../../store/tokens';
import { type AdminContext, inTransaction, type NamespaceHandlers } from './common';
import { lookupToken, mintToken } from './mint';
import { tokenDetail } from './token-detail';

/**
 * Revokes every token of one grant, user or client (and the grant itself); returns how many. One
 * `tokens.revoked` event says how many: each token's own state (revoked_at, reason) still records its
 * end, and 500 rows of the same event buried the rest of Activity.
 */
function revokeMatching(
  ctx: ProviderContext,
  column: 'grant_id' | 'user_id' | 'client_id',
  value: string,
  reason: string,
  who: { client_id?: string | null; username?: string | null },
): number {
  return inTransaction(ctx, () => {
    const at = seconds(ctx.clock);
    const ids = ctx.tokens.revokeWhere(column, value, reason, at);
    if (column === 'grant_id') ctx.grants.revoke(value, reason, at);
    if (ids.length > 0) {
      ctx.events.record('tokens.revoked', {
        ...who,
        data: { by: 'admin', scope: column, [column]: value, revoked: ids.length },
      });
    }
    return ids.length;
  });
}

/**
 * `filter.cursor` decoded, for the filter's order; refused (invalid_input, saying what to do) with an
 * offset, when it does not decode, or when it continues another order. Undefined without a cursor.
 */
export function cursorOf(filter: AdminParsedInput<'tokens.list'>): TokenCursor | undefined {
  if (filter.cursor === undefined) return undefined;
  if (filter.offset > 0) {
    throw new AdminError(
      'invalid_input',
      'tokens.list takes a cursor or an offset, not both: page on with next_cursor alone (offset 0).',
    );
  }
  const cursor = decodeTokenCursor(filter.cursor);
  if (cursor === null) {
    throw new AdminError(
      'invalid_input',
      'The cursor is not one tokens.list gave (or it is from another version): start again without a cursor.',
    );
  }
  if (cursor.sort !== filter.sort) {
    throw new AdminError(
      'invalid_input',
      `The cursor continues a list sorted by ${cursor.sort}, not ${filter.sort}: ask with sort "${cursor.sort}", or start again without a cursor.`,
    );
  }
  return cursor;
}

/** Where a page of one issuer's list starts (null: at the start). */
function cursorPosition(filter: AdminParsedInput<'tokens.list'>): TokenPosition | null {
  const cursor = cursorOf(filter);
  if (cursor === undefined) return null;
  const at = cursor.at;
  if (typeof at.seq !== 'number') {
    throw new AdminError(
      'invalid_input',
      'The cursor continues a list of every issuer (scope "*"): use it with that scope, or start again without a cursor.',
    );
  }
  const position = at as TokenPosition;
  if (filter.sort.startsWith('expires') && position.expires === undefined) {
    throw new AdminError(
      'invalid_input',
      'The cursor has no expiry for an expiry order: start again without a cursor.',
    );
  }
  return position;
}

export function tokenHandlers({ ctx }: AdminContext): NamespaceHandlers<'tokens'> {
  return {
    'tokens.list': (filter) => {
      const at = seconds(ctx.clock);
      const { tokens, total, next } = ctx.tokens.list(filter, at, cursorPosition(filter));
      return {
        tokens: tokens.map((t) => ({ ...tokenDto(t, at), seq: t.seq })),
        total,
        next_cursor: next === null ? null : encodeTokenCursor({ sort: filter.sort, at: next }),
      };
    },
    'tokens.count': (match) => ctx.tokens.count(match, seconds(ctx.clock)),
    'tokens.get': ({ id }) => {
      const record = ctx.tokens.findById(id);
      if (!record) throw new AdminError('not_found', `No token with id "${id}".`);
      return tokenDetail(ctx, record);
    },
    'tokens.mint': (input) => mintToken(ctx, input),
    'tokens.lookup': ({ value }) => lookupToken(ctx, value),
    'tokens.revoke': ({ id }) =>
      inTransaction(ctx, () => {
        const token = ctx.tokens.findById(id);
        if (!token) throw new AdminError('not_found', `No token with id "${id}".`);
        const changed = ctx.tokens.revoke(id, 'revoked_by_admin', seconds(ctx.clock));
        if (changed) {
          ctx.events.record('token.revoked', {
            client_id: token.client_id,
            username: token.username,
            token_id: id,
            data: { by: 'admin', scope: 'token' },
          });
        }
        return { revoked: changed ? 1 : 0 };
      }),
    'tokens.revokeGrant': ({ grant_id }) => {
      const grant = ctx.grants.find(grant_id);
      if (!grant) throw new AdminError('not_found', `No grant with id "${grant_id}".`);
      const who = { client_id: grant.client_id, username: grant.username };
      return { revoked: revokeMatching(ctx, 'grant_id', grant_id, 'revoked_by_admin', who) };
    },
    'tokens.revokeUser': ({ username }) => ({
      revoked: revokeMatching(ctx, 'user_id', ctx.users.require(username).id, 'revoked_by_admin', {
        username,
      }),
    }),
    'tokens.revokeClient': ({ client_id }) => {
      ctx.clients.require(client_id);
      return { revoked: revokeMatching(ctx, 'client_id', client_id, 'revoked_by_admin', { client_id }) };
    },
    'tokens.purgeExpired': async () => {
      const cutoff = seconds(ctx.clock);
      const purged = await inBatches(ctx, () => ctx.tokens.purgeExpiredBefore(cutoff, PURGE_BATCH));
      inTransaction(ctx, () => {
        ctx.codes.purgeExpiredBefore(cutoff);
        if (purged) ctx.events.record('tokens.purged', { data: { purged } });
      });
      return { purged };
    },
  };
}
