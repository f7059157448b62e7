import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlaygroundStep } from '../../../../../shared/contract';
import { renderWithTheme } from '../../../test-utils';
import { displayValue, StepView, specSections } from './StepView';

afterEach(cleanup);

describe('specSections', () => {
  it('gives each section its document, carried over from the section before', () => {
    expect(specSections('RFC 8693 §2.1, §2.2.1, §4.1')).toEqual([
      'RFC 8693 §2.1',
      'RFC 8693 §2.2.1',
      'RFC 8693 §4.1',
    ]);
    expect(specSections('RFC 6749 §4.3, RFC 9700 §2.4, RFC 9449 §4.2, §5, §6.1')).toEqual([
      'RFC 6749 §4.3',
      'RFC 9700 §2.4',
      'RFC 9449 §4.2',
      'RFC 9449 §5',
      'RFC 9449 §6.1',
    ]);
    expect(specSections('OIDC Core §3.1.3.7')).toEqual(['OIDC Core §3.1.3.7']);
    expect(specSections('RFC 7636 §4.1–4.2, OIDC Core §3.1.2.1')).toEqual([
      'RFC 7636 §4.1–4.2',
      'OIDC Core §3.1.2.1',
    ]);
  });
});

describe('displayValue', () => {
  it('shows none as a dash, with the reason when there is one', () => {
    expect(displayValue(null)).toBe('—');
    expect(displayValue(null, 'no ID token: scope had no openid')).toBe(
      '— (no ID token: scope had no openid)',
    );
    expect(displayValue(false)).toBe('false');
    expect(displayValue(0)).toBe('0');
  });
});

describe('StepView', () => {
  const failed: PlaygroundStep = {
    title: 'Browser → GET /authorize',
    spec: 'RFC 6749 §4.1.1',
    explanation: 'This step failed: the provider redirected back (303) with invalid_scope.',
    http: {
      request: { method: 'GET', url: 'http://127.0.0.1:4000/authorize?scope=nope', headers: {}, body: null },
      response: { status: 303, headers: { location: 'http://cb/?error=invalid_scope' }, body: '' },
    },
    values: { code: null, id_token: null },
    value_notes: { id_token: 'no ID token: scope had no openid' },
    failed: true,
    error: {
      error: 'invalid_scope',
      error_description: 'Scope "nope" is unknown.',
      source: 'redirect query',
    },
  };

  it('shows the OAuth error first, a copy-as-curl button, and no raw null', () => {
    const { container } = renderWithTheme(<StepView step={failed} index={1} />);
    const region = screen.getByRole('region', { name: 'Step 2: Browser → GET /authorize' });
    const alert = within(region).getByTestId('step-error');
    expect(alert.textContent).toContain('Failed: invalid_scope');
    expect(alert.textContent).toContain('Scope "nope" is unknown.');
    expect(alert.textContent).toContain('from the redirect query');
    // The error comes before the step's title.
    const title = within(region).getByTestId('step-title');
    expect(alert.compareDocumentPosition(title) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(region).getByRole('button', { name: 'Copy as curl' })).toBeTruthy();
    const values = within(region).getByRole('table', { name: 'Step values' });
    expect(values.textContent).not.toContain('null');
    expect(values.querySelector('[data-value="id_token"]')?.textContent).toContain(
      '— (no ID token: scope had no openid)',
    );
    expect(values.querySelector('[data-value="code"]')?.textContent).toContain('—');
    expect(container.textContent).not.toMatch(/\bnull\b/);
  });

  it('has no curl button for a step without an HTTP exchange', () => {
    renderWithTheme(<StepView step={{ ...failed, http: null, failed: false, error: undefined }} index={0} />);
    expect(screen.queryByRole('button', { name: 'Copy as curl' })).toBeNull();
    expect(screen.queryByTestId('step-error')).toBeNull();
  });
});
