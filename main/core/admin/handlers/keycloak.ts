import { workspaceToRealm } from '../keycloak/export';
import { realmToWorkspace } from '../keycloak/import';
import type { AdminContext, NamespaceHandlers } from './common';
import { checkImport, importWorkspace } from './workspace';
import { exportWorkspace } from './workspace-export';

/** Keycloak realm files to and from the workspace (main/core/admin/keycloak/). */
export function keycloakHandlers(admin: AdminContext): NamespaceHandlers<'keycloak'> {
  return {
    'keycloak.export': ({ realm }) => workspaceToRealm(exportWorkspace(admin.ctx, false), realm),
    'keycloak.import': async ({ realm, dry_run }) => {
      const { workspace, skipped } = realmToWorkspace(realm);
      if (dry_run) {
        // The same checks as a real import (duplicates, settings), so a dry run fails where it would.
        await checkImport(workspace);
        const summary = {
          users: workspace.users?.length ?? 0,
          clients: workspace.clients?.length ?? 0,
          keys: 0,
          settings: true,
        };
        return { summary, skipped, dry_run };
      }
      return { summary: await importWorkspace(admin, workspace), skipped, dry_run };
    },
  };
}
