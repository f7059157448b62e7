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

/** The current time in ms; re-renders every second under a NowProvider, reads the clock otherwise. */
export function useNow(): number {
  return useContext(NowContext) ?? Date.now();
}
