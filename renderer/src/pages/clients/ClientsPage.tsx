import { Badge, Button, EmptyState, Group, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { Client } from '../../../../shared/schemas';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { useFormModal } from '../../components/FormModal';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { MarkBadge, SeedBadge } from '../../components/SeedBadge';
import { useAdminQuery } from '../../data/contract-queries';
import { ClientDrawer } from './ClientDrawer';
import { ClientFormModal } from './ClientFormModal';
import { GRANT_TYPE_LABELS } from './client-labels';

/** A grant's badge: the readable name of a URN grant, whole (a badge would cut it to "urn:ietf:par…"). */
function grantLabel(grant: string): string {
  return (GRANT_TYPE_LABELS as Record<string, string>)[grant] ?? grant;
}

/** Marks a client that registered itself (RFC 7591) rather than being made here or by the seed. */
function RegisteredBadge({ at }: { at: string }) {
  return (
    <MarkBadge
      text="registered"
      tooltip={`Registered itself through dynamic client registration (RFC 7591), ${new Date(at).toLocaleString()}`}
      label="Registered dynamically"
      color="teal"
    />
  );
}

function clientsTable(seeded: ReadonlySet<string>): QueryTableSpec<Client> {
  return {
    label: 'Clients',
    what: 'clients',
    rowKey: (client) => client.client_id,
    minWidth: 640,
    striped: true,
    highlightOnHover: true,
    columns: [
      {
        header: 'Client ID',
        cell: (client) => (
          <Group gap={6} wrap="nowrap">
            <Text ff="monospace" fw={600} size="sm">
              <bdi>{client.client_id}</bdi>
            </Text>
            {seeded.has(client.client_id) && <SeedBadge what="client" />}
            {client.registered_at && <RegisteredBadge at={client.registered_at} />}
          </Group>
        ),
      },
      {
        header: 'Name',
        cell: (client) => (client.client_name ? <bdi>{client.client_name}</bdi> : <Text c="dimmed">—</Text>),
      },
      {
        header: 'Grant types',
        cell: (client) => (
          // The badges wrap onto more lines rather than each being cut short.
          <Group gap={4} wrap="wrap">
            {client.grant_types.map((grant) => (
              <Badge
                key={grant}
                variant="light"
                size="sm"
                tt="none"
                miw="max-content"
                style={{ flexShrink: 0 }}
              >
                {grantLabel(grant)}
              </Badge>
            ))}
          </Group>
        ),
      },
      { header: 'Auth', cell: (client) => client.token_endpoint_auth_method },
      {
        header: 'Access tokens',
        cell: (client) => (client.access_token_format === 'jwt' ? 'JWT' : 'Reference'),
      },
      { header: 'Created', cell: (client) => <RelativeTime value={client.created_at} /> },
    ],
  };
}

export function ClientsPage() {
  const clients = useAdminQuery('clients.list');
  const seed = useAdminQuery('workspace.seedManaged');
  const seeded = useMemo(() => new Set(seed.data?.clients ?? []), [seed.data]);
  const [openId, setOpenId] = useState<string | null>(null);
  const form = useFormModal<Client>();
  // The drawer reads the client from the list, so live updates (a regenerated secret) show at once.
  const open = clients.data?.find((client) => client.client_id === openId) ?? null;

  return (
    <Page title="Clients" action={<Button onClick={() => form.open(null)}>New client</Button>}>
      <DataTable
        {...clientsTable(seeded)}
        query={clients}
        empty={
          <EmptyState
            title="No clients yet"
            description="A client is the application that asks for tokens. Create one, then copy its configuration into your service."
          >
            <EmptyState.Actions>
              <Button onClick={() => form.open(null)}>Create the first client</Button>
            </EmptyState.Actions>
          </EmptyState>
        }
        actions={(client) => [
          { label: 'Open', name: `Open ${client.client_id}`, onClick: () => setOpenId(client.client_id) },
          { label: 'Edit', name: `Edit ${client.client_id}`, onClick: () => form.open(client) },
        ]}
      />
      <ClientDrawer
        client={open}
        onClose={() => setOpenId(null)}
        onEdit={(client) => {
          setOpenId(null);
          form.open(client);
        }}
      />
      <ClientFormModal
        client={form.editing}
        opened={form.opened}
        onClose={form.close}
        onSaved={(saved) => setOpenId(saved.client_id)}
      />
    </Page>
  );
}
