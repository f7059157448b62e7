import type { LiveBatch } from '../../shared/live-gap';

/**
 * The live stream as a test pushes it: the one batch listener the code under test subscribed (null
 * once it unsubscribed). A test mocks `api` with `liveStreamApi` and sends batches through `live`.
 */
export const live = { listener: null as ((batch: LiveBatch) => void) | null };

export const liveStreamApi = {
  adminApi: {
    live: {
      subscribeBatch: (listener: (batch: LiveBatch) => void) => {
        live.listener = listener;
        return () => {
          live.listener = null;
        };
      },
    },
  },
};
