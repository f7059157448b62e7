import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

interface Now {
  tick: number;
  /** Provider time's offset from this machine's clock (the provider clock), in milliseconds. */
  offsetMs: number;
}

const NowContext = createContext<Now | null>(null);

/**
 * One clock for the whole UI, ticking once a second, for countdowns and "3 min ago" texts. It tells
 * provider time: the machine's clock plus the provider clock's offset, so a token the provider calls
 * expired counts down to zero here too.
 */
export function NowProvider({ children, offsetMs = 0 }: { children: ReactNode; offsetMs?: number }) {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return <NowContext.Provider value={{ tick: tick + offsetMs, offsetMs }}>{children}</NowContext.Provider>;
}

/**
 * The current provider time in ms; re-renders every second under a NowProvider, reads the clock
 * otherwise. The tick can be up to a second old when something new renders between ticks, so the
 * clock is read too: an event that just happened must say "now", never "in 1 s".
 */
export function useNow(): number {
  const now = useContext(NowContext);
  return now === null ? Date.now() : Math.max(now.tick, Date.now() + now.offsetMs);
}
