import { seconds } from '../../lib/clock';
import { userDto } from '../../store/users';
import { type AdminContext, inTransaction, type NamespaceHandlers } from './common';
import { previewClaims } from './preview';

export function userHandlers({ ctx }: AdminContext): NamespaceHandlers<'users'> {
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
        const revoked = ctx.tokens.revokeWhere('user_id', user.id, 'user_deleted', seconds(ctx.clock));
        ctx.users.delete(user.id);
        ctx.events.record('user.deleted', { username, data: { revoked_tokens: revoked.length } });
        return { deleted: true as const };
      }),
  };
}
