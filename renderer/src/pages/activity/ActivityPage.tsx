import { Badge, Button, EmptyState, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { type EngineEvent, EVENT_TYPES, type EventFilter, type EventType } from '../../../../shared/schemas';
import { type Column, DataTable } from '../../components/DataTable';
import { ClientAndUserFilters, FilterSelect, useClientAndUserFilter } from '../../components/FilterSelect';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminQuery } from '../../data/contract-queries';
import { TokenDrawer } from '../tokens/TokenDrawer';

function eventColor(type: EventType): string {
  if (type.includes('reuse') || type.startsWith('fault')) return 'orange';
  if (type.endsWith('revoked') || type.endsWith('deleted') || type === 'workspace.reset') return 'red';
  if (type.startsWith('token.') || type === 'login' || type === 'logout') return 'green';
  if (type.startsWith('key.') || type === 'settings.changed') return 'grape';
  return 'blue';
}

/** The event's extra data as "key: value" pairs, short enough for one table cell. */
function summary(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

const NOWRAP = { style: { whiteSpace: 'nowrap' } } as const;

function eventColumns(openToken: (id: string) => void): ReadonlyArray<Column<EngineEvent>> {
  return [
    { header: 'Time', cell: (event) => <RelativeTime value={event.at} />, props: NOWRAP },
    {
      header: 'Event',
      cell: (event) => (
        <Badge variant="light" color={eventColor(event.type)} tt="none" style={{ overflow: 'visible' }}>
          {event.type}
        </Badge>
      ),
      props: NOWRAP,
    },
    { header: 'Client', cell: (event) => event.client_id ?? '', props: { ff: 'monospace', ...NOWRAP } },
    { header: 'User', cell: (event) => event.username ?? '', props: NOWRAP },
    {
      header: 'Details',
      cell: (event) => (
        <Group gap="xs" wrap="nowrap">
          {event.token_id && (
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
          {summary(event.data) && (
            <Text size="xs" c="dimmed" lineClamp={2} style={{ wordBreak: 'break-word' }}>
              {summary(event.data)}
            </Text>
          )}
        </Group>
      ),
    },
  ];
}

export function ActivityPage() {
  const [type, setType] = useState<EventType | null>(null);
  const clientAndUser = useClientAndUserFilter();
  const [tokenId, setTokenId] = useState<string | null>(null);
  const filter: EventFilter = {
    ...(type ? { type } : {}),
    ...clientAndUser.filter,
    limit: 200,
  };
  const events = useAdminQuery('events.list', filter, { placeholderData: (previous) => previous });
  const rows = events.data && [...events.data].sort((a, b) => b.id - a.id);
  const filtered = Boolean(type || clientAndUser.clientId || clientAndUser.username);

  return (
    <Page
      title="Activity"
      action={
        <Badge color="green" variant="dot">
          Live
        </Badge>
      }
    >
      <Group align="flex-end">
        <FilterSelect
          label="Event type"
          placeholder="Any type"
          data={[...EVENT_TYPES]}
          value={type}
          onChange={(value) => setType(value as EventType | null)}
          w={220}
        />
        <ClientAndUserFilters selection={clientAndUser} />
      </Group>
      <DataTable
        label="Events"
        source={{ query: events, what: 'the event log' }}
        rows={rows}
        rowKey={(event) => event.id}
        columns={eventColumns(setTokenId)}
        minWidth={860}
        striped
        empty={
          <EmptyState
            title={filtered ? 'No event matches these filters' : 'No activity yet'}
            description={
              filtered
                ? 'Clear a filter to see more.'
                : 'Create a user or a client, or request a token: every step of the token lifecycle shows up here as it happens.'
            }
          />
        }
      />
      <TokenDrawer id={tokenId} onClose={() => setTokenId(null)} />
    </Page>
  );
}
