import { useDebouncedValue } from '@mantine/hooks';

/**
 * Typing settles this long before a list is read again: one request per word rather than per key,
 * short enough that a search still answers within the lists' 150 ms goal plus the read itself.
 */
const SEARCH_DEBOUNCE_MS = 100;

/** The free-text term a list filters by, once typing pauses; clearing the box applies at once. */
export function useSearchTerm(text: string): string {
  const trimmed = text.trim();
  const [settled] = useDebouncedValue(trimmed, SEARCH_DEBOUNCE_MS);
  return trimmed === '' ? '' : settled;
}
