import { Code, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CopyButton } from '../../../components/CopyButton';
import { buildCurlCommands, type CurlInput } from './curl';

/** The curl commands for a token, each copyable, with what to expect. */
export function CurlCommands(props: Omit<CurlInput, 'apiUrl'>) {
  const [apiUrl, setApiUrl] = useState('http://127.0.0.1:8080/api/orders');
  const commands = buildCurlCommands({ ...props, apiUrl });
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        Try it with curl
      </Title>
      {props.kind === 'access' && (
        <TextInput
          label="API URL for the example call"
          value={apiUrl}
          onChange={(event) => setApiUrl(event.currentTarget.value)}
          maw={480}
        />
      )}
      {commands.map((c) => (
        <Stack gap={4} key={c.id} role="region" aria-label={c.title} data-curl={c.id}>
          <Group justify="space-between">
            <Text fw={600} size="sm">
              {c.title}
            </Text>
            <CopyButton value={c.command} label={`Copy: ${c.title}`} size="xs" />
          </Group>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>
            {c.command}
          </Code>
          <Text size="xs" c="dimmed">
            {c.note}
          </Text>
        </Stack>
      ))}
    </Stack>
  );
}
