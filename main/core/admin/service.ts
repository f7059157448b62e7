import type { AdminMethod, AdminOutput, AdminParsedInput } from '../../../shared/contract';
import { VERSION } from '../version';

export interface AdminContext {
  issuer(): string;
  dataDir: string | null;
  startedAt: Date;
}

export type AdminHandlers = {
  [M in AdminMethod]: (input: AdminParsedInput<M>) => AdminOutput<M> | Promise<AdminOutput<M>>;
};

/**
 * The one admin service: the renderer (over IPC or HTTP), the seed loader and scripts all call it.
 * Inputs arrive already validated against the shared contract by `dispatchAdmin`.
 */
export function createAdminService(ctx: AdminContext): AdminHandlers {
  return {
    'engine.info': () => ({
      issuer: ctx.issuer(),
      version: VERSION,
      dataDir: ctx.dataDir,
      startedAt: ctx.startedAt.toISOString(),
    }),
  };
}
