import { useSyncExternalStore } from 'react';
import type { LiveConnection } from '../../../shared/contract';
import { adminApi } from '../api';

const subscribe = (listener: () => void) => adminApi.live.onConnectionChange(listener);
const read = (): LiveConnection => adminApi.live.connection();

/** The live event stream's state: the header, the Activity badge and the banner all follow this one. */
export function useLiveConnection(): LiveConnection {
  return useSyncExternalStore(subscribe, read);
}
