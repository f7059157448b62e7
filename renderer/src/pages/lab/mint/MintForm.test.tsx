import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MintInput } from '../../../../../shared/contract';
import { DEFAULT_SETTINGS } from '../../../../../shared/schemas';
import { renderWithTheme } from '../../../test-utils';
import { testClient } from '../../clients/test-client';

vi.mock('../../../api', () => ({
  adminApi: { tokens: { list: async () => ({ tokens: [], total: 0 }) } },
}));

const { MintForm, unregisteredScopes } = await import('./MintForm');

afterEach(cleanup);

function show() {
  const minted: MintInput[] = [];
  renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <MintForm
        clients={[testClient({ scope: 'openid profile orders:read' })]}
        users={[]}
        settings={DEFAULT_SETTINGS}
        pending={false}
        onMint={(input) => minted.push(input)}
      />
    </QueryClientProvider>,
  );
  return {
    minted,
    mintButton: () => screen.getByRole('button', { name: 'Mint token' }) as HTMLButtonElement,
  };
}

describe('the Mint form', () => {
  it.each(['0', '-10', '99999999999'])('refuses a lifetime of %s inline and mints nothing', (value) => {
    const { minted, mintButton } = show();
    const ttl = screen.getByLabelText('Lifetime (seconds)') as HTMLInputElement;
    fireEvent.change(ttl, { target: { value } });
    fireEvent.blur(ttl);
    expect(ttl.value.replaceAll(',', '')).toBe(value);
    expect(screen.getByText('Must be from 1 s to 31,536,000 s (365 days)')).toBeTruthy();
    expect(mintButton().disabled).toBe(true);
    fireEvent.click(mintButton());
    expect(minted).toEqual([]);
  });

  it('mints an in-range lifetime as typed', () => {
    const { minted, mintButton } = show();
    fireEvent.change(screen.getByLabelText('Lifetime (seconds)'), { target: { value: '90' } });
    fireEvent.click(mintButton());
    expect(minted).toEqual([expect.objectContaining({ client_id: 'web', ttl: 90 })]);
  });

  it('names the scopes a client is not registered for', () => {
    expect(unregisteredScopes('openid  admin:all orders:read', { scope: 'openid orders:read' })).toEqual([
      'admin:all',
    ]);
    expect(unregisteredScopes('', { scope: 'openid' })).toEqual([]);
  });
});
