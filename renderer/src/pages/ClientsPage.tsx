import { Badge, Button, EmptyState, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Client } from '../../../shared/schemas';
import { adminApi } from '../api';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { QK } from '../data/keys';
import { ClientDrawer } from './ClientDrawer';
import { ClientFormModal } from './ClientFormModal';

export function ClientsPage() {
  const clients = useQuery({ queryKey: [QK.clients], queryFn: () => adminApi.clients.list({}) });
  const [openId, setOpenId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Client | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  // The drawer reads the client from the list, so live updates (a regenerated secret) show at once.
  const open = clients.data?.find((client) => client.client_id === openId) ?? null;

  const openForm = (client: Client | null) => {
    setEditing(client);
    setFormOpen(true);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Clients</Title>
        <Button onClick={() => openForm(null)}>New client</Button>
      </Group>
      <QueryState query={clients} what="clients" />
      {clients.data?.length === 0 && (
        <EmptyState
          title="No clients yet"
          description="A client is the application that asks for tokens. Create one, then copy its configuration into your service."
        >
          <EmptyState.Actions>
            <Button onClick={() => openForm(null)}>Create the first client</Button>
          </EmptyState.Actions>
        </EmptyState>
      )}
      {clients.data && clients.data.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover aria-label="Clients">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Client ID</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Grant types</Table.Th>
                <Table.Th>Auth</Table.Th>
                <Table.Th>Access tokens</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {clients.data.map((client) => (
                <Table.Tr key={client.client_id}>
                  <Table.Td ff="monospace" fw={600}>
                    {client.client_id}
                  </Table.Td>
                  <Table.Td>{client.client_name ?? <Text c="dimmed">—</Text>}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {client.grant_types.map((grant) => (
                        <Badge key={grant} variant="light" size="sm">
                          {grant}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{client.token_endpoint_auth_method}</Table.Td>
                  <Table.Td>{client.access_token_format === 'jwt' ? 'JWT' : 'Reference'}</Table.Td>
                  <Table.Td>
                    <RelativeTime value={client.created_at} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={`Open ${client.client_id}`}
                        onClick={() => setOpenId(client.client_id)}
                      >
                        Open
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={`Edit ${client.client_id}`}
                        onClick={() => openForm(client)}
                      >
                        Edit
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ClientDrawer
        client={open}
        onClose={() => setOpenId(null)}
        onEdit={(client) => {
          setOpenId(null);
          openForm(client);
        }}
      />
      <ClientFormModal
        client={editing}
        opened={formOpen}
        onClose={() => setFormOpen(false)}
        onSaved={(saved) => setOpenId(saved.client_id)}
      />
    </Stack>
  );
}
