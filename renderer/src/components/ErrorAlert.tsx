import { Alert } from '@mantine/core';
import { errorMessage } from '../lib/errors';

/**
 * Why an action failed, in red and announced to screen readers; nothing while there is no error (a
 * mutation's or query's `error` is null until one fails).
 */
export function ErrorAlert({ title, error }: { title: string; error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <Alert color="red" role="alert" title={title}>
      {errorMessage(error)}
    </Alert>
  );
}
