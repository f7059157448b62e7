import { Badge, Button, EmptyState, Group, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import { ROOT_ISSUER_ID } from '../../../../shared/issuers';
import {
  type EngineEvent,
  EVENT_TYPES,
  type EventFilter,
  type EventType,
  REQUEST_ENDPOINTS,
} from '../../../../shared/schemas';
import { type Column, DataTable } from '../../components/DataTable';
import { ClientAndUserFilters, FilterSelect, useClientAndUserFilter } from '../../components/FilterSelect';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminQuery } from '../../data/contract-queries';
import { useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { useLiveConnection } from '../../data/live-connection';
import { AllIssuersSwitch, IssuerBadge, isElsewhere, useEveryIssuerEvents } from '../issuers/every-issuer';
import { TokenDrawer } from '../tokens/TokenDrawer';
import { EventDrawer } from './EventDrawer';
import { eventColor, eventLabel, requestFailed, summary } from './event-format';

/** Rows per page; older pages are read by id (keyset), so everything the engine keeps can be reached. */
const PAGE_SIZE = 100;

const NOWRAP = { style: { whiteSpace: 'nowrap' } } as const;

function Details({
  event,
  openToken,
}: {
  event: EngineEvent;
  /** Null for an event of another issuer (in "All issuers"): its token is not the selected issuer's. */
  openToken: ((id: string) => void) | null;
}) {
  const failed = requestFailed(event);
  const text = summary(event);
  return (
    <Group gap="xs" wrap="nowrap">
      {event.token_id && openToken && (
        <Button
          size="compact-xs"
          variant="subtle"
          style={{ flexShrink: 0 }}
          aria-label={`Open token of event ${event.id}`}
          onClick={() => event.token_id && openToken(event.token_id)}
        >
          Token
        </Button>
      )}
      <Text size="xs" lineClamp={2} style={{ wordBreak: 'break-word' }} c={failed ? 'red' : 'dimmed'}>
        {failed && typeof event.data.error === 'string' && (
          <Text span fw={700} ff="monospace" size="xs">
            {event.data.error}
            {typeof event.data.error_description === 'string' ? ': ' : ''}
          </Text>
        )}
        {failed && typeof event.data.error_description === 'string' && `${event.data.error_description} · `}
        {text}
      </Text>
    </Group>
  );
}

function eventColumns(
  openToken: (id: string) => void,
  elsewhere: (event: EngineEvent) => boolean,
): Column<EngineEvent>[] {
  return [
    { header: 'Time', cell: (event) => <RelativeTime value={event.at} />, props: NOWRAP },
    {
      header: 'Event',
      cell: (event) => (
        // Whole, never cut to "token.reuse_dete…": the column takes the badge's width.
        <Badge
          variant="light"
          color={eventColor(event)}
          tt="none"
          miw="max-content"
          style={{ flexShrink: 0 }}
        >
          {eventLabel(event)}
        </Badge>
      ),
      props: NOWRAP,
    },
    { header: 'Client', cell: (event) => event.client_id ?? '', props: { ff: 'monospace', ...NOWRAP } },
    { header: 'User', cell: (event) => event.username ?? '', props: NOWRAP },
    {
      header: 'Details',
      cell: (event) => <Details event={event} openToken={elsewhere(event) ? null : openToken} />,
    },
  ];
}

/** Live only while the event stream is: new events appear without a reload exactly then. */
function LiveBadge() {
  const connection = useLiveConnection();
  const [label, color] =
    connection === 'live'
      ? ['Live', 'green']
      : connection === 'down'
        ? ['Reconnecting', 'red']
        : ['Connecting', 'gray'];
  return (
    <Badge color={color} variant="dot" aria-label={`Live updates: ${label}`}>
      {label}
    </Badge>
  );
}

/** The filters of the page and its position; changing a filter goes back to the newest page. */
function useActivityFilter() {
  const [type, setType] = useState<EventType | null>(null);
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [errors, setErrors] = useState(false);
  const clientAndUser = useClientAndUserFilter();
  const selection = {
    ...(type ? { type } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(errors ? { errors: true } : {}),
    ...clientAndUser.filter,
  };
  // The ids each newer page ended at, for the filters they were read with: the last is this page's cursor.
  const signature = JSON.stringify(selection);
  const [paging, setPaging] = useState<{ signature: string; cursors: number[] }>({ signature, cursors: [] });
  const cursors = paging.signature === signature ? paging.cursors : [];
  const before = cursors[cursors.length - 1];
  const filter: EventFilter = {
    ...selection,
    ...(before !== undefined ? { before_id: before } : {}),
    limit: PAGE_SIZE,
  };
  const page = (next: number[]) => setPaging({ signature, cursors: next });
  return {
    type,
    setType,
    endpoint,
    setEndpoint,
    errors,
    setErrors,
    clientAndUser,
    filter,
    filtered: Object.keys(selection).length > 0,
    page: cursors.length,
    older: (id: number) => page([...cursors, id]),
    newer: () => page(cursors.slice(0, -1)),
    newest: () => page([]),
  };
}

export function ActivityPage() {
  const view = useActivityFilter();
  const [tokenId, setTokenId] = useState<string | null>(null);
  const [opened, setOpened] = useState<EngineEvent | null>(null);
  // "All issuers": every issuer's newest events (no older pages), each row naming its issuer; a row
  // of another issuer offers to show that issuer (its details are calls to it).
  const [every, setEvery] = useState(false);
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  const elsewhere = (event: EngineEvent) => isElsewhere(every, event, selected);
  const own = useAdminQuery('events.list', view.filter, {
    placeholderData: (previous) => previous,
    enabled: !every,
  });
  const all = useEveryIssuerEvents(view.filter, every);
  const events = every ? all : own;
  // Every issuer's list comes newest first by time; ids count one issuer's events.
  const rows = events.data && (every ? events.data : [...events.data].sort((a, b) => b.id - a.id));
  const last = rows?.[rows.length - 1];
  const columns = eventColumns(setTokenId, elsewhere);
  if (every) columns.splice(1, 0, { header: 'Issuer', cell: (event) => <IssuerBadge id={event.issuer} /> });

  return (
    <Page title="Activity" action={<LiveBadge />}>
      <Group align="flex-end">
        <Switch
          label="Errors only"
          checked={view.errors}
          onChange={(e) => view.setErrors(e.currentTarget.checked)}
          mb={8}
        />
        <FilterSelect
          label="Endpoint"
          placeholder="Any endpoint"
          data={[...REQUEST_ENDPOINTS]}
          value={view.endpoint}
          onChange={view.setEndpoint}
          w={190}
        />
        <FilterSelect
          label="Event type"
          placeholder="Any type"
          data={[...EVENT_TYPES]}
          value={view.type}
          onChange={(value) => view.setType(value as EventType | null)}
          w={220}
        />
        <ClientAndUserFilters selection={view.clientAndUser} />
        <AllIssuersSwitch
          checked={every}
          onChange={(on) => {
            setEvery(on);
            view.newest();
          }}
        />
      </Group>
      <DataTable
        label="Events"
        source={{ query: events, what: 'the event log' }}
        rows={rows}
        rowKey={(event) => (every ? `${event.issuer}:${event.id}` : event.id)}
        columns={columns}
        actions={(event) => [
          elsewhere(event)
            ? {
                label: 'Go to issuer',
                name: `Go to the issuer of event ${event.id}`,
                onClick: () => void switchTo(event.issuer ?? ROOT_ISSUER_ID),
              }
            : { label: 'Open', name: `Open event ${event.id}`, onClick: () => setOpened(event) },
        ]}
        minWidth={960}
        striped
        empty={
          <EmptyState
            title={view.filtered ? 'No event matches these filters' : 'No activity yet'}
            description={
              view.filtered
                ? 'Clear a filter to see more.'
                : 'Create a user or a client, or request a token: every step of the token lifecycle, and every request to the token, userinfo, introspection and revocation endpoints, shows up here as it happens.'
            }
          />
        }
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {every
            ? 'Newest events of every issuer'
            : view.page === 0
              ? 'Newest events'
              : `Page ${view.page + 1} (older events)`}
        </Text>
        <Group gap="xs">
          <Button variant="default" size="xs" disabled={view.page === 0} onClick={view.newest}>
            Newest
          </Button>
          <Button variant="default" size="xs" disabled={view.page === 0} onClick={view.newer}>
            Newer
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={every || !last || (rows?.length ?? 0) < PAGE_SIZE}
            onClick={() => last && view.older(last.id)}
          >
            Older
          </Button>
        </Group>
      </Group>
      <EventDrawer event={opened} onClose={() => setOpened(null)} openToken={setTokenId} />
      <TokenDrawer id={tokenId} onClose={() => setTokenId(null)} />
    </Page>
  );
}
