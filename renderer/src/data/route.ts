import { useEffect, useState } from 'react';

/** The hash without "#/" and without a query ("#/lab/timeline?x" → "lab/timeline"). */
function readPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

function useHash<T>(reader: () => T): T {
  const [value, setValue] = useState(reader);
  useEffect(() => {
    const onChange = () => setValue(reader());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, [reader]);
  return value;
}

/**
 * The whole route path ("lab/timeline"); its first segment is the page. Hash routing works under
 * app://idp-sandbox/ and /ui/ alike.
 */
export function useHashPath(): string {
  return useHash(readPath);
}

/** Goes to a route ("lab/inspector"); the hashchange listeners do the rest. */
export function navigate(path: string): void {
  window.location.hash = `#/${path}`;
}
