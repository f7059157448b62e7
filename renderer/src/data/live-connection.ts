import { useSyncExternalStore } from 'react';
import type { LiveConnection } from '../../../shared/contract';
import { adminApi } from '../api';

const subscribe = (listener: () => void) => adminApi.live.onConnectionChange(listener);
const read = (): LiveConnection => adminApi.live.connection();

/** The live event stream's state: the header, the Activity badge and the banner all follow this one. */
export function useLiveConnection(): LiveConnection {
  return useSyncExternalStore(subscribe, read);
}

/**
 * Calls `listener` each time the live stream is back after being down. Events sent meanwhile may be
 * missing (a long gap, or an engine restarted on another workspace), so a view that keeps live state
 * starts it again from the engine here. Returns an unsubscribe function.
 */
export function onBackLive(listener: () => void): () => void {
  let wasDown = false;
  return adminApi.live.onConnectionChange(() => {
    const connection = adminApi.live.connection();
    if (connection === 'down') wasDown = true;
    else if (connection === 'live' && wasDown) {
      wasDown = false;
      listener();
    }
  });
}
