import { Anchor, Code, EmptyState, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Client, User } from '../../../../shared/schemas';
import { QueryState } from '../../components/QueryState';
import { useAdminQuery } from '../../data/contract-queries';

/**
 * The QA lab pages' start: every token, good or bad, is issued to a client, so they show their form
 * only once there is one; before that, loading, the error, or the way to create one.
 */
export function WithClients({ children }: { children: (clients: Client[], users: User[]) => ReactNode }) {
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  if (!clients.data) return <QueryState query={clients} what="clients" />;
  if (clients.data.length === 0) {
    return (
      <EmptyState
        title="No clients yet"
        description={
          <>
            Tokens are always issued to a client. <Anchor href="#/clients">Create a client</Anchor> first,
            then come back.
          </>
        }
      />
    );
  }
  return children(clients.data, users.data ?? []);
}

/** A bad token's name in a table: what is wrong with it, and its id as the CLI and reports spell it. */
export function VariantName({ title, variant }: { title: string; variant: string }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      <Code>{variant}</Code>
    </Stack>
  );
}
