import { Text } from '@mantine/core';
import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { type RefObject, useCallback, useMemo } from 'react';
import type { AdminOutput } from '../../../../shared/contract';
import { ALL_ISSUERS } from '../../../../shared/issuers';
import type { Count, TokenMatch, TokenSort } from '../../../../shared/schemas';
import { adminApi } from '../../api';
import { usePagedList } from '../../data/paged-list';
import { useLiveTokens } from './useLiveTokens';

/** Tokens per page: a few screens, read in well under the 150 ms a filter change may take. */
const PAGE_SIZE = 200;

const tokensOf = (page: AdminOutput<'tokens.list'>) => page.tokens;
const nextCursor = (page: AdminOutput<'tokens.list'>) => page.next_cursor;

interface TokenListOptions {
  match: TokenMatch;
  sort: TokenSort;
  every: boolean;
  atTop: RefObject<boolean>;
}

/**
 * The Tokens view's data: the list page by page (keyset cursors, no count), its count apart, asked
 * only once the first rows are there (a count over millions of tokens must not hold the rows up), and
 * both kept current from the live stream (useLiveTokens). Keyed under "view.tokens", out of the
 * invalidation targets, so live events do not refetch it wholesale (data/invalidation.ts).
 */
export function useTokenList({ match, sort, every, atTop }: TokenListOptions) {
  const scope = every ? ALL_ISSUERS : 'selected';
  const listKey = useMemo(() => ['view.tokens', match, sort, scope], [match, sort, scope]);
  const countKey = useMemo(() => ['view.tokens.count', match, scope], [match, scope]);
  const call = every ? adminApi.everyIssuer.tokens : adminApi.tokens.list;
  const input = useCallback(
    (cursor: string | null) => ({
      ...match,
      sort,
      count: false,
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    }),
    [match, sort],
  );
  const list = usePagedList({
    method: 'tokens.list',
    key: listKey,
    input,
    rows: tokensOf,
    next: nextCursor,
    call,
  });
  const count = useQuery({
    queryKey: countKey,
    queryFn: (): Promise<Count> =>
      every
        ? // No count method spans issuers: the list's own exact total, of one row.
          adminApi.everyIssuer
            .tokens({ ...match, limit: 1, count: true })
            .then(({ total }) => ({ count: total ?? 0, exact: true }))
        : adminApi.tokens.count(match),
    // Once rows show or the list ended: not beside the next call of a search still reading slices with
    // no match in them, which the engine would answer only after the count.
    enabled: list.rows.length > 0 || (list.query.data !== undefined && !list.query.hasNextPage),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  const live = useLiveTokens({ listKey, countKey, match, sort, every, call, atTop });
  return { list, count, listKey, ...live };
}

/** "1,000,000 tokens", "≈ 312,000 tokens" for an estimate, "Counting…" until the count is there. */
export function TokenCount({ count }: { count: UseQueryResult<Count> }) {
  let text = 'Counting…';
  if (count.isError) text = 'Could not count the tokens';
  else if (count.data) {
    const { count: n, exact } = count.data;
    text = `${exact ? '' : '≈ '}${n.toLocaleString('en-US')} token${n === 1 ? '' : 's'}`;
  }
  return (
    <Text size="sm" c="dimmed" data-testid="tokens-count" aria-live="polite">
      {text}
    </Text>
  );
}
