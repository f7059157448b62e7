import { Alert, Button, EmptyState, Group, Select, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ROOT_ISSUER_ID } from '../../../../shared/issuers';
import {
  TOKEN_FORMATS,
  TOKEN_STATES,
  type Token,
  type TokenFormat,
  type TokenKind,
  type TokenMatch,
  type TokenSort,
  type TokenState,
} from '../../../../shared/schemas';
import type { RowAction } from '../../components/DataTable';
import {
  ClientAndUserFilters,
  FilterSelect,
  TokenKindFilter,
  useClientAndUserFilter,
} from '../../components/FilterSelect';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { VirtualTable } from '../../components/VirtualTable';
import { useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { LiveRateNote } from '../../data/LiveRate';
import { useSearchTerm } from '../../data/search-term';
import { errorMessage } from '../../lib/errors';
import { AllIssuersSwitch, isElsewhere } from '../issuers/every-issuer';
import { tokenName } from './lineage';
import { TokenDrawer } from './TokenDrawer';
import { EVERY_ISSUER_TOKEN_COLUMNS, TOKEN_COLUMNS, TokenRevocations } from './token-columns';
import { TokenCount, useTokenList } from './useTokenList';
import { useTokenRevocation } from './useTokenRevocation';

/** Every row's height: one line of text, a badge or a row of small buttons. */
const ROW_HEIGHT = 40;
/** Details (or Go to issuer), Revoke and the menu of wider revocations. */
const ACTIONS_WIDTH = 230;

const SORTS: ReadonlyArray<{ value: TokenSort; label: string }> = [
  { value: 'issued_desc', label: 'Newest' },
  { value: 'issued_asc', label: 'Oldest' },
  { value: 'expires_asc', label: 'Expiring soonest' },
  { value: 'expires_desc', label: 'Expiring latest' },
];

/** The filters of the Tokens view and the match they make (memoised: it keys the list's cache). */
function useTokenFilters() {
  const [kind, setKind] = useState<TokenKind | null>(null);
  const [format, setFormat] = useState<TokenFormat | null>(null);
  const [state, setState] = useState<TokenState | null>(null);
  const [search, setSearch] = useState('');
  const q = useSearchTerm(search);
  const [sort, setSort] = useState<TokenSort>('issued_desc');
  const clientAndUser = useClientAndUserFilter();
  const { clientId, username } = clientAndUser;
  const match = useMemo<TokenMatch>(
    () => ({
      ...(kind ? { kind } : {}),
      ...(format ? { format } : {}),
      ...(state ? { state } : {}),
      ...(clientId ? { client_id: clientId } : {}),
      ...(username ? { username } : {}),
      ...(q ? { q } : {}),
    }),
    [kind, format, state, clientId, username, q],
  );
  const fields = (
    <>
      <TokenKindFilter value={kind} onChange={setKind} />
      <FilterSelect
        label="Format"
        placeholder="Any format"
        data={[...TOKEN_FORMATS]}
        value={format}
        onChange={(value) => setFormat(value as TokenFormat | null)}
        w={140}
      />
      <FilterSelect
        label="State"
        placeholder="Any state"
        data={TOKEN_STATES.map((value) => ({ value, label: value.replace('_', ' ') }))}
        value={state}
        onChange={(value) => setState(value as TokenState | null)}
        w={170}
      />
      <ClientAndUserFilters selection={clientAndUser} />
      <TextInput
        label="Search tokens"
        placeholder="Token id, subject, user, client or claim"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        // The engine searches at most 200 characters (a token id is far shorter).
        maxLength={200}
        w={280}
      />
      <Select
        label="Sort"
        data={SORTS}
        value={sort}
        onChange={(value) => value && setSort(value as TokenSort)}
        allowDeselect={false}
        w={170}
      />
    </>
  );
  return { match, sort, fields, clientId, username };
}

export function TokensPage() {
  const { match, sort, fields, clientId, username } = useTokenFilters();
  const [openId, setOpenId] = useState<string | null>(null);
  const revoke = useTokenRevocation();
  // "All issuers": every issuer's tokens, each row naming its issuer; a row of another issuer offers
  // to show that issuer (its details and revocations are calls to it).
  const [every, setEvery] = useState(false);
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const atTop = useRef(true);
  const { list, count, listKey, pendingCount, showPending } = useTokenList({ match, sort, every, atTop });
  // A new filter is a new list (a new table), read from its top.
  const listId = JSON.stringify(listKey);
  // A selective filter may read many slices of the store before its first match (each call reads a
  // bounded one): keep reading while nothing shows. With rows, the table asks for more by itself.
  const { rows: shown, hasMore, loadMore } = list;
  const answered = list.query.data !== undefined;
  useEffect(() => {
    if (answered && shown.length === 0 && hasMore) loadMore();
  }, [answered, shown.length, hasMore, loadMore]);

  const onAtTopChange = useCallback(
    (top: boolean) => {
      atTop.current = top;
      // Back at the top: the tokens held back while reading older rows come in.
      if (top) showPending();
    },
    [showPending],
  );
  const showNew = () => {
    showPending();
    scrollRef.current?.scrollTo({ top: 0 });
  };

  const actions = useCallback(
    (token: Token): ReadonlyArray<RowAction | false> =>
      isElsewhere(every, token, selected)
        ? [
            {
              label: 'Go to issuer',
              name: `Go to the issuer of ${tokenName(token)}`,
              onClick: () => void switchTo(token.issuer ?? ROOT_ISSUER_ID),
            },
          ]
        : [{ label: 'Details', name: `Details of ${tokenName(token)}`, onClick: () => setOpenId(token.id) }],
    [every, selected, switchTo],
  );
  const moreActions = useCallback(
    (token: Token) =>
      isElsewhere(every, token, selected) ? null : <TokenRevocations token={token} revoke={revoke} />,
    [every, selected, revoke],
  );
  const onRowClick = useCallback(
    (token: Token) => {
      if (!isElsewhere(every, token, selected)) setOpenId(token.id);
    },
    [every, selected],
  );
  const filtered = Object.keys(match).length > 0;

  return (
    <Page
      title="Tokens"
      action={
        <Group gap="xs">
          <LiveRateNote />
          {clientId && (
            <Button color="red" variant="light" onClick={() => revoke.client(clientId)}>
              Revoke all tokens of client {clientId}
            </Button>
          )}
          {username && (
            <Button color="red" variant="light" onClick={() => revoke.user(username)}>
              Revoke all tokens of {username}
            </Button>
          )}
        </Group>
      }
    >
      <Group align="flex-end">
        {fields}
        <AllIssuersSwitch checked={every} onChange={setEvery} />
      </Group>
      {/* One line of fixed height, so the table below does not move when the count or news come. */}
      <Group justify="space-between" h={28} wrap="nowrap">
        <TokenCount count={count} />
        {pendingCount > 0 && (
          <Button size="compact-sm" variant="light" onClick={showNew}>
            {pendingCount.toLocaleString('en-US')} new token{pendingCount === 1 ? '' : 's'} — show
          </Button>
        )}
      </Group>
      {list.query.data ? (
        <VirtualTable<Token>
          key={listId}
          label="Tokens"
          testId="tokens-scroll"
          rows={list.rows}
          rowKey={tokenKey}
          columns={every ? EVERY_ISSUER_TOKEN_COLUMNS : TOKEN_COLUMNS}
          rowHeight={ROW_HEIGHT}
          onEndReached={list.loadMore}
          loadingMore={list.loadingMore}
          onAtTopChange={onAtTopChange}
          scrollRef={scrollRef}
          actions={actions}
          moreActions={moreActions}
          actionsWidth={ACTIONS_WIDTH}
          onRowClick={onRowClick}
          empty={
            hasMore ? (
              <Text size="sm" c="dimmed" role="status" p="md">
                Searching older tokens…
              </Text>
            ) : (
              <EmptyState
                title={filtered ? 'No token matches these filters' : 'No tokens yet'}
                description={
                  filtered
                    ? 'Clear a filter to see more.'
                    : 'Sign in through a client or call the token endpoint; tokens appear here the moment they are issued.'
                }
              />
            )
          }
        />
      ) : (
        <QueryState query={list.query} what="tokens" />
      )}
      {list.query.isFetchNextPageError && (
        <Alert color="red" title="Could not load more tokens" role="alert">
          {errorMessage(list.query.error)}{' '}
          <Button size="xs" variant="white" color="red" onClick={list.loadMore}>
            Retry
          </Button>
        </Alert>
      )}
      <TokenDrawer id={openId} onClose={() => setOpenId(null)} />
    </Page>
  );
}

/** Token ids are unique across issuers (random), so they key the rows of every list. */
function tokenKey(token: Token): string {
  return token.id;
}
