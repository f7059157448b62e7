import { Alert, List, Text } from '@mantine/core';
import { exceededHeaderLimits } from '../../../shared/token-size';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/**
 * A warning when a token, sent as `Authorization: Bearer …`, is over the default header limit of
 * common servers: they answer 400 or 431 before the service sees it. Nothing when it fits them all.
 * `bytes` is the header's size; `approximate` when it is estimated from claims, not a real token.
 */
export function TokenSizeNote({ bytes, approximate = false }: { bytes: number; approximate?: boolean }) {
  const over = exceededHeaderLimits(bytes);
  if (over.length === 0) return null;
  return (
    <Alert color="yellow" title="Larger than common servers accept" role="status">
      <Text size="sm">
        Sent as a bearer token this is {approximate ? 'about ' : ''}
        {kib(bytes)} of request header: over the default limit of {over.map((l) => l.server).join(', ')}. They
        answer 400 or 431 before your service sees it, unless the limit is raised. This provider accepts it.
      </Text>
      <List size="xs" mt="xs">
        {over.map((limit) => (
          <List.Item key={limit.server}>
            {limit.server}: {limit.setting}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
