import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SECRET_MASK } from '../../lib/snippet';
import { renderWithTheme } from '../../test-utils';
import { ClientSnippet } from './ClientSnippet';
import { testClient } from './test-client';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ISSUER = 'http://127.0.0.1:9400';

function snippetText(): string {
  return screen.getByLabelText('Configuration snippet').textContent ?? '';
}

describe('ClientSnippet', () => {
  it('hides the secret until "Show secret", and copies the real one either way', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderWithTheme(
      <ClientSnippet
        client={testClient({ audience: ['https://api.example'] })}
        issuer={ISSUER}
        discoveryUrl={`${ISSUER}/.well-known/openid-configuration`}
      />,
    );
    expect(snippetText()).toContain(`OIDC_CLIENT_SECRET='${SECRET_MASK}'`);
    expect(snippetText()).not.toContain('web-secret');
    expect(snippetText()).toContain('OIDC_AUDIENCE=https://api.example');
    expect(snippetText()).toContain(`OIDC_JWKS_URI=${ISSUER}/jwks`);

    fireEvent.click(screen.getByRole('button', { name: 'Copy configuration' }));
    await vi.waitFor(() =>
      expect(writeText).toHaveBeenCalledWith(expect.stringContaining('OIDC_CLIENT_SECRET=web-secret')),
    );

    const toggle = screen.getByRole('button', { name: 'Show secret' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(snippetText()).toContain('OIDC_CLIENT_SECRET=web-secret');
    fireEvent.click(screen.getByRole('button', { name: 'Hide secret' }));
    expect(snippetText()).not.toContain('web-secret');
  });

  it('offers no reveal toggle where there is no secret (a public client)', () => {
    renderWithTheme(
      <ClientSnippet
        client={testClient({ token_endpoint_auth_method: 'none', client_secret: null })}
        issuer={ISSUER}
        discoveryUrl={`${ISSUER}/.well-known/openid-configuration`}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Show secret' })).toBeNull();
    expect(snippetText()).not.toContain(SECRET_MASK);
  });
});
