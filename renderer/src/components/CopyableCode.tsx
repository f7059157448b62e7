import { Code, Group, Stack } from '@mantine/core';
import { CopyButton } from './CopyButton';

interface CopyableCodeProps {
  /** The block's accessible name ("Configuration snippet"). */
  label: string;
  text: string;
  /** The copy button's text and accessible name ("Copy configuration"). */
  copyLabel: string;
  copySize?: 'xs' | 'sm';
  /** Where the copy button sits under the block. */
  align?: 'flex-start' | 'center';
}

/** A block of text to paste elsewhere (a snippet, a key, a command), wrapped anywhere, with a copy button. */
export function CopyableCode({ label, text, copyLabel, copySize, align = 'flex-start' }: CopyableCodeProps) {
  return (
    <Stack gap="xs">
      <Code block aria-label={label} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Code>
      <Group justify={align}>
        <CopyButton value={text} label={copyLabel} size={copySize} />
      </Group>
    </Stack>
  );
}
