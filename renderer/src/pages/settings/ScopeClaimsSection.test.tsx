import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsPatch } from '../../../../shared/schemas';
import { renderWithTheme } from '../../test-utils';

const engine = vi.hoisted(() => ({ updates: [] as unknown[] }));
vi.mock('../../api', () => ({
  adminApi: {
    settings: {
      update: async (patch: SettingsPatch) => {
        engine.updates.push(patch);
        return patch;
      },
    },
  },
}));

const { ScopeClaimsForm } = await import('./ScopeClaimsSection');

afterEach(cleanup);

function show() {
  engine.updates = [];
  renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <ScopeClaimsForm settings={{ ...DEFAULT_SETTINGS, scope_claims: { orders: ['department'] } }} />
    </QueryClientProvider>,
  );
  return screen.getByRole('group', { name: 'Scope claims 1' });
}

describe('the scope claims form', { timeout: 30_000 }, () => {
  it('refuses a standard scope, saying why, and saves nothing', () => {
    const row = show();
    fireEvent.change(within(row).getByLabelText('Scope'), { target: { value: 'profile' } });
    expect(screen.getByRole('alert').textContent).toContain('"profile" is a standard OIDC scope');
    expect((screen.getByRole('button', { name: 'Save scope claims' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(engine.updates).toEqual([]);
  });

  it('saves a renamed scope with its claims', async () => {
    const row = show();
    fireEvent.change(within(row).getByLabelText('Scope'), { target: { value: 'billing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save scope claims' }));
    await waitFor(() => expect(engine.updates).toEqual([{ scope_claims: { billing: ['department'] } }]));
  });
});
