import { act, cleanup, screen } from '@testing-library/react';
import { Profiler, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NowProvider, ticker } from '../data/now';
import { formatDuration, formatLocal, formatRelative } from '../lib/time';
import { renderWithTheme } from '../test-utils';
import { RelativeTime } from './RelativeTime';

const NOW = new Date(2026, 2, 14, 12, 0, 0).getTime();
const at = (ms: number) => new Date(NOW + ms);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

describe('formatRelative', () => {
  it.each([
    [0, 'now'],
    [400, 'now'],
    [45 * S, 'in 45 s'],
    [-45 * S, '45 s ago'],
    [59.9 * S, 'in 59 s'],
    [60 * S, 'in 1 min'],
    [4 * MIN + 59 * S, 'in 4 min'],
    [-3 * MIN, '3 min ago'],
    [H, 'in 1 h'],
    [H + 5 * MIN, 'in 1 h 5 min'],
    [-2 * H, '2 h ago'],
    [DAY, 'in 1 day'],
    [14 * DAY, 'in 14 days'],
    [-3 * DAY - 5 * H, '3 days 5 h ago'],
    [14 * DAY - S, 'in 13 days 23 h'],
    [45 * DAY + 5 * H, 'in 45 days'],
    [800 * DAY, 'in 2 years'],
  ])('%d ms from now is "%s"', (offset, expected) => {
    expect(formatRelative(at(offset), NOW)).toBe(expected);
  });

  it('counts down without ever rounding up', () => {
    // 59.9 s left must not read "in 1 min", nor 1 min 59 s "in 2 min".
    expect(formatRelative(at(119 * S + 900), NOW)).toBe('in 1 min');
  });

  it('accepts ISO strings and says "unknown" for garbage', () => {
    expect(formatRelative(at(-10 * S).toISOString(), NOW)).toBe('10 s ago');
    expect(formatRelative('not a date', NOW)).toBe('unknown');
  });
});

describe('formatLocal', () => {
  it('shows the time alone for today and adds the date otherwise', () => {
    const today = formatLocal(at(0), NOW);
    const tomorrow = formatLocal(at(DAY), NOW);
    expect(today).toBe(
      at(0).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    );
    expect(tomorrow.endsWith(today)).toBe(true);
    expect(tomorrow.length).toBeGreaterThan(today.length);
  });
});

describe('formatDuration', () => {
  it.each([
    [3600, '1 h'],
    [90, '1 min 30 s'],
    [60, '1 min'],
    [1_209_600, '14 days'],
    [90_061, '1 day 1 h'],
  ])('%d s is "%s"', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('<RelativeTime>', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('shows local time plus a relative hint that keeps ticking', () => {
    const expires = at(2 * MIN + 1 * S);
    renderWithTheme(
      <NowProvider>
        <RelativeTime value={expires.toISOString()} />
      </NowProvider>,
    );
    const time = screen.getByText((_, el) => el?.tagName === 'TIME');
    expect(time.getAttribute('datetime')).toBe(expires.toISOString());
    expect(time.textContent).toBe(`${formatLocal(expires, NOW)} (in 2 min)`);

    // Each step: how much time passes, then the hint it must read.
    const ticks: Array<[ms: number, hint: string]> = [
      [2 * S, '(in 1 min)'],
      [61 * S, '(in 58 s)'],
      [58 * S, '(now)'],
      [5 * S, '(5 s ago)'],
    ];
    for (const [ms, hint] of ticks) {
      act(() => {
        vi.advanceTimersByTime(ms);
      });
      expect(time.textContent).toContain(hint);
    }
  });

  /** Counts the commits of what it wraps: each one is a re-render that reached the screen. */
  function counted(counts: Record<string, number>, id: string, children: ReactNode) {
    counts[id] = 0;
    return (
      <Profiler id={id} onRender={() => (counts[id] = (counts[id] ?? 0) + 1)}>
        {children}
      </Profiler>
    );
  }

  it('re-renders only itself, and only when its text changes: once a second while counting seconds, then once a minute', () => {
    const counts: Record<string, number> = {};
    const texts: string[] = [];
    renderWithTheme(
      <NowProvider>
        {counted(counts, 'page', <p>a table</p>)}
        {counted(counts, 'time', <RelativeTime value={at(-50 * S).toISOString()} />)}
      </NowProvider>,
    );
    const time = screen.getByText((_, el) => el?.tagName === 'TIME');
    const read = () => texts.push((time.textContent ?? '').replace(/^.*\(/, '('));
    expect(counts).toEqual({ page: 1, time: 1 });
    read();

    // 10 s: "50 s ago" … "59 s ago", then "1 min ago": ten changes, ten renders.
    for (let i = 0; i < 10; i++) {
      act(() => {
        vi.advanceTimersByTime(S);
      });
      read();
    }
    expect(counts.time).toBe(11);
    expect(texts.at(-1)).toBe('(1 min ago)');
    expect(new Set(texts).size).toBe(texts.length);

    // Then ten minutes, a second at a time (React commits between the ticker's wake-ups, as in a
    // browser): ten changes, not 600 renders.
    for (let i = 0; i < 600; i++) {
      act(() => {
        vi.advanceTimersByTime(S);
      });
    }
    expect(counts.time).toBe(21);
    expect(time.textContent).toContain('(11 min ago)');
    expect(counts.page).toBe(1);
  });

  it('keeps an idle table still: 200 times days old, half a minute passes, nothing re-renders and one timer waits', () => {
    const counts: Record<string, number> = {};
    const rows = Array.from({ length: 200 }, (_, i) => at(-3 * DAY - i * 7 * S).toISOString());
    renderWithTheme(
      <NowProvider>
        {counted(
          counts,
          'table',
          rows.map((value) => <RelativeTime key={value} value={value} />),
        )}
      </NowProvider>,
    );
    expect(counts.table).toBe(1);
    for (let i = 0; i < 30; i++) {
      act(() => {
        vi.advanceTimersByTime(S);
      });
    }
    // "3 days ago" moves once an hour: 30 s in, no row had a new text, so none rendered.
    expect(counts.table).toBe(1);
    expect(ticker.waiting()).toBe(200);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('schedules nothing once nothing it shows can change', () => {
    const empty = renderWithTheme(<RelativeTime value={null} fallback="never" />);
    expect(ticker.waiting()).toBe(0);
    empty.unmount();
    const shown = renderWithTheme(<RelativeTime value={at(-3 * H).toISOString()} />);
    expect(ticker.waiting()).toBe(1);
    shown.unmount();
    expect(ticker.waiting()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows the fallback when there is no time', () => {
    renderWithTheme(<RelativeTime value={null} fallback="never" />);
    expect(screen.getByText('never')).toBeTruthy();
  });
});
