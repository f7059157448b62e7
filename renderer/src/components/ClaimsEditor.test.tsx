import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Claims } from '../../../shared/schemas';
import type { ClaimsResult } from '../lib/claims';
import { renderWithTheme } from '../test-utils';
import { ClaimsEditor } from './ClaimsEditor';

afterEach(cleanup);

function setup(defaultValue: Claims = {}) {
  const onChange = vi.fn<(result: ClaimsResult) => void>();
  renderWithTheme(<ClaimsEditor defaultValue={defaultValue} onChange={onChange} />);
  const last = () => onChange.mock.lastCall?.[0];
  return { onChange, last };
}

/** The input or textarea labelled `label` (an Autocomplete's listbox carries the same label). */
function field(label: string): HTMLInputElement {
  const found = screen
    .getAllByLabelText(label)
    .find((el) => el.tagName === 'INPUT' || el.tagName === 'TEXTAREA');
  if (!found) throw new Error(`no input labelled ${label}`);
  return found as HTMLInputElement;
}

function type(label: string, value: string) {
  fireEvent.change(field(label), { target: { value } });
}

function switchTo(mode: 'Table' | 'JSON') {
  act(() => {
    fireEvent.click(screen.getByLabelText(mode));
  });
}

describe('ClaimsEditor', () => {
  it('reads table values as JSON when they are valid JSON and as text otherwise', () => {
    const { last } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    type('Claim name 1', 'email');
    type('Claim value 1', 'alice@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    type('Claim name 2', 'roles');
    type('Claim value 2', '["admin", "qa"]');
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    type('Claim name 3', 'age');
    type('Claim value 3', '42');
    expect(last()).toEqual({
      ok: true,
      claims: { email: 'alice@example.com', roles: ['admin', 'qa'], age: 42 },
    });
  });

  it('round-trips table → JSON → table without changing any value', () => {
    const claims: Claims = {
      name: 'Alice',
      email_verified: true,
      zip: '75001',
      quoted: 'true',
      address: { locality: 'Paris', lines: ['1 rue', null] },
      score: 1.5,
    };
    const { last } = setup(claims);
    // Strings that would read back as other JSON keep their quotes in the table.
    expect(field('Claim value 4').value).toBe('"true"');
    expect(field('Claim value 3').value).toBe('"75001"');
    expect(field('Claim value 1').value).toBe('Alice');

    switchTo('JSON');
    const textarea = field('Claims JSON');
    expect(JSON.parse(textarea.value)).toEqual(claims);

    // An edit in JSON shows up in the table.
    fireEvent.change(textarea, { target: { value: JSON.stringify({ ...claims, locale: 'fr-FR' }) } });
    switchTo('Table');
    expect(field('Claim name 7').value).toBe('locale');
    expect(field('Claim value 7').value).toBe('fr-FR');
    expect(last()).toEqual({ ok: true, claims: { ...claims, locale: 'fr-FR' } });

    switchTo('JSON');
    expect(JSON.parse(field('Claims JSON').value)).toEqual({
      ...claims,
      locale: 'fr-FR',
    });
  });

  it('shows JSON syntax errors inline and keeps the editor in JSON mode until they are fixed', () => {
    const { last } = setup({ email: 'a@example.com' });
    switchTo('JSON');
    const textarea = field('Claims JSON');
    fireEvent.change(textarea, { target: { value: '{"email": ' } });
    expect(screen.getByText(/^Invalid JSON/)).toBeTruthy();
    expect(last()?.ok).toBe(false);
    expect(textarea.getAttribute('aria-invalid')).toBe('true');

    // Switching to the table is refused while the JSON does not parse.
    switchTo('Table');
    expect(field('Claims JSON')).toBeTruthy();

    fireEvent.change(textarea, { target: { value: '["not", "an", "object"]' } });
    expect(screen.getByText(/must be a JSON object/)).toBeTruthy();

    fireEvent.change(textarea, { target: { value: '{"email": "b@example.com"}' } });
    expect(screen.queryByText(/Invalid JSON|must be a JSON object/)).toBeNull();
    expect(last()).toEqual({ ok: true, claims: { email: 'b@example.com' } });
  });

  it('refuses claims the provider sets itself, and duplicate names', () => {
    const { last } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    type('Claim name 1', 'iss');
    type('Claim value 1', 'https://evil.example');
    expect(last()).toEqual({ ok: false, error: expect.stringContaining('set by the provider') });
    expect(screen.getByTestId('claims-error').textContent).toContain('"iss"');

    type('Claim name 1', 'team');
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    type('Claim name 2', 'team');
    expect(last()).toEqual({ ok: false, error: 'Claim "team" appears twice' });

    fireEvent.click(screen.getByRole('button', { name: 'Remove claim 2' }));
    expect(last()).toEqual({ ok: true, claims: { team: 'https://evil.example' } });
  });

  it('moves focus into the new row after "Add claim", each time', () => {
    setup({ email: 'alice@example.com' });
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    expect(document.activeElement).toBe(field('Claim name 2'));
    fireEvent.click(screen.getByRole('button', { name: 'Add claim' }));
    expect(document.activeElement).toBe(field('Claim name 3'));
  });
});
