import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchEvents } from '../../main/core/http/live-batches';
import type { EngineEvent } from '../../shared/schemas';

function event(id: number): EngineEvent {
  return {
    id,
    at: '2026-01-01T00:00:00.000Z',
    type: 'token.issued',
    client_id: null,
    username: null,
    token_id: null,
    data: {},
  };
}

/** A feed like the engine's: listeners added and removed, events emitted synchronously. */
function feed() {
  const emitter = new EventEmitter();
  return {
    subscribe(listener: (event: EngineEvent) => void) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    emit: (from: number, count: number) => {
      for (let id = from; id < from + count; id++) emitter.emit('event', event(id));
    },
    listeners: () => emitter.listenerCount('event'),
  };
}

describe('batchEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends what came within an interval as one batch, in order, and schedules nothing while idle', () => {
    const source = feed();
    const sent: number[][] = [];
    batchEvents(source.subscribe, (events) => sent.push(events.map((e) => e.id)), { intervalMs: 100 });
    expect(vi.getTimerCount()).toBe(0);
    source.emit(1, 3);
    vi.advanceTimersByTime(50);
    source.emit(4, 2);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([[1, 2, 3, 4, 5]]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
  });

  it('sends at once when a batch is full, without waiting for the interval', () => {
    const source = feed();
    const sizes: number[] = [];
    batchEvents(source.subscribe, (events) => sizes.push(events.length), { maxEvents: 1000 });
    source.emit(1, 2500);
    expect(sizes).toEqual([1000, 1000]);
    vi.advanceTimersByTime(100);
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('flushes on demand and stops listening when closed', () => {
    const source = feed();
    const sent: number[][] = [];
    const batches = batchEvents(source.subscribe, (events) => sent.push(events.map((e) => e.id)));
    source.emit(1, 2);
    batches.flush();
    expect(sent).toEqual([[1, 2]]);
    source.emit(3, 1);
    batches.close();
    expect(source.listeners()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([[1, 2]]);
  });
});
