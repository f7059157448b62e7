import { Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { estimatedBearerHeaderBytes } from '../../../../shared/token-size';
import { JsonBlock } from '../../components/JsonBlock';
import { QueryState } from '../../components/QueryState';
import { TokenSizeNote } from '../../components/TokenSizeNote';
import { useAdminQuery } from '../../data/contract-queries';

function Preview({ username }: { username: string }) {
  const [clientId, setClientId] = useState<string | null>(null);
  const [scope, setScope] = useState('openid profile email');
  const [debouncedScope] = useDebouncedValue(scope, 300);
  const clients = useAdminQuery('clients.list');
  const preview = useAdminQuery('users.previewClaims', {
    username,
    ...(clientId ? { client_id: clientId } : {}),
    scope: debouncedScope,
  });

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        What {username} would get when signing in through a client with this scope. Scopes decide which
        profile claims reach the ID token and userinfo.
      </Text>
      <Group grow align="flex-start">
        <Select
          label="Client"
          placeholder="Any client"
          clearable
          data={(clients.data ?? []).map((client) => ({
            value: client.client_id,
            label: client.client_name ? `${client.client_name} (${client.client_id})` : client.client_id,
          }))}
          value={clientId}
          onChange={setClientId}
        />
        <TextInput label="Scope" value={scope} onChange={(event) => setScope(event.currentTarget.value)} />
      </Group>
      <QueryState query={preview} what="the claims preview" />
      {preview.data && (
        <TokenSizeNote bytes={estimatedBearerHeaderBytes(preview.data.access_token)} approximate />
      )}
      {preview.data && (
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <JsonBlock label="ID token claims" value={preview.data.id_token} />
          <JsonBlock label="Access token claims" value={preview.data.access_token} />
          <JsonBlock label="Userinfo response" value={preview.data.userinfo} />
        </SimpleGrid>
      )}
    </Stack>
  );
}

export function ClaimsPreviewModal({ username, onClose }: { username: string | null; onClose: () => void }) {
  return (
    <Modal
      opened={username !== null}
      onClose={onClose}
      title={`Token claims for ${username ?? ''}`}
      size="90%"
    >
      {username && <Preview username={username} />}
    </Modal>
  );
}
