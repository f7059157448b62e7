import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen } from '@testing-library/react';
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

afterEach(cleanup);

function show() {
  engine.created = [];
  renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <ClientFormModal client={null} opened onClose={() => {}} onSaved={() => {}} />
    </QueryClientProvider>,
  );
  fireEvent.change(screen.getByLabelText(/^Client ID/), { target: { value: 'orders' } });
}

// Saving in-range and emptied lifetimes through this form is covered end to end in test/e2e/ui-clients.test.ts.
describe('the client form', () => {
  it.each([
    ['Access token lifetime (s)', '-5'],
    ['ID token lifetime (s)', '0'],
    ['Refresh token lifetime (s)', '99999999999'],
  ])('keeps %s = %s as typed, says the range and saves nothing', async (label, value) => {
    show();
    const field = screen.getByLabelText(label) as HTMLInputElement;
    fireEvent.change(field, { target: { value } });
    fireEvent.blur(field);
    expect(field.value.replaceAll(',', '')).toBe(value);
    expect(screen.getByText('Must be from 1 s to 31,536,000 s (365 days)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create client' }));
    await screen.findByText('A lifetime is out of range: fix the field marked in red.');
    expect(engine.created).toEqual([]);
  });
});
