import { Alert, Badge, Button, Drawer, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { EngineEvent, RequestExchange } from '../../../../shared/schemas';
import { FactsTable } from '../../components/FactsTable';
import { JsonBlock } from '../../components/JsonBlock';
import { QueryState } from '../../components/QueryState';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminQuery } from '../../data/contract-queries';
import { requestFailed, requestStatus } from './event-format';

/** The failure of a request event, first and in red: the OAuth error and what it says. */
export function FailureAlert({ event }: { event: EngineEvent }) {
  if (!requestFailed(event)) return null;
  const { error, error_description: description } = event.data;
  return (
    <Alert color="red" variant="light" title={`${requestStatus(event)} ${String(error ?? 'error')}`}>
      {typeof description === 'string' && description ? description : 'No error_description was sent.'}
    </Alert>
  );
}

function ExchangeSide({ title, part }: { title: string; part: RequestExchange['request'] }) {
  return (
    <Stack gap="xs">
      <Title order={5}>{title}</Title>
      <JsonBlock label={`${title} headers`} value={part.headers} />
      <JsonBlock label={`${title} body`} value={part.body ?? '(empty)'} />
    </Stack>
  );
}

/** The redacted HTTP exchange behind a request event, request next to response. */
function Exchange({ eventId }: { eventId: number }) {
  const exchange = useAdminQuery('events.request', { event_id: eventId });
  if (exchange.data === undefined) return <QueryState query={exchange} what="the request" />;
  if (exchange.data === null) {
    return (
      <Text size="sm" c="dimmed">
        The HTTP exchange is no longer kept (the request log keeps the newest 10,000 for a day).
      </Text>
    );
  }
  const { method, path, status, request, response } = exchange.data;
  return (
    <Stack gap="xs">
      <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }} aria-label="Request line">
        {method} {path} → {status}
      </Text>
      <Text size="xs" c="dimmed">
        Secrets, passwords, tokens, codes, assertions, DPoP proofs and Authorization headers are redacted
        (tokens keep their first characters and id, to be matched).
      </Text>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <ExchangeSide title="Request" part={request} />
        <ExchangeSide title="Response" part={response} />
      </SimpleGrid>
    </Stack>
  );
}

interface EventDrawerProps {
  event: EngineEvent | null;
  onClose: () => void;
  openToken: (id: string) => void;
}

/** One event in full; for a protocol request, its redacted request and response next to it. */
export function EventDrawer({ event, onClose, openToken }: EventDrawerProps) {
  return (
    <Drawer
      opened={event !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={event ? `Event ${event.id}: ${event.type}` : ''}
    >
      {event && (
        <Stack>
          <FailureAlert event={event} />
          <FactsTable
            label="Event"
            labelWidth={120}
            facts={[
              [
                'Type',
                <Badge key="type" variant="light" tt="none">
                  {event.type}
                </Badge>,
              ],
              ['When', <RelativeTime key="at" value={event.at} />],
              ['Client', event.client_id ?? '—'],
              ['User', event.username ?? '—'],
              [
                'Token',
                event.token_id ? (
                  <Group key="token" gap="xs">
                    <Text ff="monospace" size="sm" span>
                      {event.token_id}
                    </Text>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => event.token_id && openToken(event.token_id)}
                    >
                      Open token
                    </Button>
                  </Group>
                ) : (
                  '—'
                ),
              ],
            ]}
          />
          <JsonBlock label="Event data" value={event.data} />
          {event.type === 'request' && <Exchange eventId={event.id} />}
        </Stack>
      )}
    </Drawer>
  );
}
