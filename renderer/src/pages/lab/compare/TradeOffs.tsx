import { Paper, Stack, Table, Text, Title } from '@mantine/core';

/** Self-contained vs reference tokens, side by side, with the sizes of the two just minted. */
export function TradeOffs({ jwt, reference }: { jwt: string; reference: string }) {
  return (
    <Paper withBorder p="md" role="region" aria-label="The trade-off">
      <Stack gap="sm">
        <Title order={3} size="h4">
          The trade-off
        </Title>
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th>Self-contained JWT</Table.Th>
              <Table.Th>Reference token</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th>Size on every request</Table.Th>
              <Table.Td>{jwt.length} characters</Table.Td>
              <Table.Td>{reference.length} characters</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>How an API checks it</Table.Th>
              <Table.Td>Locally, with the provider’s public keys (cached JWKS): no call per request</Table.Td>
              <Table.Td>Asks the provider (introspection) on every request, or caches the answer</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Revocation</Table.Th>
              <Table.Td>Seen only by APIs that introspect; others accept it until it expires</Table.Td>
              <Table.Td>Effective at once, everywhere</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Who can read the claims</Table.Th>
              <Table.Td>Anyone holding it (base64, not encryption): no secrets in claims</Table.Td>
              <Table.Td>Only the provider and the APIs that introspect</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>When the provider is down</Table.Th>
              <Table.Td>APIs keep working</Table.Td>
              <Table.Td>APIs cannot check tokens</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        <Text size="sm">
          That is why JWT access tokens should be short-lived (minutes): the lifetime is the window in which a
          revoked or stolen token still works. Refresh tokens, which the provider always checks, carry the
          long-lived session.
        </Text>
      </Stack>
    </Paper>
  );
}
