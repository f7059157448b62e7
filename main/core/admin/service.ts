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
  return {
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
  };
}
