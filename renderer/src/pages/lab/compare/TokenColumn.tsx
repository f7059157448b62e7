import { Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { CopyButton } from '../../../components/CopyButton';
import type { Minted } from './checks';

export interface CheckRow {
  id: string;
  label: string;
  before: boolean | null;
  after: boolean | null;
  /** Words for true / false / not applicable. */
  yes: string;
  no: string;
  na?: string;
}

function Verdict({ value, row, when }: { value: boolean | null | undefined; row: CheckRow; when: string }) {
  if (value === undefined) return <Text c="dimmed">—</Text>;
  const [text, color] =
    value === null ? [row.na ?? 'n/a', 'gray'] : value ? [row.yes, 'green'] : [row.no, 'red'];
  return (
    <Badge color={color} variant="light" data-check={`${row.id}-${when}`} tt="none">
      {text}
    </Badge>
  );
}

function shorten(value: string): string {
  return value.length > 96 ? `${value.slice(0, 96)}…` : value;
}

interface TokenColumnProps {
  title: string;
  minted: Minted;
  rows: CheckRow[];
  revoked: boolean;
  children: ReactNode;
}

/** One side of the demo: the token, what its holder can read, and the checks before and after revocation. */
export function TokenColumn({ title, minted, rows, revoked, children }: TokenColumnProps) {
  return (
    <Paper withBorder p="md" role="region" aria-label={title}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {title}
          </Title>
          <Badge variant="outline" color="gray" tt="none">
            {minted.value.length} characters
          </Badge>
        </Group>
        <Code block style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 12 }}>
          {shorten(minted.value)}
        </Code>
        <Group>
          <CopyButton value={minted.value} label={`Copy the ${title.toLowerCase()}`} size="xs" />
        </Group>
        {children}
        <Table withTableBorder aria-label={`${title} checks`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Check</Table.Th>
              <Table.Th>Before revocation</Table.Th>
              <Table.Th>After revocation</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.id}>
                <Table.Td>{row.label}</Table.Td>
                <Table.Td>
                  <Verdict value={row.before} row={row} when="before" />
                </Table.Td>
                <Table.Td>
                  <Verdict value={revoked ? row.after : undefined} row={row} when="after" />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Paper>
  );
}
