import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

const NowContext = createContext<number | null>(null);

/** One clock for the whole UI, ticking once a second, for countdowns and "3 min ago" texts. */
export function NowProvider({ children }: { children: ReactNode }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return <NowContext.Provider value={now}>{children}</NowContext.Provider>;
}

/**
 * The current time in ms; re-renders every second under a NowProvider, reads the clock otherwise.
 * The tick can be up to a second old when something new renders between ticks, so the clock is read
 * too: an event that just happened must say "now", never "in 1 s".
 */
export function useNow(): number {
  const tick = useContext(NowContext);
  return tick === null ? Date.now() : Math.max(tick, Date.now());
}
