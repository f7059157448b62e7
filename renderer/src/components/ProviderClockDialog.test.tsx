import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsPatch } from '../../../shared/schemas';
import { renderWithTheme } from '../test-utils';

const engine = vi.hoisted(() => ({ updates: [] as unknown[] }));
vi.mock('../api', () => ({
  adminApi: {
    settings: {
      get: async () => DEFAULT_SETTINGS,
      update: async (patch: SettingsPatch) => {
        engine.updates.push(patch);
        return { ...DEFAULT_SETTINGS, ...patch };
      },
    },
  },
}));

const { ProviderClock } = await import('./ProviderClock');

afterEach(cleanup);

describe('the provider clock dialog', () => {
  it('refuses a skew beyond a day inline and does not set it', async () => {
    renderWithTheme(
      <QueryClientProvider client={new QueryClient()}>
        <ProviderClock />
      </QueryClientProvider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Provider clock' }));
    const skew = (await screen.findByLabelText('Issuing skew (seconds)')) as HTMLInputElement;
    fireEvent.change(skew, { target: { value: '90000' } });
    fireEvent.blur(skew);
    expect(skew.value.replaceAll(',', '')).toBe('90000');
    expect(screen.getByText('Must be from -86,400 s (1 day) to 86,400 s (1 day)')).toBeTruthy();
    const set = screen.getByRole('button', { name: 'Set skew' }) as HTMLButtonElement;
    expect(set.disabled).toBe(true);
    fireEvent.click(set);
    expect(engine.updates).toEqual([]);
  });
});
