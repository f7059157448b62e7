import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { base64url } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { NowProvider } from '../../../data/now';
import { renderWithTheme } from '../../../test-utils';
import { TokenCompare } from './TokenCompare';
import { decodeParts, describeDiff, diffMembers, sameJson } from './token-diff';

afterEach(cleanup);

describe('diffMembers', () => {
  it('names each member same, changed, removed (A only) or added (B only), A’s order first', () => {
    const rows = diffMembers(
      { sub: 'alice', scope: 'read', nonce: 'n', exp: 100 },
      { exp: 100, scope: 'read write', sub: 'alice', tenant: 'acme' },
    );
    expect(rows.map((row) => [row.name, row.kind])).toEqual([
      ['sub', 'same'],
      ['scope', 'changed'],
      ['nonce', 'removed'],
      ['exp', 'same'],
      ['tenant', 'added'],
    ]);
    expect(rows.find((row) => row.name === 'nonce')).toMatchObject({ left: 'n', right: undefined });
    expect(rows.find((row) => row.name === 'tenant')).toMatchObject({ left: undefined, right: 'acme' });
  });

  it('compares values as JSON: member order does not count, array order and types do', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameJson(1, '1')).toBe(false);
    expect(sameJson(null, undefined)).toBe(false);
    const rows = diffMembers(
      { act: { sub: 'x', act: { sub: 'y' } } },
      { act: { act: { sub: 'y' }, sub: 'x' } },
    );
    expect(rows[0]?.kind).toBe('same');
    expect(diffMembers({ aud: ['a', 'b'] }, { aud: ['a'] })[0]?.kind).toBe('changed');
  });

  it('treats a member present with null as present', () => {
    expect(diffMembers({ a: null }, {})[0]?.kind).toBe('removed');
    expect(diffMembers({}, { a: null })[0]?.kind).toBe('added');
  });

  it('describes the differences in words', () => {
    expect(describeDiff(diffMembers({ a: 1 }, { a: 1 }))).toBe('no differences');
    expect(describeDiff(diffMembers({ a: 1, b: 2 }, { a: 2, c: 3 }))).toBe('a changed, b removed, c added');
  });
});

const jwt = (header: object, payload: object) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.c2ln`;

describe('decodeParts', () => {
  it('decodes a JWT’s header and payload without verifying, and refuses anything else', () => {
    expect(decodeParts(jwt({ alg: 'RS256' }, { sub: 'a' }))).toEqual({
      header: { alg: 'RS256' },
      payload: { sub: 'a' },
    });
    expect(decodeParts('not.a.jwt')).toBeNull();
    expect(decodeParts('opaque-reference-token')).toBeNull();
    expect(decodeParts(`${base64url.encode('[1]')}.${base64url.encode('{}')}.x`)).toBeNull();
  });
});

describe('<TokenCompare>', () => {
  const exp = 1_900_000_000;
  const first = {
    header: { alg: 'RS256', kid: 'k1', typ: 'at+jwt' },
    payload: { sub: 'alice', scope: 'read', exp },
  };

  function compareWith(value: string) {
    renderWithTheme(
      <NowProvider>
        <TokenCompare first={first} />
      </NowProvider>,
    );
    fireEvent.change(screen.getByRole('textbox', { name: /Compare with…/ }), { target: { value } });
  }

  it('shows both tokens side by side with each difference marked in words, times as dates with the number', async () => {
    compareWith(
      jwt(
        { alg: 'RS256', kid: 'k2', typ: 'at+jwt' },
        { sub: 'alice', scope: 'read write', exp, tenant: 'acme' },
      ),
    );
    const summary = await screen.findByTestId('compare-summary', {}, { timeout: 2000 });
    expect(summary.textContent).toBe('Header: kid changed. Claims: scope changed, tenant added.');

    const claims = screen.getByRole('table', { name: 'Claims comparison' });
    const row = (name: string) => claims.querySelector(`[data-claim="${name}"]`) as HTMLElement;
    expect(row('scope').dataset.diff).toBe('changed');
    expect(within(row('scope')).getByText('changed')).toBeTruthy();
    expect(row('scope').textContent).toContain('read write');
    expect(row('tenant').dataset.diff).toBe('added');
    expect(within(row('tenant')).getByText('absent')).toBeTruthy();
    expect(row('sub').dataset.diff).toBe('same');
    // exp is a date in both columns, each with its raw NumericDate.
    expect(row('exp').querySelectorAll('time')).toHaveLength(2);
    expect(row('exp').querySelectorAll('[data-raw-time]')[1]?.textContent).toBe(String(exp));

    const header = screen.getByRole('table', { name: 'Header comparison' });
    expect((header.querySelector('[data-claim="kid"]') as HTMLElement).dataset.diff).toBe('changed');

    // Only the differences, on demand.
    fireEvent.click(screen.getByRole('switch', { name: 'Only differences' }));
    expect(claims.querySelector('[data-claim="sub"]')).toBeNull();
    expect(claims.querySelector('[data-claim="scope"]')).not.toBeNull();
  });

  it('says when the second value is not a JWT', async () => {
    compareWith('opaque-reference-token');
    await screen.findByText('Nothing to compare', {}, { timeout: 2000 });
    expect(screen.queryByRole('table', { name: 'Claims comparison' })).toBeNull();
  });
});
