import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../shared/schemas';
import { renderWithTheme } from '../../test-utils';

const engine = vi.hoisted(() => ({ created: [] as unknown[] }));
vi.mock('../../api', () => ({
  adminApi: {
    settings: { get: async () => DEFAULT_SETTINGS },
    clients: {
      create: async (input: { client_id: string }) => {
        engine.created.push(input);
        return { ...input, created_at: '', updated_at: '' };
      },
    },
  },
}));

const { ClientFormModal } = await import('./ClientFormModal');
const { applyClaimSettings, ClaimMappingFields, initialClaimSettings } = await import('./ClaimMappingFields');
type ClaimSettings = import('./ClaimMappingFields').ClaimSettings;

afterEach(cleanup);

/** The section with its state, as the client form holds it; `latest` is what the form would save. */
let latest: ClaimSettings;
function Harness() {
  const [settings, setSettings] = useState(latest);
  latest = settings;
  return <ClaimMappingFields settings={settings} change={setSettings} showErrors />;
}

function show() {
  engine.created = [];
  renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <ClientFormModal client={null} opened onClose={() => {}} onSaved={() => {}} />
    </QueryClientProvider>,
  );
  fireEvent.change(screen.getByLabelText(/^Client ID/), { target: { value: 'orders' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add claim mapping' }));
  return screen.getByRole('group', { name: 'Claim mapping 1' });
}

// The whole client form renders for each case: slow on a loaded machine.
describe('the Claims section of the client form', { timeout: 30_000 }, () => {
  it('reads a static value as typed (JSON when it parses) with its token kinds', () => {
    latest = initialClaimSettings(null);
    renderWithTheme(<Harness />);
    fireEvent.click(screen.getByRole('button', { name: 'Add claim mapping' }));
    const row = screen.getByRole('group', { name: 'Claim mapping 1' });
    fireEvent.change(within(row).getByLabelText('Claim name in the token'), {
      target: { value: 'https://example.com/tier' },
    });
    fireEvent.click(within(row).getByText('Static value'));
    fireEvent.change(within(row).getByLabelText('Value'), { target: { value: '42' } });
    expect(within(row).getByText(/read as number/)).toBeTruthy();
    fireEvent.change(within(row).getByLabelText('Value'), { target: { value: 'gold' } });
    expect(within(row).getByText(/read as string/)).toBeTruthy();
    fireEvent.click(within(row).getByLabelText('Also in machine tokens (client_credentials)'));
    const input: Parameters<typeof applyClaimSettings>[0] = {};
    applyClaimSettings(input, latest, null);
    expect(input.claim_mappings).toEqual([
      {
        name: 'https://example.com/tier',
        source: { value: 'gold' },
        tokens: ['access', 'id', 'userinfo', 'introspection'],
        machine: true,
      },
    ]);
    fireEvent.click(within(row).getByRole('button', { name: 'Remove claim mapping 1' }));
    expect(screen.queryByRole('group', { name: 'Claim mapping 1' })).toBeNull();
  });

  it('refuses a protocol claim as the name, marks the field and saves nothing', async () => {
    const row = show();
    fireEvent.change(within(row).getByLabelText('Claim name in the token'), { target: { value: 'sub' } });
    fireEvent.change(within(row).getByLabelText('User claim'), { target: { value: 'dept' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create client' }));
    const messages = await screen.findAllByText(/"sub" is a protocol claim the provider sets itself/);
    // Once in the form's error, once under the field.
    expect(messages.length).toBe(2);
    expect(engine.created).toEqual([]);
  });
});
