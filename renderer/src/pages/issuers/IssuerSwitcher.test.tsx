import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IssuerSummary } from '../../../../shared/issuers';
import type { LiveBatch } from '../../../../shared/live-gap';
import type { EngineEvent } from '../../../../shared/schemas';
import { ConfirmProvider } from '../../components/Confirm';
import { renderWithTheme } from '../../test-utils';

/**
 * The header's issuer switcher in the whole app. The admin API is the real one (shared/contract.ts
 * buildAdminApi: the selection goes into every call's scope, the live stream is filtered by it) over
 * a stand-in engine that answers each issuer's calls from its own data, as the engine's issuer
 * directory does, and refuses a call scoped to an issuer it does not have.
 */
const engine = vi.hoisted(() => ({
  issuers: [] as IssuerSummary[],
  users: {} as Record<string, string[]>,
  calls: [] as Array<{ method: string; issuer: string }>,
  /** While set, users.list of this issuer waits for `release`: the page is loading the new issuer. */
  holdUsersOf: null as string | null,
  release: () => {},
  listeners: new Set<(event: EngineEvent) => void>(),
}));

vi.mock('../../api', async () => {
  const { buildAdminApi } = await import('../../../../shared/contract');
  const { AdminError } = await import('../../../../shared/errors');
  const { DEFAULT_SETTINGS } = await import('../../../../shared/schemas');
  const at = '2026-01-01T00:00:00.000Z';
  const answer = async (method: string, issuer: string): Promise<unknown> => {
    const summary = engine.issuers.find((candidate) => candidate.id === issuer);
    if (!summary) throw new AdminError('not_found', `No issuer "${issuer}".`);
    switch (method) {
      case 'issuers.list':
        return engine.issuers;
      case 'engine.info':
        return {
          issuer: summary.issuer,
          version: 'test',
          dataDir: null,
          startedAt: at,
          discoveryUrl: summary.discovery_url,
          port: 9400,
          https: { enabled: false, caCertPath: null, trustCommands: [], nextStart: null },
        };
      case 'settings.get':
        return DEFAULT_SETTINGS;
      case 'faults.list':
        return [];
      case 'workspace.seedManaged':
        return { users: [], clients: [] };
      case 'users.list':
        if (engine.holdUsersOf === issuer) await new Promise<void>((resolve) => (engine.release = resolve));
        return (engine.users[issuer] ?? []).map((username) => ({
          username,
          password: null,
          sub: `${issuer}-${username}`,
          claims: {},
          created_at: at,
          updated_at: at,
        }));
      default:
        throw new AdminError('invalid_input', `The stand-in engine does not answer ${method}.`);
    }
  };
  const call = (method: string, _input: unknown, scope: { issuer?: string }) => {
    const issuer = scope.issuer ?? 'root';
    engine.calls.push({ method, issuer });
    return answer(method, issuer);
  };
  const live = {
    subscribe: (listener: (event: EngineEvent) => void) => {
      engine.listeners.add(listener);
      return () => engine.listeners.delete(listener);
    },
    // Each event is a batch of its own here.
    subscribeBatch: (listener: (batch: LiveBatch) => void) => {
      const one = (event: EngineEvent) => listener({ events: [event], gap: null });
      engine.listeners.add(one);
      return () => engine.listeners.delete(one);
    },
    connection: () => 'live' as const,
    onConnectionChange: () => () => {},
  };
  return { adminApi: buildAdminApi(call, live), uiSession: null };
});

const { App } = await import('../../App');
const { adminApi } = await import('../../api');
const { ISSUER_STORAGE_KEY } = await import('../../data/issuer-selection');

const ORIGIN = 'http://127.0.0.1:9400';

function issuer(id: string, name: string, display: string, profile: IssuerSummary['profile'], path: string) {
  return {
    id,
    name,
    display_name: display,
    profile,
    issuer: `${ORIGIN}${path}`,
    discovery_url: `${ORIGIN}${path}/.well-known/openid-configuration`,
    created_at: id === 'root' ? null : '2026-01-01T00:00:00.000Z',
  };
}

const ROOT = issuer('root', '', 'Root issuer', 'generic', '');
const KEYCLOAK = issuer('kc1', 'shop', 'Shop realm', 'keycloak', '/realms/shop');
const ENTRA = issuer('en1', 'contoso', 'Contoso', 'entra', '/contoso/v2.0');

function emit(event: Partial<EngineEvent> & Pick<EngineEvent, 'type'>) {
  const full: EngineEvent = {
    id: 1,
    at: '',
    client_id: null,
    username: null,
    token_id: null,
    data: {},
    ...event,
  };
  act(() => {
    for (const listener of engine.listeners) listener(full);
  });
}

function showApp() {
  window.location.hash = '#/users';
  return renderWithTheme(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <Notifications />
      <ConfirmProvider>
        <App />
      </ConfirmProvider>
    </QueryClientProvider>,
  );
}

const switcher = () => screen.getByRole('combobox', { name: 'Current issuer' }) as HTMLInputElement;
const issuerUrl = () => screen.getByTestId('issuer').textContent;
const usersTable = () => screen.queryByRole('table', { name: 'Users' });

async function pick(option: string) {
  fireEvent.click(switcher());
  fireEvent.click(await screen.findByRole('option', { name: new RegExp(`^${option}`), hidden: true }));
}

beforeEach(() => {
  engine.issuers = [ROOT, KEYCLOAK, ENTRA];
  engine.users = { root: ['alice'], kc1: ['kate'], en1: [] };
  engine.calls = [];
  engine.holdUsersOf = null;
  localStorage.clear();
  adminApi.issuer.select('root');
});

afterEach(() => {
  engine.release();
  cleanup();
});

// The whole app renders per test: generous on a loaded machine.
describe('the issuer switcher', { timeout: 20_000 }, () => {
  it('lists the root issuer and each issuer by display name, with its provider profile', async () => {
    showApp();
    await waitFor(() => expect(issuerUrl()).toBe(ORIGIN));
    expect(switcher().value).toBe('Root issuer');
    fireEvent.click(switcher());
    const options = await screen.findAllByRole('option', { hidden: true });
    expect(options.map((option) => option.textContent)).toEqual([
      'Root issuerGeneric OpenID Connect',
      'Shop realmKeycloak',
      'ContosoMicrosoft Entra ID',
    ]);
  });

  it('switching shows only the new issuer: its URL in the header, its users, never the previous rows', async () => {
    showApp();
    const table = await waitFor(() => {
      const found = usersTable();
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    await within(table).findByText('alice');

    engine.holdUsersOf = 'kc1';
    await pick('Shop realm');
    expect(switcher().value).toBe('Shop realm');
    // While the new issuer's users load, the previous issuer's are gone from the page.
    await waitFor(() => expect(screen.queryByText('alice')).toBeNull());
    await waitFor(() => expect(issuerUrl()).toBe(`${ORIGIN}/realms/shop`));
    engine.release();
    await within(await screen.findByRole('table', { name: 'Users' })).findByText('kate');
    expect(screen.queryByText('alice')).toBeNull();

    // Every call since the switch carried the new issuer; the choice outlives a reload.
    const sinceSwitch = engine.calls.slice(engine.calls.findLastIndex((c) => c.issuer === 'root') + 1);
    expect(sinceSwitch.length).toBeGreaterThan(0);
    expect(new Set(sinceSwitch.map((c) => c.issuer))).toEqual(new Set(['kc1']));
    expect(localStorage.getItem(ISSUER_STORAGE_KEY)).toBe('kc1');

    await pick('Root issuer');
    await within(await screen.findByRole('table', { name: 'Users' })).findByText('alice');
    expect(screen.queryByText('kate')).toBeNull();
    expect(localStorage.getItem(ISSUER_STORAGE_KEY)).toBeNull();
  });

  it('another issuer’s live events do not reach the page; its deletion brings the UI back to the root', async () => {
    showApp();
    await pick('Contoso');
    await screen.findByText('No users yet');
    await waitFor(() => expect(issuerUrl()).toBe(`${ORIGIN}/contoso/v2.0`));

    // A user created at the root issuer: its event is filtered out, so nothing is refetched.
    const before = engine.calls.length;
    emit({ type: 'user.created', issuer: 'root', username: 'bob' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(engine.calls.slice(before).filter((c) => c.method === 'users.list')).toEqual([]);

    engine.issuers = [ROOT, KEYCLOAK];
    emit({ type: 'issuer.deleted', issuer: 'root', data: { id: 'en1', name: 'contoso' } });
    await screen.findByText(/The selected issuer "contoso" was deleted/);
    await waitFor(() => expect(switcher().value).toBe('Root issuer'));
    await waitFor(() => expect(issuerUrl()).toBe(ORIGIN));
    await within(await screen.findByRole('table', { name: 'Users' })).findByText('alice');
    expect(localStorage.getItem(ISSUER_STORAGE_KEY)).toBeNull();
  });

  it('opens on the issuer chosen last: its data from the first call, none of the root’s', async () => {
    localStorage.setItem(ISSUER_STORAGE_KEY, 'kc1');
    showApp();
    await within(await screen.findByRole('table', { name: 'Users' })).findByText('kate');
    expect(switcher().value).toBe('Shop realm');
    expect(issuerUrl()).toBe(`${ORIGIN}/realms/shop`);
    // Only the issuer list is read before the selection applies (it is the same from every issuer).
    expect(engine.calls.filter((c) => c.issuer === 'root').map((c) => c.method)).toEqual(['issuers.list']);
  });

  it('falls back to the root issuer, saying so, when the issuer chosen last was deleted elsewhere', async () => {
    localStorage.setItem(ISSUER_STORAGE_KEY, 'gone42');
    showApp();
    await screen.findByText(/The issuer this tab showed last no longer exists/);
    await within(await screen.findByRole('table', { name: 'Users' })).findByText('alice');
    expect(switcher().value).toBe('Root issuer');
    expect(engine.calls.some((c) => c.issuer === 'gone42')).toBe(false);
    expect(localStorage.getItem(ISSUER_STORAGE_KEY)).toBeNull();
  });
});
