import { act, cleanup, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NowProvider, ticker } from '../data/now';
import { renderWithTheme } from '../test-utils';
import { TokenStateCell } from './TokenStateBadge';

const NOW = new Date(2026, 2, 14, 12, 0, 0).getTime();

describe('<TokenStateCell>', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('turns an active token expired by itself at its expiry, re-rendering once, then waits for nothing', () => {
    let renders = 0;
    const expires = new Date(NOW + 90_000).toISOString();
    renderWithTheme(
      <NowProvider>
        <Profiler id="cell" onRender={() => renders++}>
          <TokenStateCell token={{ state: 'active', expires_at: expires }} />
        </Profiler>
      </NowProvider>,
    );
    const state = () =>
      screen
        .getByText(/active|expired/)
        .closest('[data-state]')
        ?.getAttribute('data-state');
    expect(state()).toBe('active');
    for (let i = 0; i < 89; i++) {
      act(() => {
        vi.advanceTimersByTime(1000);
      });
    }
    expect([state(), renders]).toEqual(['active', 1]);
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect([state(), renders]).toEqual(['expired', 2]);
    expect(ticker.waiting()).toBe(0);
  });

  it('follows the provider clock: a token the provider calls expired is expired here too', () => {
    renderWithTheme(
      <NowProvider offsetMs={120_000}>
        <TokenStateCell token={{ state: 'active', expires_at: new Date(NOW + 60_000).toISOString() }} />
        <TokenStateCell token={{ state: 'revoked', expires_at: new Date(NOW + 600_000).toISOString() }} />
      </NowProvider>,
    );
    expect(screen.getByText('expired')).toBeTruthy();
    expect(screen.getByText('revoked')).toBeTruthy();
    expect(ticker.waiting()).toBe(0);
  });
});
