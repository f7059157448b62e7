import { Badge, Button, Group, Text } from '@mantine/core';
import type { EngineEvent } from '../../../../shared/schemas';
import type { Column } from '../../components/DataTable';
import { RelativeTime } from '../../components/RelativeTime';
import { MONOSPACE } from '../../components/VirtualTable';
import { formatLocal } from '../../lib/time';
import { IssuerBadge } from '../issuers/every-issuer';
import { eventColor, eventLabel, requestFailed, summary } from './event-format';

/** Every row is one line this high, so the list scrolls by arithmetic, not by measuring. */
export const EVENT_ROW_HEIGHT = 40;

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
      {/* One line, cut at the cell's end; the whole event is in its drawer (a click on the row). */}
      <Text size="xs" truncate="end" c={failed ? 'red' : 'dimmed'} title={text}>
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

/** Details as one plain line, for rows passing by in a fast scroll (VirtualTable's light cells). */
function lightDetails(event: EngineEvent): string {
  const error = requestFailed(event) && typeof event.data.error === 'string' ? `${event.data.error} · ` : '';
  return `${error}${summary(event)}`;
}

/**
 * The Activity table's columns. `elsewhere` says whether an event is of another issuer than the
 * selected one ("All issuers"), whose tokens cannot be opened here; `every` adds the Issuer column.
 */
export function eventColumns(
  openToken: (id: string) => void,
  elsewhere: (event: EngineEvent) => boolean,
  every: boolean,
): Column<EngineEvent>[] {
  const columns: Column<EngineEvent>[] = [
    {
      header: 'Time',
      cell: (event) => <RelativeTime value={event.at} />,
      light: (event) => formatLocal(event.at),
      width: 190,
    },
    {
      header: 'Event',
      // Wide enough for the longest label ("token.reuse_detected", "device_authorization 400"),
      // so a badge is never cut.
      cell: (event) => (
        <Badge variant="light" color={eventColor(event)} tt="none" miw="max-content">
          {eventLabel(event)}
        </Badge>
      ),
      light: eventLabel,
      width: 200,
    },
    {
      header: 'Client',
      cell: (event) => <span style={MONOSPACE}>{event.client_id ?? ''}</span>,
      width: 150,
    },
    { header: 'User', cell: (event) => event.username ?? '', width: 120 },
    {
      header: 'Details',
      cell: (event) => <Details event={event} openToken={elsewhere(event) ? null : openToken} />,
      light: lightDetails,
    },
  ];
  if (every) {
    columns.splice(1, 0, {
      header: 'Issuer',
      cell: (event) => <IssuerBadge id={event.issuer} />,
      light: (event) => event.issuer ?? '',
      width: 150,
    });
  }
  return columns;
}
