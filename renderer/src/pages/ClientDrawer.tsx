import {
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Client, Settings } from '../../../shared/schemas';
import { adminApi } from '../api';
import { ConfirmButton } from '../components/Confirm';
import { CopyButton } from '../components/CopyButton';
import { QK } from '../data/keys';
import { notifySuccess } from '../lib/errors';
import { clientSnippet, type SnippetFormat } from '../lib/snippet';
import { formatDuration } from '../lib/time';
import { ClientRecipes } from './ClientRecipes';

function lifetime(value: number | null, fallback: number | undefined): string {
  if (value !== null) return formatDuration(value);
  return fallback === undefined ? 'default' : `default (${formatDuration(fallback)})`;
}

function Snippet({ client }: { client: Client }) {
  const [format, setFormat] = useState<SnippetFormat>('env');
  const info = useQuery({ queryKey: [QK.info], queryFn: () => adminApi.engine.info({}) });
  if (!info.data) return null;
  const text = clientSnippet(
    { issuer: info.data.issuer, discoveryUrl: info.data.discoveryUrl, client },
    format,
  );
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          What any stack needs to use this client.
        </Text>
        <SegmentedControl
          size="xs"
          aria-label="Snippet format"
          value={format}
          onChange={(value) => setFormat(value as SnippetFormat)}
          data={[
            { value: 'env', label: '.env' },
            { value: 'json', label: 'JSON' },
          ]}
        />
      </Group>
      <Code
        block
        aria-label="Configuration snippet"
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
      >
        {text}
      </Code>
      <Group>
        <CopyButton value={text} label="Copy configuration" />
      </Group>
    </Stack>
  );
}

function Recipes({ client }: { client: Client }) {
  const info = useQuery({ queryKey: [QK.info], queryFn: () => adminApi.engine.info({}) });
  if (!info.data) return null;
  // Over https the recipes name the local CA their client must trust.
  const caFile = info.data.https.enabled ? (info.data.https.caCertPath ?? undefined) : undefined;
  return <ClientRecipes client={client} issuer={info.data.issuer} caFile={caFile} />;
}

function Secret({ client }: { client: Client }) {
  const queryClient = useQueryClient();
  if (client.token_endpoint_auth_method === 'none') {
    return (
      <Text size="sm" c="dimmed">
        Public client: no secret. It proves itself with PKCE.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <PasswordInput
        label="Client secret"
        readOnly
        value={client.client_secret ?? ''}
        visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the client secret' }}
      />
      <Group>
        <CopyButton value={client.client_secret ?? ''} label="Copy client secret" size="xs" />
        <ConfirmButton
          size="xs"
          confirm={{
            title: 'Regenerate the client secret?',
            message: `Services using the current secret of ${client.client_id} will fail to authenticate until they get the new one.`,
            confirmLabel: 'Regenerate secret',
          }}
          onConfirm={async () => {
            await adminApi.clients.regenerateSecret({ client_id: client.client_id });
            notifySuccess(`New secret for ${client.client_id}`);
            await queryClient.invalidateQueries({ queryKey: [QK.clients] });
          }}
        >
          Regenerate secret
        </ConfirmButton>
      </Group>
    </Stack>
  );
}

interface ClientDrawerProps {
  client: Client | null;
  onClose: () => void;
  onEdit: (client: Client) => void;
}

export function ClientDrawer({ client, onClose, onEdit }: ClientDrawerProps) {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: [QK.settings], queryFn: () => adminApi.settings.get({}) });
  const defaults: Partial<Settings> = settings.data ?? {};
  return (
    <Drawer
      opened={client !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={client ? `Client ${client.client_name ?? client.client_id}` : ''}
    >
      {client && (
        <Stack>
          <Tabs defaultValue="configuration" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="configuration">Configuration</Tabs.Tab>
              <Tabs.Tab value="recipes">Recipes</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="configuration" pt="sm">
              <Snippet client={client} />
            </Tabs.Panel>
            <Tabs.Panel value="recipes" pt="sm">
              <Recipes key={client.client_id} client={client} />
            </Tabs.Panel>
          </Tabs>
          <Title order={4}>Secret</Title>
          <Secret client={client} />
          <Title order={4}>Details</Title>
          <Table variant="vertical" withTableBorder aria-label="Client details">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={200}>Client ID</Table.Th>
                <Table.Td ff="monospace">{client.client_id}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Grant types</Table.Th>
                <Table.Td>
                  <Group gap={4}>
                    {client.grant_types.map((grant) => (
                      <Badge key={grant} variant="light">
                        {grant}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Auth method</Table.Th>
                <Table.Td>{client.token_endpoint_auth_method}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Redirect URIs</Table.Th>
                <Table.Td>{client.redirect_uris.join(', ') || '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Post-logout redirect URIs</Table.Th>
                <Table.Td>{client.post_logout_redirect_uris.join(', ') || '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Scope</Table.Th>
                <Table.Td>{client.scope || '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Audience</Table.Th>
                <Table.Td>{client.audience.join(', ') || '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Loopback redirect port</Table.Th>
                <Table.Td>
                  {client.allow_loopback_port_variance
                    ? 'Any port on its http://127.0.0.1 and http://[::1] redirect URIs (RFC 8252 §7.3)'
                    : 'Exactly as registered'}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Introspection</Table.Th>
                <Table.Td>
                  {client.introspect_any_token
                    ? 'Any token (gateway)'
                    : 'Tokens issued to it, and access tokens with it in their aud'}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Access token format</Table.Th>
                <Table.Td>{client.access_token_format === 'jwt' ? 'JWT' : 'Reference'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Access token lifetime</Table.Th>
                <Table.Td>{lifetime(client.access_token_ttl, defaults.access_token_ttl)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>ID token lifetime</Table.Th>
                <Table.Td>{lifetime(client.id_token_ttl, defaults.id_token_ttl)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Refresh token lifetime</Table.Th>
                <Table.Td>{lifetime(client.refresh_token_ttl, defaults.refresh_token_ttl)}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Group>
            <Button variant="light" onClick={() => onEdit(client)}>
              Edit client
            </Button>
            <ConfirmButton
              confirm={{
                title: `Delete client ${client.client_id}?`,
                message: 'Services using this client can no longer get tokens. This cannot be undone.',
                confirmLabel: 'Delete client',
              }}
              onConfirm={async () => {
                await adminApi.clients.delete({ client_id: client.client_id });
                notifySuccess(`Deleted client ${client.client_id}`);
                onClose();
                await queryClient.invalidateQueries({ queryKey: [QK.clients] });
              }}
            >
              Delete client
            </ConfirmButton>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
