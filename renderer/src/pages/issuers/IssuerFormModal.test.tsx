import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IssuerSummary, RESERVED_ISSUER_NAMES } from '../../../../shared/issuers';
import { renderWithTheme } from '../../test-utils';

const engine = vi.hoisted(() => ({ calls: [] as Array<[string, unknown]>, refuse: null as string | null }));
vi.mock('../../api', async () => {
  const { AdminError } = await import('../../../../shared/errors');
  const answer = (method: string) => async (input: Record<string, unknown>) => {
    engine.calls.push([method, input]);
    if (engine.refuse) throw new AdminError('conflict', engine.refuse);
    return { id: 'new1', display_name: input.display_name ?? input.name, ...input };
  };
  return {
    adminApi: {
      issuers: {
        create: answer('issuers.create'),
        update: answer('issuers.update'),
        clone: answer('issuers.clone'),
      },
    },
  };
});

const { IssuerFormModal } = await import('./IssuerFormModal');
type Mode = import('./IssuerFormModal').IssuerFormMode;

const ORIGIN = 'http://127.0.0.1:9400';
const SHOP: IssuerSummary = {
  id: 'kc1',
  name: 'shop',
  display_name: 'Shop realm',
  profile: 'keycloak',
  issuer: `${ORIGIN}/realms/shop`,
  discovery_url: `${ORIGIN}/realms/shop/.well-known/openid-configuration`,
  created_at: '2026-01-01T00:00:00.000Z',
};

function show(mode: Mode) {
  engine.calls = [];
  engine.refuse = null;
  const onClose = vi.fn();
  renderWithTheme(
    <QueryClientProvider client={new QueryClient()}>
      <IssuerFormModal mode={mode} origin={`${ORIGIN}/`} onClose={onClose} />
    </QueryClientProvider>,
  );
  return onClose;
}

function type(label: string, value: string) {
  fireEvent.change(screen.getByRole('textbox', { name: label }), { target: { value } });
}

const preview = () => screen.getByTestId('issuer-url-preview').textContent;
const submit = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;

async function chooseProfile(label: string) {
  fireEvent.click(screen.getByRole('combobox', { name: 'Profile' }));
  fireEvent.click(await screen.findByRole('option', { name: new RegExp(`^${label}`), hidden: true }));
}

afterEach(cleanup);

describe('New issuer form', { timeout: 20_000 }, () => {
  it('says live why a name cannot be an issuer’s, and creates nothing until it can', () => {
    show({ kind: 'create' });
    expect(submit('Create issuer').disabled).toBe(true);
    type('Name', 'Shop');
    expect(screen.getByText(/an issuer name is 1–63 lowercase letters, digits and hyphens/)).toBeTruthy();
    expect(submit('Create issuer').disabled).toBe(true);
    type('Name', 'realms');
    expect(
      screen.getByText(/this name is taken by the root issuer's routes; reserved: .*realms/),
    ).toBeTruthy();
    expect(RESERVED_ISSUER_NAMES.has('realms')).toBe(true);
    fireEvent.submit(submit('Create issuer').closest('form') as HTMLFormElement);
    expect(engine.calls).toEqual([]);
    type('Name', 'shop-eu');
    expect(screen.queryByText(/an issuer name is/)).toBeNull();
    expect(submit('Create issuer').disabled).toBe(false);
  });

  it('previews the issuer URL each profile gives, and creates it as typed', async () => {
    const onClose = show({ kind: 'create' });
    expect(preview()).toBe(`${ORIGIN}/<name>`);
    type('Name', 'shop');
    expect(preview()).toBe(`${ORIGIN}/shop`);
    await chooseProfile('Keycloak');
    expect(preview()).toBe(`${ORIGIN}/realms/shop`);
    // The chosen profile's summary is the field's description.
    const described =
      screen.getByRole('combobox', { name: 'Profile' }).getAttribute('aria-describedby') ?? '';
    const descriptions = described.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(descriptions).toContainEqual(
      expect.stringMatching(/^A realm: \/protocol\/openid-connect\/\* paths/),
    );
    await chooseProfile('Microsoft Entra ID');
    expect(preview()).toBe(`${ORIGIN}/shop/v2.0`);
    await chooseProfile('Auth0');
    expect(preview()).toBe(`${ORIGIN}/shop/`);
    await chooseProfile('Keycloak');
    type('Display name', 'Shop realm');
    fireEvent.click(submit('Create issuer'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(engine.calls).toEqual([
      ['issuers.create', { name: 'shop', profile: 'keycloak', display_name: 'Shop realm' }],
    ]);
  });

  it('shows the engine’s refusal in the form, which stays open', async () => {
    const onClose = show({ kind: 'create' });
    engine.refuse = 'An issuer named "shop" exists already.';
    type('Name', 'shop');
    fireEvent.click(submit('Create issuer'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not create the issuer');
    expect(alert.textContent).toContain('An issuer named "shop" exists already.');
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe('Edit issuer form', { timeout: 20_000 }, () => {
  it('warns that a rename moves its URLs while old tokens keep their iss, and sends only the change', async () => {
    const onClose = show({ kind: 'edit', issuer: SHOP });
    expect(screen.queryByText('This moves the issuer')).toBeNull();
    type('Name', 'shop2');
    expect(preview()).toBe(`${ORIGIN}/realms/shop2`);
    const warning = screen.getByText('This moves the issuer').closest('[role="alert"]') as HTMLElement;
    expect(warning.textContent).toContain(`from ${ORIGIN}/realms/shop to ${ORIGIN}/realms/shop2`);
    expect(warning.textContent).toContain('Tokens already issued keep the old iss');
    fireEvent.click(submit('Save issuer'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(engine.calls).toEqual([['issuers.update', { id: 'kc1', name: 'shop2' }]]);
  });
});

describe('Clone issuer form', { timeout: 20_000 }, () => {
  it('copies under a new name, keeping the source’s profile unless another is chosen', async () => {
    const onClose = show({ kind: 'clone', issuer: SHOP });
    expect(screen.getByText(/new signing keys, no tokens and no history/)).toBeTruthy();
    type('Name', 'shop-copy');
    expect(preview()).toBe(`${ORIGIN}/realms/shop-copy`);
    fireEvent.click(submit('Clone issuer'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(engine.calls).toEqual([['issuers.clone', { id: 'kc1', name: 'shop-copy', profile: 'keycloak' }]]);
  });
});
