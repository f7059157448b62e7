import { Box, Code, Group, Text } from '@mantine/core';
import { CopyButton } from './CopyButton';

interface JsonBlockProps {
  /** Heading and accessible name of the block. */
  label: string;
  value: unknown;
}

/** Pretty-printed JSON with its own copy button. */
export function JsonBlock({ label, value }: JsonBlockProps) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <Box>
      <Group justify="space-between" mb={4}>
        <Text fw={600} size="sm">
          {label}
        </Text>
        <CopyButton compact value={text} label={`Copy ${label.toLowerCase()}`} size="sm" />
      </Group>
      <Code block aria-label={label} role="region" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Code>
    </Box>
  );
}
