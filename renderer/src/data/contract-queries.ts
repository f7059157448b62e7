import {
  type QueryKey,
  type UseQueryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { AdminInput, AdminMethod, AdminOutput } from '../../../shared/contract';
import { adminApi } from '../api';
import { notifySuccess } from '../lib/errors';
import { type InvalidationTarget, invalidateTargets, namespaceOf } from './invalidation';

type AdminCall = (input: unknown) => Promise<unknown>;

/** Calls one admin method by its contract name ("users.list"), over whichever transport the app uses. */
export function callAdmin<M extends AdminMethod>(
  method: M,
  input: AdminInput<M> | undefined,
): Promise<AdminOutput<M>> {
  const [namespace, action] = method.split('.') as [string, string];
  const call = (adminApi as unknown as Record<string, Record<string, AdminCall> | undefined>)[namespace]?.[
    action
  ];
  if (!call) return Promise.reject(new Error(`${method} is not a method of the admin contract`));
  return call(input ?? {}) as Promise<AdminOutput<M>>;
}

/** The cache key of an admin query: the method's name, then its input when it has one. */
export function adminQueryKey<M extends AdminMethod>(method: M, input?: AdminInput<M>): QueryKey {
  return input === undefined ? [method] : [method, input];
}

type AdminQueryOptions<M extends AdminMethod> = Omit<
  UseQueryOptions<AdminOutput<M>, Error, AdminOutput<M>, QueryKey>,
  'queryKey' | 'queryFn'
>;

/** The input may be left out where the method needs none (every field optional). */
type AdminQueryArgs<M extends AdminMethod> =
  Record<string, never> extends AdminInput<M>
    ? [input?: AdminInput<M>, options?: AdminQueryOptions<M>]
    : [input: AdminInput<M>, options?: AdminQueryOptions<M>];

/**
 * Reads one admin method through the query cache: `useAdminQuery('users.list', { search })`. Live
 * events and mutations make it stale by its method's name (see invalidation.ts).
 */
export function useAdminQuery<M extends AdminMethod>(method: M, ...args: AdminQueryArgs<M>) {
  const [input, options] = args as [AdminInput<M> | undefined, AdminQueryOptions<M> | undefined];
  return useQuery({
    ...options,
    queryKey: adminQueryKey(method, input),
    queryFn: () => callAdmin(method, input),
  });
}

interface AdminMutationOptions<M extends AdminMethod> {
  /**
   * What success makes stale besides the method's own namespace; "everything" for a change to the
   * whole workspace. Live events do this too; this covers a dropped event stream.
   */
  invalidates?: readonly InvalidationTarget[] | 'everything';
  /** A success notification, if the result is not already visible on screen. */
  success?: string | ((output: AdminOutput<M>, input: AdminInput<M>) => string);
}

/**
 * One admin call as a TanStack mutation: `useAdminMutation('users.delete').mutate({ username })`.
 * Errors stay on the mutation (`error`, or the rejected `mutateAsync`) for the caller to show where
 * the user acted; nothing is swallowed.
 */
export function useAdminMutation<M extends AdminMethod>(method: M, options: AdminMutationOptions<M> = {}) {
  const queryClient = useQueryClient();
  return useMutation<AdminOutput<M>, Error, AdminInput<M>>({
    mutationFn: (input) => callAdmin(method, input),
    onSuccess: async (output, input) => {
      const { success, invalidates = [] } = options;
      if (success) notifySuccess(typeof success === 'string' ? success : success(output, input));
      if (invalidates === 'everything') await queryClient.invalidateQueries();
      else await invalidateTargets(queryClient, [namespaceOf(method), ...invalidates]);
    },
  });
}

/** The engine's issuer, version, port and HTTPS state: the one definition of that query. */
export function useEngineInfo() {
  // Re-checked when the window regains focus, so the header's server state is never stale for long.
  return useAdminQuery('engine.info', undefined, { refetchOnWindowFocus: true });
}
