import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithTheme } from '../../../test-utils';

vi.mock('../../../api', () => ({ adminApi: { clients: { list: async () => [] } } }));

const { VerificationOptions } = await import('./VerificationOptions');

afterEach(cleanup);

describe('the Inspector verification options', () => {
  it('refuses a clock skew out of range inline and keeps judging with the last good one', () => {
    const changes: number[] = [];
    renderWithTheme(
      <QueryClientProvider client={new QueryClient()}>
        <VerificationOptions
          value={{ keyMode: 'provider', pastedKey: '', issuer: '', audience: '', skew: 30 }}
          onChange={(next) => changes.push(next.skew)}
          providerIssuer="http://127.0.0.1:9400"
        />
      </QueryClientProvider>,
    );
    const skew = screen.getByLabelText('Clock skew allowed (s)') as HTMLInputElement;
    fireEvent.change(skew, { target: { value: '-5' } });
    fireEvent.blur(skew);
    expect(skew.value).toBe('-5');
    expect(screen.getByText('Must be from 0 s to 3,600 s (1 h)')).toBeTruthy();
    expect(screen.getByText('Still judging with 30 s until this is fixed.')).toBeTruthy();
    expect(changes).toEqual([]);
    fireEvent.change(skew, { target: { value: '120' } });
    expect(changes).toEqual([120]);
  });
});
