import { Alert, Badge, Paper, Stack, Switch, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ClaimValue } from '../../../components/ClaimValue';
import { CodeTextarea } from '../../../components/CodeTextarea';
import {
  type DecodedJwt,
  type DiffKind,
  type DiffRow,
  decodeParts,
  describeDiff,
  diffMembers,
} from './token-diff';

/** Highlight and words of each kind of difference: colour is never the only sign. */
const KINDS: Record<Exclude<DiffKind, 'same'>, { color: string; background: string }> = {
  changed: { color: 'yellow', background: 'var(--mantine-color-yellow-light)' },
  added: { color: 'green', background: 'var(--mantine-color-green-light)' },
  removed: { color: 'red', background: 'var(--mantine-color-red-light)' },
};

function Cell({ name, value }: { name: string; value: unknown }) {
  if (value === undefined) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        absent
      </Text>
    );
  }
  return <ClaimValue name={name} value={value} />;
}

interface CompareTableProps {
  label: string;
  nameHeader: string;
  rows: DiffRow[];
  onlyDifferences: boolean;
}

/** Both tokens' members side by side, each row marked with its difference (data-diff, a badge). */
function CompareTable({ label, nameHeader, rows, onlyDifferences }: CompareTableProps) {
  const shown = onlyDifferences ? rows.filter((row) => row.kind !== 'same') : rows;
  return (
    <Table aria-label={label} withTableBorder verticalSpacing={4} layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={120}>{nameHeader}</Table.Th>
          <Table.Th>This token (A)</Table.Th>
          <Table.Th>Compared token (B)</Table.Th>
          <Table.Th w={100}>From A to B</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {shown.map((row) => {
          const kind = row.kind === 'same' ? null : KINDS[row.kind];
          return (
            <Table.Tr
              key={row.name}
              data-claim={row.name}
              data-diff={row.kind}
              style={kind ? { background: kind.background } : undefined}
            >
              <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                {row.name}
              </Table.Td>
              <Table.Td>
                <Cell name={row.name} value={row.left} />
              </Table.Td>
              <Table.Td>
                <Cell name={row.name} value={row.right} />
              </Table.Td>
              <Table.Td>
                {kind ? (
                  <Badge color={kind.color} variant="filled" size="sm">
                    {row.kind}
                  </Badge>
                ) : (
                  <Text size="xs" c="dimmed">
                    same
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

/**
 * "Compare with…": a second token's header and claims next to the inspected one's, differences named
 * (changed, added, removed, from A to B) and highlighted. Decoding only: nothing is verified here.
 */
export function TokenCompare({ first }: { first: DecodedJwt }) {
  const [input, setInput] = useState('');
  const [other] = useDebouncedValue(input.trim(), 250);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const second = other ? decodeParts(other) : null;
  const header = second ? diffMembers(first.header, second.header) : [];
  const claims = second ? diffMembers(first.payload, second.payload) : [];
  return (
    <Paper withBorder p="md" role="region" aria-label="Compare tokens">
      <Stack gap="sm">
        <CodeTextarea
          label="Compare with…"
          description="A second JWT (B): its header and claims are shown next to this token’s (A), differences highlighted. Decoded only, not verified."
          placeholder="eyJhbGciOi…"
          value={input}
          onChange={setInput}
          minRows={2}
          maxRows={6}
          small
        />
        {other && !second && (
          <Alert color="orange" title="Nothing to compare">
            That is not a JWT whose header and payload decode as JSON objects.
          </Alert>
        )}
        {second && (
          <>
            <Text size="sm" role="status" data-testid="compare-summary">
              Header: {describeDiff(header)}. Claims: {describeDiff(claims)}.
            </Text>
            <Switch
              size="xs"
              label="Only differences"
              checked={onlyDifferences}
              onChange={(event) => setOnlyDifferences(event.currentTarget.checked)}
            />
            <CompareTable
              label="Header comparison"
              nameHeader="Parameter"
              rows={header}
              onlyDifferences={onlyDifferences}
            />
            <CompareTable
              label="Claims comparison"
              nameHeader="Claim"
              rows={claims}
              onlyDifferences={onlyDifferences}
            />
          </>
        )}
      </Stack>
    </Paper>
  );
}
