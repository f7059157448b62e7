import { HTTP_UI_TOKEN_PARAM } from '../../../shared/contract';

/**
 * Browser mode's credential: the UI token of the printed URL. It lives in the tab's sessionStorage,
 * which only this origin (scheme, host and port) can read and which survives reloads of the tab, and
 * is sent as a header on every admin call. Never in a cookie: browsers send a host's cookies to every
 * port of it, so any local listener the browser visits would receive it.
 */
export const UI_TOKEN_STORAGE_KEY = 'idp-sandbox.ui-token';

export interface UiSession {
  /** The UI token this tab sends, or null when the tab was not opened through the printed link. */
  token(): string | null;
  /** The engine refused the token (it restarted, with a new one): forget it and tell the listeners. */
  expire(): void;
  /** For the UI: signed in, never signed in (no link opened in this tab), or refused by the engine. */
  state(): UiSessionState;
  subscribe(listener: () => void): () => void;
}

export type UiSessionState = 'signed-in' | 'needs-link' | 'expired';

type TabWindow = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

function readStored(storage: Storage): string | null {
  try {
    return storage.getItem(UI_TOKEN_STORAGE_KEY);
  } catch {
    return null; // storage turned off: the token lives in memory only, until the tab reloads
  }
}

function writeStored(storage: Storage, token: string | null): void {
  try {
    if (token === null) storage.removeItem(UI_TOKEN_STORAGE_KEY);
    else storage.setItem(UI_TOKEN_STORAGE_KEY, token);
  } catch {
    // as above
  }
}

/**
 * Takes the token out of the address bar (so it is not bookmarked, shared in a screenshot or left in
 * the tab's history entry) into the tab's storage, and keeps the route (`#/users`) as it was.
 */
export function openUiSession(tab: TabWindow): UiSession {
  const url = new URL(tab.location.href);
  const fromLink = url.searchParams.get(HTTP_UI_TOKEN_PARAM);
  let token = fromLink || readStored(tab.sessionStorage);
  if (fromLink !== null) {
    url.searchParams.delete(HTTP_UI_TOKEN_PARAM);
    tab.history.replaceState(tab.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    writeStored(tab.sessionStorage, token);
  }
  let expired = false;
  const listeners = new Set<() => void>();
  return {
    token: () => token,
    state: () => (expired ? 'expired' : token ? 'signed-in' : 'needs-link'),
    expire() {
      if (token === null) return;
      expired = true;
      token = null;
      writeStored(tab.sessionStorage, null);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
