import { Badge, Button, EmptyState, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EVENT_TYPES, type EventFilter, type EventType } from '../../../shared/schemas';
import { adminApi } from '../api';
import { ClientAndUserFilters, FilterSelect } from '../components/FilterSelect';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { QK } from '../data/keys';
import { TokenDrawer } from './TokenDrawer';

function eventColor(type: EventType): string {
  if (type.includes('reuse')) return 'orange';
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

const NOWRAP = { whiteSpace: 'nowrap' } as const;

export function ActivityPage() {
  const [type, setType] = useState<EventType | null>(null);
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [tokenId, setTokenId] = useState<string | null>(null);
  const filter: EventFilter = {
    ...(type ? { type } : {}),
    ...(clientId ? { client_id: clientId } : {}),
    ...(username ? { username } : {}),
    limit: 200,
  };
  const events = useQuery({
    queryKey: [QK.events, filter],
    queryFn: () => adminApi.events.list(filter),
    placeholderData: (previous) => previous,
  });
  const rows = [...(events.data ?? [])].sort((a, b) => b.id - a.id);
  const filtered = Boolean(type || clientId || username);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Activity</Title>
        <Badge color="green" variant="dot">
          Live
        </Badge>
      </Group>
      <Group align="flex-end">
        <FilterSelect
          label="Event type"
          placeholder="Any type"
          data={[...EVENT_TYPES]}
          value={type}
          onChange={(value) => setType(value as EventType | null)}
          w={220}
        />
        <ClientAndUserFilters
          client={{ value: clientId, onChange: setClientId }}
          user={{ value: username, onChange: setUsername }}
        />
      </Group>
      <QueryState query={events} what="the event log" />
      {events.data && rows.length === 0 && (
        <EmptyState
          title={filtered ? 'No event matches these filters' : 'No activity yet'}
          description={
            filtered
              ? 'Clear a filter to see more.'
              : 'Create a user or a client, or request a token: every step of the token lifecycle shows up here as it happens.'
          }
        />
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={860}>
          <Table striped aria-label="Events">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Client</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((event) => (
                <Table.Tr key={event.id}>
                  <Table.Td style={NOWRAP}>
                    <RelativeTime value={event.at} />
                  </Table.Td>
                  <Table.Td style={NOWRAP}>
                    <Badge
                      variant="light"
                      color={eventColor(event.type)}
                      tt="none"
                      style={{ overflow: 'visible' }}
                    >
                      {event.type}
                    </Badge>
                  </Table.Td>
                  <Table.Td ff="monospace" style={NOWRAP}>
                    {event.client_id ?? ''}
                  </Table.Td>
                  <Table.Td style={NOWRAP}>{event.username ?? ''}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {event.token_id && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          style={{ flexShrink: 0 }}
                          aria-label={`Open token of event ${event.id}`}
                          onClick={() => setTokenId(event.token_id)}
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
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <TokenDrawer id={tokenId} onClose={() => setTokenId(null)} />
    </Stack>
  );
}
