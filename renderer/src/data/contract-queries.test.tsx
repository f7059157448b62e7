import { QueryClient, QueryClientProvider, type QueryKey } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_TYPES } from '../../../shared/schemas';

const engine = vi.hoisted(() => ({ deleted: [] as string[] }));
vi.mock('../api', () => ({
  adminApi: {
    clients: { list: async () => [{ client_id: 'web' }] },
    users: {
      list: async ({ search }: { search?: string }) => [{ username: search ?? 'everyone' }],
      delete: async ({ username }: { username: string }) => {
        engine.deleted.push(username);
        return { deleted: true };
      },
    },
  },
}));
vi.mock('../lib/errors', () => ({ notifySuccess: vi.fn() }));

const { adminQueryKey, useAdminMutation, useAdminQuery } = await import('./contract-queries');
const { STALE_AFTER_EVENT, invalidateTargets, staleAfterEvent, eventMakesStale } = await import(
  './invalidation'
);
type EventStaleness = import('./invalidation').EventStaleness;

/** One cached query per kind of key the renderer uses, to see which ones an event makes stale. */
const KEYS: Record<string, QueryKey> = {
  info: ['engine.info'],
  settings: ['settings.get'],
  users: ['users.list'],
  usersSearch: ['users.list', { search: 'al' }],
  preview: ['users.previewClaims', { username: 'alice' }],
  clients: ['clients.list'],
  client: ['clients.get', { client_id: 'web' }],
  tokens: ['tokens.list', {}],
  token: ['tokens.get', { id: 't1' }],
  lookup: ['tokens.lookup', { value: 'abc' }],
  keys: ['keys.list'],
  jwks: ['keys.jwks', 'https://127.0.0.1:9400'],
  events: ['events.list', { limit: 200 }],
  timeline: ['lab.timeline', 'tokens', {}],
  inspect: ['lab.inspect', 'abc'],
  faults: ['faults.list'],
};

function cachedClient(): QueryClient {
  const client = new QueryClient();
  for (const key of Object.values(KEYS)) client.setQueryData(key, 'cached');
  return client;
}

function staleNames(client: QueryClient): string[] {
  return Object.entries(KEYS)
    .filter(([, key]) => client.getQueryState(key)?.isInvalidated)
    .map(([name]) => name)
    .sort();
}

async function staleAfter(type: (typeof EVENT_TYPES)[number]): Promise<string[]> {
  const client = cachedClient();
  await invalidateTargets(client, staleAfterEvent(type));
  return staleNames(client);
}

function wrapperFor(client: QueryClient) {
  return ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
}

afterEach(cleanup);

describe('what an engine event makes stale', () => {
  it('token events: token lists, details and lookups, and the event log', async () => {
    for (const type of ['token.issued', 'code.reuse_detected', 'tokens.purged', 'login', 'logout'] as const) {
      expect(await staleAfter(type)).toEqual(['events', 'lookup', 'token', 'tokens']);
    }
  });

  // Today's semantics, family by family; each list is what the event makes stale, sorted.
  it.each([
    [
      'user.updated',
      'users, their claims preview and every token',
      'events lookup preview token tokens users usersSearch',
    ],
    [
      'client.deleted',
      'clients, the claims preview and every token, not the user list',
      'client clients events lookup preview token tokens',
    ],
    [
      'key.rotated',
      'keys, the JWKS and each token’s verification, not the token list',
      'events jwks keys lookup token',
    ],
    [
      'settings.changed',
      'settings, keys, the claims preview and why each token’s claims are there',
      'events jwks keys lookup preview settings token',
    ],
    ['fault.added', 'the active faults', 'events faults'],
    ['fault.expired', 'the active faults', 'events faults'],
    ['faults.cleared', 'the active faults', 'events faults'],
  ] as const)('%s: %s', async (type, _what, stale) => {
    expect(await staleAfter(type)).toEqual(stale.split(' '));
  });

  it('workspace events: everything the workspace holds, never engine info, faults or the lab’s own queries', async () => {
    const stale = await staleAfter('workspace.reset');
    expect(stale).toEqual(
      Object.keys(KEYS)
        .filter((name) => !['info', 'timeline', 'inspect', 'faults'].includes(name))
        .sort(),
    );
  });

  it('tells views that refetch by themselves whether an event concerns them', () => {
    expect(eventMakesStale('client.updated', 'tokens.list')).toBe(true);
    expect(eventMakesStale('key.staged', 'tokens.list')).toBe(false);
    expect(eventMakesStale('key.staged', 'tokens.get')).toBe(true);
    expect(eventMakesStale('settings.changed', 'events.list')).toBe(true);
  });

  it('has an entry for every event type, which the type demands', () => {
    expect(Object.keys(STALE_AFTER_EVENT).sort()).toEqual([...EVENT_TYPES].sort());
    const { login: _dropped, ...withoutLogin } = STALE_AFTER_EVENT;
    // @ts-expect-error a staleness map without 'login' does not compile
    const incomplete: EventStaleness = withoutLogin;
    expect(Object.keys(incomplete)).not.toContain('login');
    // @ts-expect-error a target must be an admin namespace or method
    const misspelt: EventStaleness = { ...STALE_AFTER_EVENT, login: ['token'] };
    expect(misspelt.login).toEqual(['token']);
  });
});

describe('useAdminQuery', () => {
  it('keys the cache by method, then input when there is one', async () => {
    const client = new QueryClient();
    const { result } = renderHook(
      () => ({ all: useAdminQuery('users.list'), some: useAdminQuery('users.list', { search: 'al' }) }),
      { wrapper: wrapperFor(client) },
    );
    await waitFor(() => expect(result.current.some.isSuccess && result.current.all.isSuccess).toBe(true));
    expect(client.getQueryData(['users.list'])).toEqual([{ username: 'everyone' }]);
    expect(client.getQueryData(adminQueryKey('users.list', { search: 'al' }))).toEqual([{ username: 'al' }]);
  });

  it('refuses a method the contract does not have, when compiling and when running', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const { result } = renderHook(
      () =>
        // @ts-expect-error 'users.nope' is not a method of the admin contract
        useAdminQuery('users.nope'),
      { wrapper: wrapperFor(client) },
    );
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error?.message).toBe('users.nope is not a method of the admin contract');
  });

  it('types the input from the contract', () => {
    const client = new QueryClient();
    const { result } = renderHook(
      // @ts-expect-error users.list takes { search }, not { name }
      () => useAdminQuery('users.list', { name: 'al' }, { enabled: false }),
      { wrapper: wrapperFor(client) },
    );
    expect(result.current.fetchStatus).toBe('idle');
  });
});

describe('useAdminMutation', () => {
  it('makes its own namespace stale on success, plus what it names', async () => {
    const client = cachedClient();
    const { result } = renderHook(() => useAdminMutation('users.delete', { invalidates: ['tokens.get'] }), {
      wrapper: wrapperFor(client),
    });
    await act(() => result.current.mutateAsync({ username: 'alice' }));
    expect(engine.deleted).toEqual(['alice']);
    expect(staleNames(client)).toEqual(['preview', 'token', 'users', 'usersSearch']);
  });

  it('makes every query stale for a change to the whole workspace', async () => {
    const client = cachedClient();
    const { result } = renderHook(() => useAdminMutation('users.delete', { invalidates: 'everything' }), {
      wrapper: wrapperFor(client),
    });
    await act(() => result.current.mutateAsync({ username: 'bob' }));
    expect(staleNames(client)).toEqual(Object.keys(KEYS).sort());
  });

  it('refuses a method the contract does not have, when compiling and when running', async () => {
    const client = new QueryClient();
    // @ts-expect-error 'users.purge' is not a method of the admin contract
    const { result } = renderHook(() => useAdminMutation('users.purge'), { wrapper: wrapperFor(client) });
    await expect(result.current.mutateAsync({})).rejects.toThrow('users.purge is not a method');
  });
});
