import { Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { ClaimsPreview } from '../../../../shared/contract';
import { estimatedBearerHeaderBytes } from '../../../../shared/token-size';
import { ClaimsList } from '../../components/ClaimValue';
import { JsonBlock } from '../../components/JsonBlock';
import { QueryState } from '../../components/QueryState';
import { TabbedPanels } from '../../components/TabbedPanels';
import { TokenSizeNote } from '../../components/TokenSizeNote';
import { useAdminQuery } from '../../data/contract-queries';

const KINDS = [
  { key: 'id_token', label: 'ID token' },
  { key: 'access_token', label: 'Access token' },
  { key: 'userinfo', label: 'Userinfo' },
  { key: 'introspection', label: 'Introspection' },
] as const;

/** Each token kind's claims with the reason each is there (scope, client mapping, protocol…). */
function Reasons({ preview }: { preview: ClaimsPreview }) {
  return (
    <Stack gap={4} role="region" aria-label="Why each claim is there">
      <Text fw={600} size="sm">
        Why each claim is there
      </Text>
      <TabbedPanels
        panelPadding="xs"
        panels={KINDS.map(({ key, label }) => ({
          value: key,
          label,
          content: (
            <ClaimsList label={`Why: ${label}`} claims={preview[key]} reasons={preview.reasons[key]} />
          ),
        }))}
      />
    </Stack>
  );
}

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
        profile claims reach the ID token and userinfo; a client's claim mappings and the workspace's scope
        claims decide the rest.
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
        <SimpleGrid cols={{ base: 1, md: 2, lg: 4 }}>
          <JsonBlock label="ID token claims" value={preview.data.id_token} />
          <JsonBlock label="Access token claims" value={preview.data.access_token} />
          <JsonBlock label="Userinfo response" value={preview.data.userinfo} />
          <JsonBlock label="Introspection response" value={preview.data.introspection} />
        </SimpleGrid>
      )}
      {preview.data && <Reasons preview={preview.data} />}
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
