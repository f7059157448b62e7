import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** One fact of a details view: its label and its value. */
export type Fact = readonly [label: string, value: ReactNode];

/** A two-column "label: value" table, for the details of one token or one client. */
export function FactsTable({
  label,
  facts,
  labelWidth,
}: {
  label: string;
  facts: readonly Fact[];
  labelWidth: number;
}) {
  return (
    <Table variant="vertical" withTableBorder aria-label={label}>
      <Table.Tbody>
        {facts.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th w={labelWidth}>{name}</Table.Th>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
