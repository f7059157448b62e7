import { Button, Code, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Client } from '../../../../shared/schemas';
import { Choice, choiceOptions } from '../../components/Choice';
import { CopyButton } from '../../components/CopyButton';
import { clientSnippet, type SnippetFormat } from '../../lib/snippet';

const SNIPPET_FORMAT_LABELS: Record<SnippetFormat, string> = { env: '.env', json: 'JSON' };

interface ClientSnippetProps {
  client: Client;
  issuer: string;
  discoveryUrl: string;
}

/**
 * The client's configuration for any stack. Its secret is hidden on screen until asked for, as the
 * secret field hides it (a shared screen or a screenshot should not show it); Copy copies the real one.
 */
export function ClientSnippet({ client, issuer, discoveryUrl }: ClientSnippetProps) {
  const [format, setFormat] = useState<SnippetFormat>('env');
  const [revealed, setRevealed] = useState(false);
  const input = { issuer, discoveryUrl, client };
  const text = clientSnippet(input, format);
  const shown = clientSnippet(input, format, { maskSecret: !revealed });
  const hasSecret = shown !== text || revealed;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          What any stack needs to use this client.
        </Text>
        <Choice
          size="xs"
          aria-label="Snippet format"
          value={format}
          onChange={setFormat}
          data={choiceOptions(SNIPPET_FORMAT_LABELS)}
        />
      </Group>
      <Code
        block
        aria-label="Configuration snippet"
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
      >
        {shown}
      </Code>
      <Group gap="xs">
        <CopyButton value={text} label="Copy configuration" />
        {hasSecret && (
          <Button size="xs" variant="subtle" aria-pressed={revealed} onClick={() => setRevealed((v) => !v)}>
            {revealed ? 'Hide secret' : 'Show secret'}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
