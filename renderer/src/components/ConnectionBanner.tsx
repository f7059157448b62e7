import { Alert, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useLiveConnection } from '../data/live-connection';

/**
 * Shown while the engine does not answer, so nobody takes what is on screen for the current state:
 * it says since when the data is old and that the UI reconnects by itself.
 */
export function ConnectionBanner() {
  const connection = useLiveConnection();
  const [downSince, setDownSince] = useState<Date | null>(null);
  useEffect(() => {
    setDownSince((since) => (connection === 'down' ? (since ?? new Date()) : null));
  }, [connection]);
  if (connection !== 'down' || !downSince) return null;
  return (
    <Alert color="red" mb="md" title="The engine is not answering" role="status" aria-live="polite">
      <Text size="sm">
        It was stopped or restarted, or cannot be reached. What you see is from{' '}
        {downSince.toLocaleTimeString()} and may be out of date. This page reconnects by itself when the
        engine is back on the same data folder; nothing needs to be reloaded.
      </Text>
    </Alert>
  );
}
