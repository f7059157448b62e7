import { seconds } from '../../lib/clock';
import { keyDto } from '../../store/keys';
import { type AdminContext, inTransaction, type NamespaceHandlers, recordRevocations } from './common';

export function keyHandlers({ ctx, keyManager }: AdminContext): NamespaceHandlers<'keys'> {
  return {
    'keys.list': () => {
      // Reading the current key activates a staged key whose time has come, so the list is never stale.
      ctx.keys.current();
      return ctx.keys.list().map(keyDto);
    },
    'keys.rotate': async ({ alg }) => keyDto(await keyManager.rotate(alg)),
    'keys.stage': async ({ alg, activate_after_seconds }) =>
      keyDto(await keyManager.stage({ alg, activateAfterSeconds: activate_after_seconds })),
    'keys.activate': ({ kid }) => keyDto(keyManager.activate(kid)),
    'keys.retire': ({ kid }) =>
      inTransaction(ctx, () => {
        const was = ctx.keys.find(kid)?.status;
        const key = ctx.keys.retire(kid, seconds(ctx.clock));
        // Tokens signed with it can no longer be verified by anyone: they are revoked, not "active".
        const revoked = ctx.tokens.revokeSignedBy(kid, 'key_retired', seconds(ctx.clock));
        ctx.events.record('key.retired', { data: { kid, was: was ?? null, revoked_tokens: revoked.length } });
        recordRevocations(ctx, revoked, { by: 'key_retired', kid });
        return keyDto(key);
      }),
  };
}
