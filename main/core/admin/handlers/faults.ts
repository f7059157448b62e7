import { AdminError } from '../../../../shared/errors';
import { MAX_ACTIVE_FAULTS } from '../../../../shared/faults';
import type { AdminContext, NamespaceHandlers } from './common';

/** Faults on demand (QA lab): the board lives on the provider context, in memory (provider/faults.ts). */
export function faultHandlers({ ctx }: AdminContext): NamespaceHandlers<'faults'> {
  return {
    'faults.list': () => ctx.faults.list(),
    'faults.add': (input) => {
      if (ctx.faults.size >= MAX_ACTIVE_FAULTS) {
        throw new AdminError(
          'conflict',
          `${MAX_ACTIVE_FAULTS} faults are on already; turn some off (faults.remove or faults.clear) first.`,
        );
      }
      return ctx.faults.add(input);
    },
    'faults.remove': ({ id }) => {
      if (!ctx.faults.remove(id)) {
        throw new AdminError('not_found', `No fault "${id}" is on (it may have turned itself off).`);
      }
      return { removed: true };
    },
    'faults.clear': () => ({ cleared: ctx.faults.clear() }),
  };
}
