import { isoFromSeconds, seconds } from '../../lib/clock';
import type { SessionRecord } from '../../store/sessions';
import { userDto } from '../../store/users';
import { type AdminContext, inTransaction, type NamespaceHandlers } from './common';
import { previewClaims } from './preview';
import { tokenHandlers } from './tokens';

function sessionDto(session: SessionRecord) {
  return {
    id: session.id,
    auth_time: isoFromSeconds(session.auth_time),
    created_at: isoFromSeconds(session.created_at),
  };
}

export function userHandlers(admin: AdminContext): NamespaceHandlers<'users'> {
  const { ctx } = admin;
  // "Sign out everywhere" revokes through the Tokens page's own bulk action, so both write the same
  // single `tokens.revoked` event with a count.
  const revokeUser = tokenHandlers(admin)['tokens.revokeUser'];
  return {
    'users.list': ({ search }) => ctx.users.list(search).map(userDto),
    'users.get': ({ username }) => userDto(ctx.users.require(username)),
    'users.previewClaims': (input) => previewClaims(ctx, input),
    'users.create': (input) =>
      inTransaction(ctx, () => {
        const user = ctx.users.create(input, seconds(ctx.clock));
        ctx.events.record('user.created', { username: user.username });
        return userDto(user);
      }),
    'users.update': ({ username, user: input }) =>
      inTransaction(ctx, () => {
        const user = ctx.users.replace(ctx.users.require(username), input, seconds(ctx.clock));
        if (user.username !== username) {
          // The user's tokens move with the rename, so filtering by the new name finds them.
          ctx.tokens.renameUser(user.id, user.username);
          ctx.grants.renameUser(user.id, user.username);
        }
        ctx.events.record('user.updated', { username: user.username, data: { previous_username: username } });
        return userDto(user);
      }),
    'users.delete': ({ username }) =>
      inTransaction(ctx, () => {
        const user = ctx.users.require(username);
        const at = seconds(ctx.clock);
        const revoked = ctx.tokens.revokeWhere('user_id', user.id, 'user_deleted', at);
        // A browser still signed in as the deleted user must not sign in again on the strength of it.
        const sessionsEnded = ctx.sessions.endAllForUser(user.id, at);
        ctx.users.delete(user.id);
        ctx.events.record('user.deleted', {
          username,
          data: { revoked_tokens: revoked.length, sessions_ended: sessionsEnded },
        });
        return { deleted: true as const };
      }),
    'users.sessions': ({ username }) =>
      ctx.sessions.listActiveForUser(ctx.users.require(username).id).map(sessionDto),
    'users.signOutEverywhere': ({ username }) =>
      inTransaction(ctx, () => {
        const user = ctx.users.require(username);
        const sessionsEnded = ctx.sessions.endAllForUser(user.id, seconds(ctx.clock));
        if (sessionsEnded > 0) {
          ctx.events.record('logout', {
            username,
            data: { by: 'admin', everywhere: true, sessions_ended: sessionsEnded },
          });
        }
        const result = revokeUser({ username });
        // Run inside this transaction (a nested one is a savepoint), so both parts land or neither.
        if (result instanceof Promise) throw new Error('tokens.revokeUser must stay synchronous');
        return { sessions_ended: sessionsEnded, tokens_revoked: result.revoked };
      }),
  };
}
