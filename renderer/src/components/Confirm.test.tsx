import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithTheme } from '../test-utils';
import { ConfirmButton, ConfirmProvider } from './Confirm';

afterEach(cleanup);

function setup(onConfirm: () => Promise<unknown>) {
  renderWithTheme(
    <ConfirmProvider>
      <ConfirmButton
        confirm={{ title: 'Delete alice?', message: 'This cannot be undone.', confirmLabel: 'Delete user' }}
        onConfirm={onConfirm}
      >
        Delete
      </ConfirmButton>
    </ConfirmProvider>,
  );
}

describe('ConfirmButton', () => {
  it('asks first and does nothing when cancelled', async () => {
    const action = vi.fn(async () => undefined);
    setup(action);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await screen.findByText('This cannot be undone.');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByText('This cannot be undone.')).toBeNull());
    expect(action).not.toHaveBeenCalled();
  });

  it('runs the action once confirmed', async () => {
    const action = vi.fn(async () => undefined);
    setup(action);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete user' }));
    await waitFor(() => expect(action).toHaveBeenCalledTimes(1));
  });
});
