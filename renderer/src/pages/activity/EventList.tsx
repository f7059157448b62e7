import { Button, EmptyState, Group, Text } from '@mantine/core';
import { memo, type ReactNode, useCallback, useEffect, useMemo, useRef } from 'react';
import { ROOT_ISSUER_ID } from '../../../../shared/issuers';
import type { EngineEvent } from '../../../../shared/schemas';
import type { RowAction } from '../../components/DataTable';
import { QueryState } from '../../components/QueryState';
import { VirtualTable } from '../../components/VirtualTable';
import { useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { isElsewhere, useEveryIssuerEvents } from '../issuers/every-issuer';
import { EVENT_ROW_HEIGHT, eventColumns } from './event-columns';
import type { EventMatch } from './event-match';
import { useActivityEvents } from './useActivityEvents';
import { countText, useEventCount } from './useEventCount';

/** How many of every issuer's newest events "All issuers" shows (that list has no older pages). */
const EVERY_ISSUER_LIMIT = 200;

/** What the table shows without rows: still reading older slices of the log, or truly nothing. */
function NoRows({ searching, filtered }: { searching: boolean; filtered: boolean }) {
  if (searching) {
    return (
      <Text size="sm" c="dimmed" role="status" p="md">
        Searching older events…
      </Text>
    );
  }
  return (
    <EmptyState
      title={filtered ? 'No event matches these filters' : 'No activity yet'}
      description={
        filtered
          ? 'Clear a filter to see more.'
          : 'Create a user or a client, or request a token: every step of the token lifecycle, and every request to the token, userinfo, introspection and revocation endpoints, shows up here as it happens.'
      }
    />
  );
}

interface EventListProps {
  match: EventMatch;
  /** Every issuer's newest events instead of the selected issuer's log. */
  every: boolean;
  filtered: boolean;
  onOpen: (event: EngineEvent) => void;
  onOpenToken: (id: string) => void;
}

/**
 * The count, the "new events" offer and the table: a component of its own, so live events (applied
 * ten times a second under load) re-render this and not the filters above it.
 */
export const EventList = memo(function EventList({
  match,
  every,
  filtered,
  onOpen,
  onOpenToken,
}: EventListProps) {
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const own = useActivityEvents(match, {
    enabled: !every,
    onMatched: (n) => counting.liveMatched(n),
    onReset: () => counting.reset(),
  });
  // Counted once rows show (or the log has none): a search's first calls may read only older slices
  // with nothing in them, and a count (the slowest read) sent beside the next one would hold it up.
  const listed = own.rows.length > 0 || (own.pages.data !== undefined && !own.pages.hasNextPage);
  const counting = useEventCount(match, !every && listed);
  const all = useEveryIssuerEvents({ ...match, limit: EVERY_ISSUER_LIMIT }, every);
  const rows = every ? (all.data ?? []) : own.rows;

  // Another filter lists other events: from their newest, at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls back when the filter changes
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [match, every]);

  const columns = useMemo(
    () => eventColumns(onOpenToken, (event) => isElsewhere(every, event, selected), every),
    [onOpenToken, every, selected],
  );
  const actions = useCallback(
    (event: EngineEvent): RowAction[] => [
      isElsewhere(every, event, selected)
        ? {
            label: 'Go to issuer',
            name: `Go to the issuer of event ${event.id}`,
            onClick: () => void switchTo(event.issuer ?? ROOT_ISSUER_ID),
          }
        : { label: 'Open', name: `Open event ${event.id}`, onClick: () => onOpen(event) },
    ],
    [every, selected, switchTo, onOpen],
  );
  const onRowClick = useCallback(
    (event: EngineEvent) => {
      if (!isElsewhere(every, event, selected)) onOpen(event);
    },
    [every, selected, onOpen],
  );
  const rowKey = useCallback(
    (event: EngineEvent) => (every ? `${event.issuer ?? ROOT_ISSUER_ID}:${event.id}` : String(event.id)),
    [every],
  );

  const source = every ? all : own.pages;
  const searching = !every && (own.pages.isPending || own.pages.hasNextPage);
  let status: ReactNode = null;
  if (every) status = 'Newest events of every issuer';
  else if (counting.data) status = countText(counting.data.count, counting.data.exact);
  else if (own.pages.data) status = 'Counting…';

  return (
    <>
      <Group justify="space-between" mih={30}>
        <Text size="sm" c="dimmed" data-testid="events-count">
          {status}
        </Text>
        {!every && own.pendingCount > 0 && (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => {
              scrollRef.current?.scrollTo({ top: 0 });
              own.showPending();
            }}
          >
            {own.pendingCount.toLocaleString('en-US')} new {own.pendingCount === 1 ? 'event' : 'events'} —
            show
          </Button>
        )}
      </Group>
      {/* Not while rows show: the pages are read again below live rows (see live-view.ts) unseen. */}
      {(rows.length === 0 || source.isError) && <QueryState query={source} what="the event log" />}
      {(rows.length > 0 || source.data !== undefined) && (
        <VirtualTable<EngineEvent>
          label="Events"
          testId="events-scroll"
          rows={rows}
          rowKey={rowKey}
          columns={columns}
          rowHeight={EVENT_ROW_HEIGHT}
          onEndReached={every ? noop : own.loadMore}
          loadingMore={!every && own.pages.isFetchingNextPage}
          empty={<NoRows searching={searching} filtered={filtered} />}
          actions={actions}
          onRowClick={onRowClick}
          onAtTopChange={every ? undefined : own.onAtTopChange}
          scrollRef={scrollRef}
        />
      )}
    </>
  );
});

function noop() {}
