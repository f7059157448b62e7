import { Alert, Button, Center, Loader } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { errorMessage } from '../lib/errors';

/** The loading spinner or the readable error of a query, with a retry; nothing once data is there. */
export function QueryState({ query, what }: { query: UseQueryResult<unknown>; what: string }) {
  if (query.isPending) {
    return (
      <Center p="lg">
        <Loader aria-label={`Loading ${what}`} />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <Alert color="red" title={`Could not load ${what}`} role="alert">
        {errorMessage(query.error)}{' '}
        <Button size="xs" variant="white" color="red" onClick={() => void query.refetch()}>
          Retry
        </Button>
      </Alert>
    );
  }
  return null;
}
