import { Group, Paper, type PaperProps, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A page: its heading, with its main action (or live status) at the right when it has one, then its content. */
export function Page({
  title,
  action,
  children,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  const heading = <Title order={2}>{title}</Title>;
  return (
    <Stack>
      {action ? (
        <Group justify="space-between">
          {heading}
          {action}
        </Group>
      ) : (
        heading
      )}
      {children}
    </Stack>
  );
}

interface PanelProps extends PaperProps {
  /** A heading at the panel's top (a settings section's name). */
  title?: string;
  children: ReactNode;
}

/** A bordered block of a page (a form, a settings section), its content stacked. */
export function Panel({ title, children, ...paper }: PanelProps) {
  return (
    <Paper withBorder p="md" {...paper}>
      <Stack>
        {title && <Title order={3}>{title}</Title>}
        {children}
      </Stack>
    </Paper>
  );
}
