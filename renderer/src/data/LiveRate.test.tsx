import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveGap } from '../../../shared/live-gap';
import type { EngineEvent } from '../../../shared/schemas';
import { live } from '../test-live';
import { renderWithTheme } from '../test-utils';

// The live stream as the transport hands it on: batches, some with a gap (events left out under load).
vi.mock('../api', () => import('../test-live').then((fake) => fake.liveStreamApi));

const { LiveRateNote } = await import('./LiveRate');

function issued(id: number): EngineEvent {
  return {
    id,
    at: new Date().toISOString(),
    type: 'token.issued',
    client_id: 'svc',
    username: null,
    token_id: `t${id}`,
    data: {},
  };
}

const gap = (omitted: number, through: number): LiveGap => ({
  issuers: { root: { omitted: { 'token.issued': omitted / 2, request: omitted / 2 }, through } },
});

/** Sends a batch of `kept` events and a gap of `omitted`, then lets `ms` pass. */
function batch(kept: number, omitted: number, ms: number) {
  const events = Array.from({ length: kept }, (_, i) => issued(i + 1));
  act(() => live.listener?.({ events, gap: omitted > 0 ? gap(omitted, 1_000_000) : null }));
  act(() => {
    vi.advanceTimersByTime(ms);
  });
}

describe('LiveRateNote', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('says the page follows a high rate while batches have gaps, and goes away with the first whole batch', () => {
    renderWithTheme(<LiveRateNote />);
    expect(live.listener).not.toBeNull();
    expect(screen.queryByTestId('live-rate')).toBeNull();
    // 500 kept and 4,500 left out every 500 ms: 10,000 events a second.
    for (let i = 0; i < 4; i++) batch(500, 4500, 500);
    expect(screen.getByTestId('live-rate').textContent).toBe(
      'Live at 10,000 events/s: showing the newest in steps, not every event',
    );
    // The load falls below what a batch carries: every event is sent again, and shown one by one.
    batch(120, 0, 100);
    expect(screen.queryByTestId('live-rate')).toBeNull();
  });

  it('goes away when the stream falls silent', () => {
    renderWithTheme(<LiveRateNote />);
    for (let i = 0; i < 3; i++) batch(500, 1500, 500);
    expect(screen.getByTestId('live-rate').textContent).toContain('4,000 events/s');
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(screen.queryByTestId('live-rate')).toBeNull();
  });

  it('stops listening when no page shows it', () => {
    const { unmount } = renderWithTheme(<LiveRateNote />);
    unmount();
    expect(live.listener).toBeNull();
  });
});
