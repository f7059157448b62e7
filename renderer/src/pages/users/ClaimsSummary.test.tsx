import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithTheme } from '../../test-utils';
import { ClaimsSummary } from './ClaimsSummary';

afterEach(cleanup);

describe('ClaimsSummary', () => {
  it('keeps "+3" outside the isolated right-to-left name, so it stays a counter after it', () => {
    const { container } = renderWithTheme(
      <ClaimsSummary
        claims={{ name: 'מרים כהן', email: 'miriam@example.test', roles: ['a'], tier: 'gold', locale: 'he' }}
      />,
    );
    const isolated = [...container.querySelectorAll('bdi')].map((el) => el.textContent);
    expect(isolated).toEqual(['מרים כהן', 'miriam@example.test']);
    const counter = screen.getByTestId('more-claims');
    // Not inside any isolate: its direction comes from the (left-to-right) line, not from the name.
    expect(counter.closest('bdi')).toBeNull();
    expect(counter.textContent?.trim()).toBe('+3');
    expect(counter.closest('[dir]')?.getAttribute('dir')).toBe('ltr');
    // The counter follows the last value in document order.
    const last = container.querySelectorAll('bdi')[1] as Element;
    expect(last.compareDocumentPosition(counter) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('counts claims when there is no name or email, and says when there are none', () => {
    renderWithTheme(<ClaimsSummary claims={{ roles: ['a'], tier: 'gold' }} />);
    expect(screen.getByText('2 claims')).toBeTruthy();
    cleanup();
    renderWithTheme(<ClaimsSummary claims={{}} />);
    expect(screen.getByText('no claims')).toBeTruthy();
  });
});
