import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { useSearchTerm } from './search-term';

/**
 * A list searched as the Tokens and Activity views search theirs: the box's text becomes a term, the
 * term keys a query whose match holds `q`. The engine's answers are held until the test releases them,
 * to see which terms are asked for while a search is being read.
 */
function searchedList() {
  const asked: string[] = [];
  const pending: Array<() => void> = [];
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: 0 } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const view = renderHook(
    ({ text }: { text: string }) => {
      const q = useSearchTerm(text);
      const list = useQuery({
        queryKey: ['view.search-test', q ? { q } : {}],
        queryFn: () =>
          new Promise<string>((resolve) => {
            asked.push(q);
            pending.push(() => resolve(`rows of "${q}"`));
          }),
      });
      return { q, rows: list.data };
    },
    { wrapper, initialProps: { text: '' } },
  );
  /** Answers every read asked so far. */
  const answer = () =>
    act(async () => {
      for (const resolve of pending.splice(0)) resolve();
    });
  return { view, asked, answer };
}

afterEach(cleanup);

describe('useSearchTerm', () => {
  it('applies a term at once when no search is being read: no wait for a pasted term', async () => {
    const { view, asked, answer } = searchedList();
    await answer();
    view.rerender({ text: 'orders' });
    expect(view.result.current.q).toBe('orders');
    await waitFor(() => expect(asked).toEqual(['', 'orders']));
    await answer();
    await waitFor(() => expect(view.result.current.rows).toBe('rows of "orders"'));
  });

  it('while a search is read, applies only the latest text once it answers (no queue of terms)', async () => {
    const { view, asked, answer } = searchedList();
    await answer();
    view.rerender({ text: 'o' });
    await waitFor(() => expect(asked).toEqual(['', 'o']));
    // Typed on while "o" is read: the term stays "o".
    for (const text of ['or', 'ord', 'orde']) {
      view.rerender({ text });
      expect(view.result.current.q).toBe('o');
    }
    await answer();
    // "o" answered: the box's latest text, and only it, is read next.
    await waitFor(() => expect(view.result.current.q).toBe('orde'));
    await waitFor(() => expect(asked).toEqual(['', 'o', 'orde']));
    await answer();
    await waitFor(() => expect(view.result.current.rows).toBe('rows of "orde"'));
  });

  it('clears at once, even while a search is read', async () => {
    const { view, answer } = searchedList();
    await answer();
    view.rerender({ text: 'inventory' });
    expect(view.result.current.q).toBe('inventory');
    view.rerender({ text: '  ' });
    expect(view.result.current.q).toBe('');
  });

  it('applies the latest text after a while if searches are read back to back (a live list)', async () => {
    const { view, asked, answer } = searchedList();
    await answer();
    view.rerender({ text: 'billing' });
    await waitFor(() => expect(asked).toEqual(['', 'billing']));
    view.rerender({ text: 'billing-api' });
    expect(view.result.current.q).toBe('billing');
    // "billing" never answers; the new text is applied after the longest wait all the same.
    await waitFor(() => expect(view.result.current.q).toBe('billing-api'), { timeout: 2000 });
    await waitFor(() => expect(asked).toEqual(['', 'billing', 'billing-api']));
  });
});
