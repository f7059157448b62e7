import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NowProvider } from '../data/now';
import { formatLocal } from '../lib/time';
import { renderWithTheme } from '../test-utils';
import { ClaimsList, ClaimValue, claimDate } from './ClaimValue';

// Real time: the ticking itself is RelativeTime's, tested there; these times are minutes from the edges.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const IN_4_MIN = NOW / 1000 + 4 * 60 + 30;

describe('claimDate', () => {
  it('reads exp, iat, nbf and auth_time as NumericDate seconds, nothing else', () => {
    for (const name of ['exp', 'iat', 'nbf', 'auth_time']) {
      expect(claimDate(name, 1_700_000_000)?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    }
    expect(claimDate('exp', '1700000000')).toBeNull();
    expect(claimDate('updated_at', 1_700_000_000)).toBeNull();
    expect(claimDate('sub', 'alice')).toBeNull();
  });
});

describe('<ClaimValue> and <ClaimsList>', () => {
  afterEach(cleanup);

  it('shows a time claim as a local date-time with a relative time, and the raw number', () => {
    renderWithTheme(
      <NowProvider>
        <ClaimValue name="exp" value={IN_4_MIN} />
      </NowProvider>,
    );
    const time = screen.getByText((_, el) => el?.tagName === 'TIME');
    const date = new Date(IN_4_MIN * 1000);
    expect(time.getAttribute('datetime')).toBe(date.toISOString());
    expect(time.textContent).toBe(`${formatLocal(date)} (in 4 min)`);
    expect(screen.getByText(String(IN_4_MIN))).toBeTruthy();
  });

  it('shows other claims as compact JSON, strings as they are', () => {
    renderWithTheme(
      <NowProvider>
        <ClaimsList
          label="Claims"
          claims={{ sub: 'alice', aud: ['a', 'b'], iat: NOW / 1000 - 180, updated_at: 1_700_000_000 }}
        />
      </NowProvider>,
    );
    const table = screen.getByRole('table', { name: 'Claims' });
    const cell = (name: string) => table.querySelector(`[data-claim="${name}"] td:last-child`)?.textContent;
    expect(cell('sub')).toBe('alice');
    expect(cell('aud')).toBe('["a","b"]');
    expect(cell('iat')).toContain('(3 min ago)');
    expect(cell('iat')).toContain(String(NOW / 1000 - 180));
    // Not a JWT time claim: the number alone.
    expect(cell('updated_at')).toBe('1700000000');
    expect(table.querySelectorAll('time')).toHaveLength(1);
  });
});
