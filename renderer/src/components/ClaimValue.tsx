import { Stack, Table, Text } from '@mantine/core';
import { timeClaims } from '../../../shared/jwt-inspect';
import { RelativeTime } from './RelativeTime';

/** A claim's value on one line: strings as they are, anything else as compact JSON. */
export function compactClaim(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The moment a time claim (exp, iat, nbf, auth_time: NumericDate seconds) stands for; null otherwise. */
export function claimDate(name: string, value: unknown): Date | null {
  return (timeClaims({ [name]: value }) as Record<string, Date | undefined>)[name] ?? null;
}

/**
 * One claim's value. A time claim reads as a local date-time with a ticking relative hint ("in 4 min"),
 * with the raw NumericDate under it: the number the token carries and jwt.io shows, so the two can be
 * matched. Everything else is its compact JSON.
 */
export function ClaimValue({ name, value }: { name: string; value: unknown }) {
  const date = claimDate(name, value);
  if (!date) {
    return (
      <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
        {compactClaim(value)}
      </Text>
    );
  }
  return (
    <Stack gap={0} data-time-claim={name}>
      <RelativeTime value={date.toISOString()} />
      <Text size="xs" c="dimmed" ff="monospace" data-raw-time>
        {compactClaim(value)}
      </Text>
    </Stack>
  );
}

/**
 * A token's claims as a table, times readable (ClaimValue); each row marked data-claim. With `reasons`
 * (claim mapping: "from scope `profile`", "protocol claim"), a third column says why each claim is there.
 */
export function ClaimsList({
  label,
  claims,
  reasons,
}: {
  label: string;
  claims: Record<string, unknown>;
  reasons?: Record<string, string> | undefined;
}) {
  return (
    <Table aria-label={label} withTableBorder verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={130}>Claim</Table.Th>
          <Table.Th>Value</Table.Th>
          {reasons && <Table.Th>Why</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(claims).map(([name, value]) => (
          <Table.Tr key={name} data-claim={name}>
            <Table.Td ff="monospace">{name}</Table.Td>
            <Table.Td>
              <ClaimValue name={name} value={value} />
            </Table.Td>
            {reasons && (
              <Table.Td data-reason>
                <Text size="xs" c="dimmed">
                  {Object.hasOwn(reasons, name) ? reasons[name] : '—'}
                </Text>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
