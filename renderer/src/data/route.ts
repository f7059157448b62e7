import { useEffect, useState } from 'react';

/** The hash without "#/" and without a query ("#/lab/timeline?x" → "lab/timeline"). */
function readPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

/** The page name from the URL hash ("#/tokens" → "tokens"); hash routing works under app://idp-sandbox/ and /ui/ alike. */
function read(): string {
  return readPath().split('/')[0] ?? '';
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

export function useHashRoute(): string {
  return useHash(read);
}

/** The whole route path ("lab/timeline"), for pages with sub-pages. */
export function useHashPath(): string {
  return useHash(readPath);
}

/** Goes to a route ("lab/inspector"); the hashchange listeners do the rest. */
export function navigate(path: string): void {
  window.location.hash = `#/${path}`;
}
