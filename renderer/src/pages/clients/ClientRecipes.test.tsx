import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { recipesFor, toRecipeClient } from '../../../../shared/recipes';
import { renderWithTheme } from '../../test-utils';
import { ClientRecipes } from './ClientRecipes';
import { testClient } from './test-client';

afterEach(cleanup);

const ISSUER = 'http://127.0.0.1:9400';

function renderedText(): string {
  return screen
    .getAllByLabelText(/^Recipe file /)
    .map((block) => block.textContent ?? '')
    .join('\n');
}

describe('ClientRecipes', () => {
  it('opens on a recipe that fits the client, filled in with its values and a copy button per file', () => {
    renderWithTheme(<ClientRecipes client={testClient({})} issuer={ISSUER} />);
    // A confidential client signing users in: the first server-side web-app recipe.
    expect(screen.getByDisplayValue('openid-client (Node web app) · Server-side web app')).toBeTruthy();
    const text = renderedText();
    expect(text).toContain(ISSUER);
    expect(text).toContain('"web"');
    // The secret is hidden on screen as the secret field hides it, until asked for.
    expect(text).not.toContain('web-secret');
    expect(text).toContain('••••');
    fireEvent.click(screen.getByRole('button', { name: 'Show secret' }));
    expect(renderedText()).toContain('web-secret');
    expect(screen.getByText('Verified by the interop suite')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy server.mjs' })).toBeTruthy();
  });

  it('gives a public client a browser recipe and never a secret', () => {
    renderWithTheme(
      <ClientRecipes
        client={testClient({
          client_id: 'spa',
          token_endpoint_auth_method: 'none',
          client_secret: 'should-not-appear',
        })}
        issuer={ISSUER}
      />,
    );
    expect(screen.getByDisplayValue('oidc-client-ts / react-oidc-context · Browser app (SPA)')).toBeTruthy();
    const text = renderedText();
    expect(text).toContain('"client_id": "spa"');
    expect(text).not.toContain('should-not-appear');
  });

  it('gives a client with reference tokens an API recipe that introspects, with its verification badge', () => {
    const billing = testClient({
      client_id: 'billing',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      access_token_format: 'reference',
      audience: ['billing-api'],
    });
    renderWithTheme(<ClientRecipes client={billing} issuer={ISSUER} />);
    const [first] = recipesFor(toRecipeClient(billing));
    expect(first?.kind).toBe('resource-server');
    expect(renderedText()).toContain(`${ISSUER}/introspect`);
    expect(
      screen.getByText(first?.exercisedBy ? 'Verified by the interop suite' : 'Not exercised here'),
    ).toBeTruthy();
  });
});
