import { contextBridge, ipcRenderer } from 'electron';
import { type AdminMethod, buildAdminApi, IPC_ADMIN_PREFIX, IPC_EVENT_CHANNEL } from '../../shared/contract';
import { AdminError, type AdminErrorCode } from '../../shared/errors';
import type { AdminScope } from '../../shared/issuers';
import type { LiveBatch, LiveGap } from '../../shared/live-gap';
import type { EngineEvent } from '../../shared/schemas';

type IpcResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: AdminErrorCode; message: string } };

function onBatch(listener: (batch: LiveBatch) => void): () => void {
  // The gap is a second argument (main.ts): absent from a batch that left nothing out.
  const handler = (_event: unknown, events: EngineEvent[], gap?: LiveGap) =>
    listener({ events, gap: gap ?? null });
  ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
  return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
}

// Exposes domain methods only (`idp.users.list()`), built from the shared contract: the page
// never gets ipcRenderer or a generic invoke.
const api = buildAdminApi(
  async (method: AdminMethod, input: unknown, scope: AdminScope) => {
    const result = (await ipcRenderer.invoke(`${IPC_ADMIN_PREFIX}${method}`, input, scope)) as IpcResult;
    if (!result.ok) throw new AdminError(result.error.code, result.error.message);
    return result.value;
  },
  {
    // Each message is a batch of events (see main.ts): per-event listeners get its events one by one
    // (and never a gap, which only ever leaves request-rate events out: shared/live-gap.ts).
    subscribe: (listener) =>
      onBatch(({ events }) => {
        for (const event of events) listener(event);
      }),
    subscribeBatch: (listener) => onBatch(listener),
    // The engine runs in this window's own main process: while the window lives, so does the engine.
    connection: () => 'live',
    onConnectionChange: () => () => {},
  },
);

contextBridge.exposeInMainWorld('idp', api);
