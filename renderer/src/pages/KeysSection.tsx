import { Badge, Button, Code, Collapse, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import type { SigningKey } from '../../../shared/schemas';
import { adminApi } from '../api';
import { ConfirmButton } from '../components/Confirm';
import { QueryState } from '../components/QueryState';
import { RelativeTime } from '../components/RelativeTime';
import { QK } from '../data/keys';
import { notifySuccess } from '../lib/errors';
import { KeyRotationControls } from './KeyRotationControls';

const STATUS_COLORS: Record<SigningKey['status'], string> = {
  next: 'yellow',
  current: 'green',
  previous: 'blue',
  retired: 'gray',
};

/** When the key signs: a next key's schedule, or when a key started signing. */
function SigningFrom({ signingKey }: { signingKey: SigningKey }) {
  if (signingKey.status === 'next') {
    return signingKey.activates_at ? (
      <RelativeTime value={signingKey.activates_at} />
    ) : (
      <Text span size="sm" c="dimmed">
        when activated
      </Text>
    );
  }
  return <RelativeTime value={signingKey.activated_at} fallback="never signed" />;
}

const RETIRE_MESSAGES: Record<'next' | 'previous', string> = {
  next: 'It leaves the JWKS without ever signing: the staged rotation is cancelled.',
  previous: 'It leaves the JWKS: tokens it signed no longer verify anywhere. This cannot be undone.',
};

export function KeysSection() {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: [QK.keys], queryFn: () => adminApi.keys.list({}) });
  const [shown, setShown] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: [QK.keys] });
  const next = keys.data?.find((key) => key.status === 'next');

  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={3}>Signing keys</Title>
        <Text size="sm" c="dimmed">
          Every key that is not retired is published in the JWKS. Stage the next key to publish it before it
          signs: verifiers that cache the JWKS (jose and jwks-rsa keep it 10 minutes) already know it when it
          takes over, after the delay you set or when you activate it. Rotate now switches at once, as a
          drill. Retire a previous key to see how your services handle tokens signed by a key they can no
          longer find.
        </Text>
        <KeyRotationControls next={next} onChanged={refresh} />
        <QueryState query={keys} what="signing keys" />
        {keys.data?.length === 0 && (
          <Text size="sm">No signing key yet; the engine creates one when it first signs a token.</Text>
        )}
        {keys.data && keys.data.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table aria-label="Signing keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key ID (kid)</Table.Th>
                  <Table.Th>Algorithm</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Signing from</Table.Th>
                  <Table.Th>Retired</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.map((key) => (
                  <Fragment key={key.kid}>
                    <Table.Tr>
                      <Table.Td ff="monospace">{key.kid}</Table.Td>
                      <Table.Td>{key.alg}</Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLORS[key.status]} variant="light">
                          {key.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime value={key.created_at} />
                      </Table.Td>
                      <Table.Td>
                        <SigningFrom signingKey={key} />
                      </Table.Td>
                      <Table.Td>
                        <RelativeTime value={key.retired_at} fallback="—" />
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="xs"
                            variant="subtle"
                            aria-expanded={shown === key.kid}
                            aria-label={`Public key ${key.kid}`}
                            onClick={() => setShown(shown === key.kid ? null : key.kid)}
                          >
                            JWK
                          </Button>
                          {key.status === 'next' && (
                            <ConfirmButton
                              size="xs"
                              variant="light"
                              color="indigo"
                              aria-label={`Activate key ${key.kid}`}
                              confirm={{
                                title: `Activate key ${key.kid}?`,
                                message:
                                  'It signs every token from now on. The current key stays in the JWKS as "previous", so tokens it signed still verify.',
                                confirmLabel: 'Activate key',
                                color: 'indigo',
                              }}
                              onConfirm={async () => {
                                await adminApi.keys.activate({ kid: key.kid });
                                notifySuccess(`Key ${key.kid} signs from now on`);
                                await refresh();
                              }}
                            >
                              Activate now
                            </ConfirmButton>
                          )}
                          {(key.status === 'previous' || key.status === 'next') && (
                            <ConfirmButton
                              size="xs"
                              variant="subtle"
                              aria-label={`Retire key ${key.kid}`}
                              confirm={{
                                title: `Retire key ${key.kid}?`,
                                message: RETIRE_MESSAGES[key.status],
                                confirmLabel: 'Retire key',
                              }}
                              onConfirm={async () => {
                                await adminApi.keys.retire({ kid: key.kid });
                                notifySuccess(`Retired key ${key.kid}`);
                                await refresh();
                              }}
                            >
                              Retire
                            </ConfirmButton>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                    <Table.Tr>
                      <Table.Td
                        colSpan={7}
                        p={0}
                        style={{ borderBottom: shown === key.kid ? undefined : 'none' }}
                      >
                        <Collapse expanded={shown === key.kid}>
                          <Code block m="xs">
                            {JSON.stringify(key.public_jwk, null, 2)}
                          </Code>
                        </Collapse>
                      </Table.Td>
                    </Table.Tr>
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
