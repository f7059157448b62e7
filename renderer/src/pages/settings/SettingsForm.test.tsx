import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsPatch } from '../../../../shared/schemas';
import { ConfirmProvider } from '../../components/Confirm';
import { renderWithTheme } from '../../test-utils';

const engine = vi.hoisted(() => ({ updates: [] as unknown[], stages: [] as unknown[] }));
vi.mock('../../api', () => ({
  adminApi: {
    settings: {
      update: async (patch: SettingsPatch) => {
        engine.updates.push(patch);
        return patch;
      },
    },
    keys: {
      stage: async (input: unknown) => {
        engine.stages.push(input);
        return { kid: 'k1' };
      },
    },
  },
}));

const { SettingsForm } = await import('./SettingsPage');
const { KeyRotationControls } = await import('./KeyRotationControls');

function show(ui: React.ReactElement) {
  engine.updates = [];
  engine.stages = [];
  return renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <ConfirmProvider>{ui}</ConfirmProvider>
    </QueryClientProvider>,
  );
}

function type(label: string, value: string) {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  fireEvent.change(input, { target: { value } });
  fireEvent.blur(input);
  return input;
}

afterEach(cleanup);

describe('Settings → Tokens and sign-in', () => {
  it.each([
    ['Access token lifetime (s)', '0', 'Must be from 1 s to 31,536,000 s (365 days)'],
    ['Access token lifetime (s)', '-10', 'Must be from 1 s to 31,536,000 s (365 days)'],
    ['Authorization code lifetime (s)', '100000', 'Must be from 1 s to 3,600 s (1 h)'],
    ['Refresh token lifetime (s)', '99999999999', 'Must be from 1 s to 31,536,000 s (365 days)'],
  ])('refuses %s = %s inline and saves nothing', (label, value, message) => {
    show(<SettingsForm settings={DEFAULT_SETTINGS} />);
    const input = type(label, value);
    expect(input.value.replaceAll(',', '')).toBe(value);
    expect(screen.getByText(message)).toBeTruthy();
    const save = screen.getByRole('button', { name: 'Save settings' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.submit(save.closest('form') as HTMLFormElement);
    expect(engine.updates).toEqual([]);
  });

  it('saves an in-range change exactly as typed', async () => {
    show(<SettingsForm settings={DEFAULT_SETTINGS} />);
    type('Access token lifetime (s)', '20');
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(engine.updates).toEqual([{ access_token_ttl: 20 }]));
  });
});

describe('Settings → staged key rotation', () => {
  it('refuses a delay of 0 instead of reading it as "activate by hand"', () => {
    show(<KeyRotationControls next={undefined} />);
    type('Activate after (s)', '0');
    expect(screen.getByText('Must be from 1 s to 2,592,000 s (30 days)')).toBeTruthy();
    const stage = screen.getByRole('button', { name: 'Stage next key' }) as HTMLButtonElement;
    expect(stage.disabled).toBe(true);
  });

  it('stages with the typed delay, and without one when the field is empty', async () => {
    show(<KeyRotationControls next={undefined} />);
    type('Activate after (s)', '90');
    fireEvent.click(screen.getByRole('button', { name: 'Stage next key' }));
    await waitFor(() => expect(engine.stages).toHaveLength(1));
    // The button shows progress while a stage is under way; the next one waits for it.
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Stage next key' }) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    type('Activate after (s)', '');
    fireEvent.click(screen.getByRole('button', { name: 'Stage next key' }));
    await waitFor(() => expect(engine.stages).toEqual([{ activate_after_seconds: 90 }, {}]));
  });
});
