import type { EngineEvent } from '../../shared/schemas';

/** Unread events kept for a test that never reads them; past this the oldest are dropped. */
export const MAX_BUFFERED_EVENTS = 10_000;

/** The engine's events as an async iterator; `next()` also works without a loop. */
export interface SandboxEvents extends AsyncIterableIterator<EngineEvent> {
  /** Unread events dropped because more than MAX_BUFFERED_EVENTS waited (0 in a normal test). */
  readonly dropped: number;
}

/**
 * Subscribes at once, so an event caused before the test starts reading is not lost, and buffers until
 * read. Leaving a `for await` loop (break, return, throw) does not end the stream: a later loop goes on
 * with the next event. `end()` (the sandbox's close) ends it: waiting reads resolve done.
 */
export function eventStream(subscribe: (listener: (event: EngineEvent) => void) => () => void): {
  events: SandboxEvents;
  end(): void;
} {
  const buffered: EngineEvent[] = [];
  const waiting: Array<(result: IteratorResult<EngineEvent>) => void> = [];
  let ended = false;
  let dropped = 0;
  const unsubscribe = subscribe((event) => {
    const reader = waiting.shift();
    if (reader) return reader({ value: event, done: false });
    buffered.push(event);
    if (buffered.length > MAX_BUFFERED_EVENTS) {
      buffered.shift();
      dropped += 1;
    }
  });
  const done = (): IteratorResult<EngineEvent> => ({ value: undefined, done: true });
  const events: SandboxEvents = {
    get dropped() {
      return dropped;
    },
    next() {
      const event = buffered.shift();
      if (event) return Promise.resolve({ value: event, done: false });
      if (ended) return Promise.resolve(done());
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    events,
    end() {
      if (ended) return;
      ended = true;
      unsubscribe();
      for (const reader of waiting.splice(0)) reader(done());
    },
  };
}
