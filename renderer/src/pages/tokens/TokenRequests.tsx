import { Badge, Stack, Text } from '@mantine/core';
import type { EngineEvent } from '../../../../shared/schemas';
import { type Column, DataTable } from '../../components/DataTable';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminQuery } from '../../data/contract-queries';
import { eventColor, eventLabel, requestFailed } from '../activity/event-format';

const COLUMNS: ReadonlyArray<Column<EngineEvent>> = [
  {
    header: 'Time',
    cell: (event) => <RelativeTime value={event.at} />,
    props: { style: { whiteSpace: 'nowrap' } },
  },
  {
    header: 'Request',
    cell: (event) => (
      <Badge variant="light" color={eventColor(event)} tt="none">
        {eventLabel(event)}
      </Badge>
    ),
  },
  { header: 'Client', cell: (event) => event.client_id ?? '', props: { ff: 'monospace' } },
  {
    header: 'Outcome',
    cell: (event) =>
      requestFailed(event) ? (
        <Text size="xs" c="red">
          {String(event.data.error ?? '')} {String(event.data.error_description ?? '')}
        </Text>
      ) : (
        <Text size="xs" c="dimmed">
          {`${String(event.data.duration_ms ?? '')} ms`}
        </Text>
      ),
  },
];

/**
 * The protocol requests that presented (or, for a token request, received) one token: userinfo calls,
 * introspections, refreshes, revocations. For the token drawer; newest first, the newest 50.
 */
export function TokenRequests({ tokenId }: { tokenId: string }) {
  const requests = useAdminQuery('events.list', { token_id: tokenId, type: 'request', limit: 50 });
  return (
    <Stack gap="xs">
      <DataTable
        label="Requests that used this token"
        source={{ query: requests, what: 'the requests of this token' }}
        rows={requests.data}
        rowKey={(event) => event.id}
        columns={COLUMNS}
        minWidth={520}
        empty={
          <Text size="sm" c="dimmed">
            No request has used this token yet (userinfo, introspection, refresh or revocation).
          </Text>
        }
      />
    </Stack>
  );
}
