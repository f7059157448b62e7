import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notifySuccess } from '../lib/errors';
import type { QueryRoot } from './keys';

interface Options<TOutput> {
  /** Query roots made stale by success (live events do this too; this covers a dropped stream). */
  invalidate: QueryRoot[];
  /** A success notification, if the result is not already visible on screen. */
  success?: string | ((output: TOutput) => string);
}

/**
 * A TanStack mutation around one admin call. Errors stay on the mutation (`error`) for the caller to
 * show inline next to the form; nothing is swallowed.
 */
export function useAdminMutation<TInput, TOutput>(
  fn: (input: TInput) => Promise<TOutput>,
  options: Options<TOutput>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (output) => {
      if (options.success) {
        notifySuccess(typeof options.success === 'string' ? options.success : options.success(output));
      }
      await Promise.all(
        options.invalidate.map((root) => queryClient.invalidateQueries({ queryKey: [root] })),
      );
    },
  });
}
