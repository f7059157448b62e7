import { type Query, useIsFetching } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

/**
 * The longest a term waits for a read to answer: under live load a search's list and count are read
 * again and again, and a term must not wait for a gap between those reads.
 */
const MAX_WAIT_MS = 300;

/**
 * A search's query: one whose key holds a match with a free-text `q` (a list's pages or its count).
 * Such a read may take the engine tens of milliseconds (store/windows.ts), on its one thread.
 */
function isSearch(query: Query): boolean {
  return query.queryKey.some(
    (part) => typeof part === 'object' && part !== null && typeof (part as { q?: unknown }).q === 'string',
  );
}

/**
 * The free-text term a list filters by. Applied at once when no search is being read (a pasted term,
 * the first key typed), so a search costs no fixed wait; while one is, the box's latest text waits and
 * is applied when that read answers, so typing fast asks for the newest term only, never a queue of
 * terms each read in turn. Clearing the box applies at once.
 */
export function useSearchTerm(text: string): string {
  const trimmed = text.trim();
  const reading = useIsFetching({ predicate: isSearch }) > 0;
  const [applied, setApplied] = useState(trimmed);
  const waiting = reading && applied !== trimmed;
  // Adjusted while rendering (React renders again at once, before committing): no extra frame.
  if (!reading && applied !== trimmed) setApplied(trimmed);
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setApplied(trimmed), MAX_WAIT_MS);
    return () => clearTimeout(timer);
  }, [waiting, trimmed]);
  if (trimmed === '') return '';
  return reading ? applied : trimmed;
}
