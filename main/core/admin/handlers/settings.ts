import { type AdminContext, inTransaction, type NamespaceHandlers } from './common';

export function settingsHandlers({ ctx, keyManager }: AdminContext): NamespaceHandlers<'settings'> {
  return {
    'settings.get': () => ctx.settings.get(),
    'settings.update': async (patch) => {
      const before = ctx.settings.get();
      const after = inTransaction(ctx, () => {
        const next = ctx.settings.update(patch);
        const changed = Object.keys(patch).filter(
          (k) =>
            JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(next[k as keyof typeof next]),
        );
        if (changed.length) ctx.events.record('settings.changed', { data: { changed, settings: next } });
        return next;
      });
      if (after.signing_alg !== before.signing_alg) await keyManager.ensureCurrent();
      return after;
    },
  };
}
