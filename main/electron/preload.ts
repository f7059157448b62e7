import { contextBridge, ipcRenderer } from 'electron';
import { type AdminMethod, buildAdminApi, IPC_ADMIN_PREFIX, IPC_EVENT_CHANNEL } from '../../shared/contract';
import { AdminError, type AdminErrorCode } from '../../shared/errors';
import type { AdminScope } from '../../shared/issuers';
import type { EngineEvent } from '../../shared/schemas';

type IpcResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: AdminErrorCode; message: string } };

// Exposes domain methods only (`idp.users.list()`), built from the shared contract: the page
// never gets ipcRenderer or a generic invoke.
const api = buildAdminApi(
  async (method: AdminMethod, input: unknown, scope: AdminScope) => {
    const result = (await ipcRenderer.invoke(`${IPC_ADMIN_PREFIX}${method}`, input, scope)) as IpcResult;
    if (!result.ok) throw new AdminError(result.error.code, result.error.message);
    return result.value;
  },
  {
    subscribe: (listener) => {
      const handler = (_event: unknown, engineEvent: EngineEvent) => listener(engineEvent);
      ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
      return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    },
    // The engine runs in this window's own main process: while the window lives, so does the engine.
    connection: () => 'live',
    onConnectionChange: () => () => {},
  },
);

contextBridge.exposeInMainWorld('idp', api);
