import { createContext, type ReactNode, useContext, useEffect, useReducer } from 'react';
import { createTicker } from './ticker';

/** The provider clock's offset from this machine's clock, in milliseconds. */
const OffsetContext = createContext(0);

/** The UI's one timer: every time-dependent text waits on it for its own next change. */
export const ticker = createTicker();

/**
 * The provider clock for everything below: the machine's clock plus the provider clock's offset, so a
 * token the provider calls expired counts down to zero here too. It does not tick by itself: each
 * text that depends on the time re-renders on its own when it changes (useTimed).
 */
export function NowProvider({ children, offsetMs = 0 }: { children: ReactNode; offsetMs?: number }) {
  return <OffsetContext.Provider value={offsetMs}>{children}</OffsetContext.Provider>;
}

/** Reads the provider time (ms) without re-rendering as it passes: for handlers and computations at render. */
export function useClock(): () => number {
  const offsetMs = useContext(OffsetContext);
  return () => Date.now() + offsetMs;
}

export interface Timed<T> {
  value: T;
  /** When the value next changes (provider time, ms); Infinity when it never will. */
  next: number;
}

/**
 * A value that depends on the time, for the component that shows it: `derive(now)` gives the value
 * and when it next changes, and the component re-renders then and only then ("3 min ago" once a
 * minute, an expiry once, a finished countdown never). Nothing else on the page re-renders.
 */
export function useTimed<T>(derive: (now: number) => Timed<T>): T {
  const offsetMs = useContext(OffsetContext);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const { value, next } = derive(Date.now() + offsetMs);
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    return ticker.at(next - offsetMs, rerender);
  }, [next, offsetMs]);
  return value;
}

const SECOND = 1000;

/**
 * The current provider time in ms, re-rendering the calling component every second. That costs a
 * render of the caller and everything it renders each second, forever: a page calling it re-renders
 * whole tables while the UI is idle. Prefer useTimed (or RelativeTime, TokenStateCell) in the small
 * component that shows the time, and useClock to read the time in handlers.
 */
export function useNow(): number {
  return useTimed((now) => ({ value: now, next: (Math.floor(now / SECOND) + 1) * SECOND }));
}
