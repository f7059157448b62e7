import { runPlayground } from '../playground/run';
import type { AdminContext, NamespaceHandlers } from './common';

export function playgroundHandlers(admin: AdminContext): NamespaceHandlers<'playground'> {
  return {
    'playground.run': (input) =>
      runPlayground({ ctx: admin.ctx, localOrigin: admin.localOrigin, localCa: admin.localCa }, input),
  };
}
