import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
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

const { RegistrationForm } = await import('./RegistrationSection');

function show(settings = DEFAULT_SETTINGS) {
  engine.updates = [];
  return renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <RegistrationForm settings={settings} />
    </QueryClientProvider>,
  );
}

const save = () => screen.getByRole('button', { name: 'Save registration settings' }) as HTMLButtonElement;

afterEach(cleanup);

describe('Settings → Client registration', () => {
  it('is off by default, and switching it on saves only that', async () => {
    show();
    const toggle = screen.getByRole('switch', { name: /Dynamic client registration/ }) as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(save().disabled).toBe(true);
    fireEvent.click(toggle);
    fireEvent.click(save());
    await waitFor(() => expect(engine.updates).toEqual([{ dynamic_registration: true }]));
  });

  it('refuses a short initial access token inline, and clearing a set one saves null', async () => {
    show({
      ...DEFAULT_SETTINGS,
      dynamic_registration: true,
      registration_initial_access_token: 'x'.repeat(20),
    });
    const input = screen.getByLabelText(/Initial access token/) as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'short' } });
    expect(screen.getByText('an initial access token needs at least 16 characters')).toBeTruthy();
    expect(save().disabled).toBe(true);
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.click(save());
    await waitFor(() => expect(engine.updates).toEqual([{ registration_initial_access_token: null }]));
  });
});
