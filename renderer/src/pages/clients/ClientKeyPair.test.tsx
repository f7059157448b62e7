import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GeneratedClientKeyPair } from '../../../../shared/contract';
import { renderWithTheme } from '../../test-utils';
import { testClient } from './test-client';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg-secret-part\n-----END PRIVATE KEY-----\n';

const client = testClient({
  client_id: 'billing',
  client_secret: null,
  redirect_uris: [],
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'old' }] },
});

const calls = vi.hoisted(() => [] as unknown[]);
vi.mock('../../api', () => ({
  adminApi: {
    clients: {
      generateKeyPair: async (input: unknown): Promise<GeneratedClientKeyPair> => {
        calls.push(input);
        return {
          client,
          kid: 'new-kid',
          alg: 'ES256',
          public_jwk: { kty: 'EC', crv: 'P-256', x: 'x2', y: 'y2', kid: 'new-kid', alg: 'ES256' },
          private_jwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'x2',
            y: 'y2',
            d: 'private-d',
            kid: 'new-kid',
            alg: 'ES256',
          },
          private_key_pem: PEM,
          snippet: 'ASSERTION=$(node assertion.mjs)',
        };
      },
    },
  },
}));

const { ClientKeys } = await import('./ClientKeyPair');

afterEach(cleanup);

describe('Client drawer → Generate key pair', () => {
  it('shows the private key once and keeps it in no TanStack Query cache', async () => {
    const queries = new QueryClient();
    renderWithTheme(
      <QueryClientProvider client={queries}>
        <ClientKeys client={client} />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Generate key pair' }));
    const pem = await screen.findByLabelText('Private key (PEM)');
    expect(pem.textContent).toBe(PEM);
    expect(screen.getByText(/Shown once: the private key is not stored/)).toBeTruthy();
    expect(calls).toEqual([{ client_id: 'billing', alg: 'ES256' }]);

    // Neither the mutation cache nor the query cache holds the answer while the modal shows it.
    const cached = JSON.stringify([
      queries
        .getMutationCache()
        .getAll()
        .map((mutation) => mutation.state),
      queries
        .getQueryCache()
        .getAll()
        .map((query) => query.state),
    ]);
    expect(cached).not.toContain('private-d');
    expect(cached).not.toContain('secret-part');

    fireEvent.click(screen.getByRole('button', { name: 'I have saved the key' }));
    await waitFor(() => expect(screen.queryByLabelText('Private key (PEM)')).toBeNull());
    expect(document.body.innerHTML).not.toContain('secret-part');
  });
});
