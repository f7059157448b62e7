/** Time source for everything that expires; tests pass a frozen or hand-advanced clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function seconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

export function isoFromSeconds(value: number): string {
  return new Date(value * 1000).toISOString();
}

/** Whole seconds since the epoch of an ISO 8601 time; NaN for text that is not one. */
export function secondsFromIso(value: string): number {
  return Math.floor(Date.parse(value) / 1000);
}
