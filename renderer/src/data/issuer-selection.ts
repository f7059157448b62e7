import { notifications } from '@mantine/notifications';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { AdminError } from '../../../shared/errors';
import { type IssuerSummary, ROOT_ISSUER_ID } from '../../../shared/issuers';
import { adminApi } from '../api';
import { useAdminQuery } from './contract-queries';
import { invalidateTargets, keyIsUnder } from './invalidation';

/**
 * Which issuer of the workspace the UI shows. adminApi carries the selection into every call and
 * filters the live stream by it; this module persists it, tells React about it, and makes sure no
 * page keeps showing the previous issuer's data after a switch.
 */

/** localStorage is per origin: in browser mode that is the engine's own, so each engine keeps its choice. */
export const ISSUER_STORAGE_KEY = 'idp-sandbox.issuer';

function storedIssuer(): string | null {
  try {
    return localStorage.getItem(ISSUER_STORAGE_KEY);
  } catch {
    // Storage refused (a sandboxed context): the UI starts at the root issuer every time.
    return null;
  }
}

function persist(id: string): void {
  try {
    if (id === ROOT_ISSUER_ID) localStorage.removeItem(ISSUER_STORAGE_KEY);
    else localStorage.setItem(ISSUER_STORAGE_KEY, id);
  } catch {
    // Not persisted; the selection still holds for this tab.
  }
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentIssuer = (): string => adminApi.issuer.current();

/** The selected issuer's id ("root" for the root issuer); re-renders when it changes. */
export function useSelectedIssuer(): string {
  return useSyncExternalStore(subscribe, currentIssuer);
}

/**
 * Selects another issuer. Every cached answer but the issuer list is the previous issuer's: each is
 * reset (an answer still on its way is dropped) and the shown ones load again for the new issuer.
 * App.tsx also remounts the page under a key of the issuer, so no view keeps its previous rows as a
 * placeholder, nor a drawer open on the previous issuer's user.
 */
export async function switchIssuer(queryClient: QueryClient, id: string): Promise<void> {
  if (id === currentIssuer()) return;
  adminApi.issuer.select(id);
  persist(id);
  for (const listener of listeners) listener();
  await Promise.all([
    queryClient.resetQueries({ predicate: (query) => !keyIsUnder(query.queryKey, 'issuers') }),
    invalidateTargets(queryClient, ['issuers']),
  ]);
}

/** Says that the issuer the UI showed is gone, and that it shows the root issuer instead. */
function notifyGone(message: string): void {
  notifications.show({ color: 'yellow', title: 'Issuer gone', message, autoClose: 8000 });
}

/** Back to the root issuer, saying why, when the selected one is gone. */
function fallBackToRoot(queryClient: QueryClient, why: string): void {
  if (currentIssuer() === ROOT_ISSUER_ID) return;
  void switchIssuer(queryClient, ROOT_ISSUER_ID);
  notifyGone(`${why} The UI shows the root issuer now.`);
}

/**
 * Applies the persisted choice before anything else asks the engine: false until then. The issuer
 * list is read while the root issuer is still selected (a call scoped to a deleted issuer is refused),
 * and a remembered issuer that no longer exists falls back to the root with a notification.
 */
export function useRestoredIssuer(): boolean {
  const [wanted] = useState(storedIssuer);
  const needsCheck = wanted !== null && wanted !== ROOT_ISSUER_ID && wanted !== currentIssuer();
  const [ready, setReady] = useState(!needsCheck);
  const issuers = useAdminQuery('issuers.list', undefined, { enabled: !ready });
  useEffect(() => {
    if (ready || wanted === null) return;
    if (issuers.data) {
      if (issuers.data.some((issuer) => issuer.id === wanted)) {
        adminApi.issuer.select(wanted);
        for (const listener of listeners) listener();
      } else {
        persist(ROOT_ISSUER_ID);
        notifyGone('The issuer this tab showed last no longer exists. The UI shows the root issuer.');
      }
      setReady(true);
    } else if (issuers.isError) {
      // The engine does not answer: start at the root (the stored choice stays for the next start);
      // the connection banner says what is wrong.
      setReady(true);
    }
  }, [ready, wanted, issuers.data, issuers.isError]);
  return ready;
}

/**
 * Keeps the selection on an issuer that exists: when the selected one is deleted (its issuer.deleted
 * event, or, with the live stream down, a refused call to it), the UI falls back to the root issuer.
 */
export function useIssuerFallback(issuers: {
  data: readonly IssuerSummary[] | undefined;
  error: Error | null;
  isFetching: boolean;
}): void {
  const queryClient = useQueryClient();
  const selected = useSelectedIssuer();
  useEffect(
    () =>
      adminApi.live.subscribe((event) => {
        if (event.type === 'issuer.deleted' && event.data.id === currentIssuer()) {
          const name = typeof event.data.name === 'string' ? event.data.name : event.data.id;
          fallBackToRoot(queryClient, `The selected issuer "${name}" was deleted.`);
        }
      }),
    [queryClient],
  );
  // Judged on a settled list only: a switch refetches it, and a list from before may not have the issuer yet.
  const missing =
    selected !== ROOT_ISSUER_ID &&
    !issuers.isFetching &&
    ((issuers.data !== undefined && !issuers.data.some((issuer) => issuer.id === selected)) ||
      (issuers.error instanceof AdminError && issuers.error.code === 'not_found'));
  useEffect(() => {
    if (missing) fallBackToRoot(queryClient, 'The selected issuer no longer exists.');
  }, [missing, queryClient]);
}

/** Switches the UI to another issuer (see switchIssuer). */
export function useSwitchIssuer(): (id: string) => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback((id: string) => switchIssuer(queryClient, id), [queryClient]);
}
