import { AdminError } from '../../../shared/errors';
import { type Db, storeFullExplanation } from '../store/database';
import { clientHandlers } from './handlers/clients';
import type { AdminContext, AdminHandlers } from './handlers/common';
import { deviceHandlers } from './handlers/devices';
import { engineHandlers } from './handlers/engine';
import { eventHandlers } from './handlers/events';
import { faultHandlers } from './handlers/faults';
import { issuerHandlers } from './handlers/issuers';
import { keycloakHandlers } from './handlers/keycloak';
import { keyHandlers } from './handlers/keys';
import { labHandlers } from './handlers/lab';
import { playgroundHandlers } from './handlers/playground';
import { settingsHandlers } from './handlers/settings';
import { tokenHandlers } from './handlers/tokens';
import { userHandlers } from './handlers/users';
import { workspaceHandlers } from './handlers/workspace';

export type { AdminContext, AdminHandlers };

/**
 * The one admin service: the renderer (over IPC or HTTP), the seed loader and scripts all call it.
 * Inputs arrive already validated against the shared contract by `dispatchAdmin`. Every change runs
 * in one transaction together with its event, so nothing is half-written.
 *
 * Each namespace of the contract has its module under handlers/; the `AdminHandlers` type makes this
 * table fail to compile when a contract method has no handler.
 */
export function createAdminService(admin: AdminContext): AdminHandlers {
  return explainingStoreFull(admin.ctx.db, {
    ...engineHandlers(admin),
    ...settingsHandlers(admin),
    ...userHandlers(admin),
    ...clientHandlers(admin),
    ...tokenHandlers(admin),
    ...playgroundHandlers(admin),
    ...labHandlers(admin),
    ...keyHandlers(admin),
    ...eventHandlers(admin),
    ...faultHandlers(admin),
    ...deviceHandlers(admin),
    ...workspaceHandlers(admin),
    ...keycloakHandlers(admin),
    ...issuerHandlers(admin),
  });
}

/**
 * A write refused for want of room (SQLITE_FULL) is answered with what to do about this issuer's own
 * store, over IPC and HTTP alike: SQLite's words ("database or disk is full") say neither which store
 * nor what to do. Here, and not in a transport, because each issuer has its own database.
 */
function explainingStoreFull(db: Db, handlers: AdminHandlers): AdminHandlers {
  const explained: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (input: unknown) => unknown][]) {
    explained[method] = async (input) => {
      try {
        return await handler(input);
      } catch (error) {
        const storeFull = storeFullExplanation(db, error);
        throw storeFull === null ? error : new AdminError('internal', storeFull);
      }
    };
  }
  return explained as AdminHandlers;
}
