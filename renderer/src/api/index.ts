import type { AdminApi } from '../../../shared/contract';
import { createHttpAdminApi } from './http-transport';
import { openUiSession, type UiSession } from './ui-session';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    idp?: AdminApi;
  }
}

/**
 * IPC in the desktop app (no sign-in needed); HTTP in browser mode, where the tab's sign-in is opened
 * as this module loads, before anything renders, so the token leaves the address bar at once.
 */
function connect(): { adminApi: AdminApi; uiSession: UiSession | null } {
  if (window.idp) return { adminApi: window.idp, uiSession: null };
  const session = openUiSession(window);
  return { adminApi: createHttpAdminApi(session), uiSession: session };
}

/** The renderer's one way to the engine, and browser mode's sign-in (null in the desktop app). */
export const { adminApi, uiSession } = connect();
