import { Alert, Anchor, Button, Group, List, Text } from '@mantine/core';
import type { Fault } from '../../../shared/faults';
import { useAdminMutation, useAdminQuery } from '../data/contract-queries';
import { errorMessage } from '../lib/errors';

/**
 * The active faults. Their counts change with every request they apply to and no event says so, so the
 * list is refetched every few seconds while any is on (their ends do send events).
 */
export function useActiveFaults() {
  return useAdminQuery('faults.list', undefined, {
    refetchInterval: (query) => ((query.state.data?.length ?? 0) > 0 ? 3000 : false),
  });
}

/** "2 requests left", "until 14:03:10", or nothing for a fault on until turned off. */
export function remaining(fault: Pick<Fault, 'remaining_requests' | 'expires_at'>): string | null {
  if (fault.remaining_requests !== null) {
    return `${fault.remaining_requests} ${fault.remaining_requests === 1 ? 'request' : 'requests'} left`;
  }
  if (fault.expires_at !== null) return `until ${new Date(fault.expires_at).toLocaleTimeString()}`;
  return null;
}

/** Shown on every page while a fault is on, so nobody debugs a failure the sandbox is making on purpose. */
export function FaultsBanner() {
  const faults = useActiveFaults();
  const clear = useAdminMutation('faults.clear', {
    success: (output) => `${output.cleared} faults turned off`,
  });
  const active = faults.data ?? [];
  if (active.length === 0) return null;
  return (
    <Alert
      color="orange"
      variant="filled"
      mb="md"
      title={`${active.length === 1 ? 'A fault is' : `${active.length} faults are`} on`}
    >
      <List size="sm" spacing={2} mb="xs">
        {active.map((fault) => (
          <List.Item key={fault.id}>
            <Text span size="sm">
              {fault.description}
              {remaining(fault) && ` · ${remaining(fault)}`} · applied {fault.applied}×
            </Text>
          </List.Item>
        ))}
      </List>
      <Group gap="sm">
        <Button
          size="compact-sm"
          variant="white"
          color="orange"
          onClick={() => clear.mutate({})}
          loading={clear.isPending}
        >
          All faults off
        </Button>
        <Anchor href="#/lab/faults" c="white" size="sm" underline="always">
          Faults
        </Anchor>
        {clear.error && <Text size="sm">{errorMessage(clear.error)}</Text>}
      </Group>
    </Alert>
  );
}
