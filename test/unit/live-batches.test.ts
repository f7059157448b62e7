import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchEvents, boundBatch } from '../../main/core/http/live-batches';
import { RecordedEvent } from '../../main/core/store/events';
import type { LiveBatch } from '../../shared/live-gap';
import type { EngineEvent, EventType } from '../../shared/schemas';

function event(id: number, type: EventType = 'token.issued', issuer?: string): EngineEvent {
  return {
    id,
    at: '2026-01-01T00:00:00.000Z',
    type,
    ...(issuer ? { issuer } : {}),
    client_id: null,
    username: null,
    token_id: null,
    data: {},
  };
}

/** `event(id, type)` as the engine's log hands it to live listeners, not yet built. */
function recorded(id: number, type: EventType): RecordedEvent {
  return new RecordedEvent(
    id,
    type,
    undefined,
    Date.parse('2026-01-01T00:00:00.000Z'),
    null,
    null,
    null,
    '{}',
  );
}

/** A feed like the engine's: listeners added and removed, events emitted synchronously. */
function feed() {
  const emitter = new EventEmitter();
  return {
    subscribe(listener: (event: RecordedEvent) => void) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    emit: (from: number, count: number, type: EventType = 'token.issued') => {
      for (let id = from; id < from + count; id++) emitter.emit('event', recorded(id, type));
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
    batchEvents(
      source.subscribe,
      ({ events, gap }) => {
        expect(gap).toBeNull();
        sent.push(events.map((e) => e.id));
      },
      { intervalMs: 100 },
    );
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

  it('sends at most maxEvents request-rate events a batch, the newest, and counts the rest in its gap', () => {
    const source = feed();
    const sent: LiveBatch[] = [];
    const built = vi.spyOn(RecordedEvent.prototype, 'build');
    batchEvents(source.subscribe, (batch) => sent.push(batch), { maxEvents: 1000 });
    source.emit(1, 2500);
    source.emit(2501, 10, 'request');
    source.emit(2511, 3000);
    // Nothing goes before the interval however many come: the bound is per batch, batches per time.
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    const [batch] = sent as [LiveBatch];
    expect(batch.events.map((e) => e.id)).toEqual(Array.from({ length: 1000 }, (_, i) => 4511 + i));
    expect(batch.events[0]).toEqual(event(4511));
    // Only the events the batch keeps were built, not the 4,510 its gap counts.
    expect(built).toHaveBeenCalledTimes(1000);
    built.mockRestore();
    expect(batch.gap).toEqual({
      issuers: { root: { omitted: { 'token.issued': 4500, request: 10 }, through: 4510 } },
    });
    // The next batch starts afresh: no gap when nothing was left out (it waits the overload interval:
    // the last batch came faster than the bound).
    source.emit(5511, 3);
    vi.advanceTimersByTime(500);
    expect(sent[1]).toEqual({ events: [event(5511), event(5512), event(5513)], gap: null });
  });

  it('batches every overloadIntervalMs while events come faster than a batch carries, and every intervalMs once they slow', () => {
    const source = feed();
    const sent: LiveBatch[] = [];
    batchEvents(source.subscribe, (batch) => sent.push(batch), {
      intervalMs: 100,
      overloadIntervalMs: 400,
      maxEvents: 10,
    });
    // 30 request-rate events in 100 ms: three times what a batch carries.
    source.emit(1, 30);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    // Overloaded: the next batch gathers for 400 ms, then carries the newest 10 and a gap for the rest.
    for (let t = 0; t < 4; t++) {
      source.emit(31 + t * 30, 30);
      vi.advanceTimersByTime(100);
    }
    expect(sent).toHaveLength(2);
    expect(sent[1]?.events.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => 141 + i));
    expect(sent[1]?.gap?.issuers.root).toEqual({ omitted: { 'token.issued': 110 }, through: 140 });
    // 8 events, all within a batch's bound: the batch after goes 100 ms after its first event.
    source.emit(151, 8);
    vi.advanceTimersByTime(400);
    expect(sent).toHaveLength(3);
    expect(sent[2]?.gap).toBeNull();
    source.emit(159, 2);
    vi.advanceTimersByTime(99);
    expect(sent).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sent[3]?.events.map((e) => e.id)).toEqual([159, 160]);
    // Rare events are not counted in the rate: they never make the stream wait longer.
    source.emit(165, 15, 'user.created');
    vi.advanceTimersByTime(100);
    expect(sent[4]?.events).toHaveLength(15);
    source.emit(180, 1);
    vi.advanceTimersByTime(100);
    expect(sent[5]?.events.map((e) => e.id)).toEqual([180]);
  });

  it('always sends rare events, in their place, and sends early only when they alone pile up', () => {
    const source = feed();
    const sent: LiveBatch[] = [];
    batchEvents(source.subscribe, (batch) => sent.push(batch), { maxEvents: 10 });
    source.emit(1, 5, 'user.created');
    source.emit(6, 30);
    source.emit(36, 1, 'issuer.deleted');
    source.emit(37, 5);
    vi.advanceTimersByTime(100);
    const [batch] = sent as [LiveBatch];
    expect(batch.events.map((e) => `${e.id}:${e.type}`)).toEqual([
      ...[1, 2, 3, 4, 5].map((id) => `${id}:user.created`),
      ...[31, 32, 33, 34, 35].map((id) => `${id}:token.issued`),
      '36:issuer.deleted',
      ...[37, 38, 39, 40, 41].map((id) => `${id}:token.issued`),
    ]);
    expect(batch.gap).toEqual({ issuers: { root: { omitted: { 'token.issued': 25 }, through: 30 } } });
    source.emit(100, 25, 'user.updated');
    expect(sent).toHaveLength(2);
    expect(sent[1]?.events).toHaveLength(20);
    expect(sent[1]?.gap).toBeNull();
  });

  it('flushes on demand and stops listening when closed', () => {
    const source = feed();
    const sent: number[][] = [];
    const batches = batchEvents(source.subscribe, ({ events }) => sent.push(events.map((e) => e.id)));
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

describe('boundBatch', () => {
  it('keeps the newest request-rate events of every issuer together, and counts per issuer', () => {
    const events = [event(1, 'token.issued', 'a'), event(1, 'request', 'b'), event(2, 'token.issued', 'a')];
    events.push(event(2, 'key.rotated', 'b'), event(3, 'request', 'b'), event(3, 'login', 'a'));
    const { events: kept, gap } = boundBatch(events, null, 2);
    expect(kept.map((e) => `${e.issuer}:${e.id}:${e.type}`)).toEqual([
      'b:2:key.rotated',
      'b:3:request',
      'a:3:login',
    ]);
    expect(gap).toEqual({
      issuers: {
        a: { omitted: { 'token.issued': 2 }, through: 2 },
        b: { omitted: { request: 1 }, through: 1 },
      },
    });
  });

  it('leaves a batch within the bound as it is', () => {
    const events = [event(1), event(2)];
    expect(boundBatch(events, null, 2)).toEqual({ events, gap: null });
  });
});
