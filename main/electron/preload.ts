import { contextBridge, ipcRenderer } from 'electron';
import { type AdminMethod, buildAdminApi } from '../../shared/contract';
import { AdminError } from '../../shared/errors';

// Exposes domain methods only (`idp.engine.info()`), built from the shared contract: the page
// never gets ipcRenderer or a generic invoke.
const api = buildAdminApi(async (method: AdminMethod, input: unknown) => {
  const result = (await ipcRenderer.invoke(`idp:admin:${method}`, input)) as
    | { ok: true; value: unknown }
    | { ok: false; error: { code: AdminError['code']; message: string } };
  if (!result.ok) throw new AdminError(result.error.code, result.error.message);
  return result.value;
});

contextBridge.exposeInMainWorld('idp', api);
