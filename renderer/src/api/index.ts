import type { AdminApi } from '../../../shared/contract';
import { createHttpAdminApi } from './http-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    idp?: AdminApi;
  }
}

/** The renderer's one way to the engine: IPC in the desktop app, HTTP in browser mode. */
export const adminApi: AdminApi = window.idp ?? createHttpAdminApi();
