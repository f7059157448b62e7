import type { EngineEvent, EventType } from '../../shared/schemas';

const FAULT_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  'fault.added',
  'fault.removed',
  'fault.expired',
  'faults.cleared',
]);

/**
 * The CLI's log line for a fault event (QA lab, faults on demand), or null for any other event. A fault
 * makes the provider misbehave on purpose, so whoever watches the terminal sees each one start and end.
 */
export function faultLogLine(event: EngineEvent): string | null {
  const { data } = event;
  const fault = `${String(data.description)} (id ${String(data.fault_id)})`;
  switch (event.type) {
    case 'fault.added':
      return `fault on: ${fault}`;
    case 'fault.removed':
      return `fault off: ${fault}, turned off`;
    case 'fault.expired': {
      const why = data.reason === 'requests' ? 'its requests are used' : 'its time ran out';
      return `fault off: ${fault}, ${why} (applied ${String(data.applied)} times)`;
    }
    case 'faults.cleared':
      return `faults off: all ${String(data.cleared)} turned off`;
    default:
      return null;
  }
}

/** Prints a line to stderr for every fault turned on or off while the engine runs. */
export function logFaults(
  engine: {
    subscribe(listener: (event: EngineEvent) => void, wants?: (type: EventType) => boolean): () => void;
  },
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): () => void {
  // Fault events only: the engine then builds no live event for each token it issues.
  return engine.subscribe(
    (event) => {
      const line = faultLogLine(event);
      if (line !== null) write(line);
    },
    (type) => FAULT_EVENT_TYPES.has(type),
  );
}
