import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { timeClaims } from '../../../../../shared/jwt-inspect';
import { CopyButton } from '../../../components/CopyButton';
import { JsonBlock } from '../../../components/JsonBlock';
import { RelativeTime } from '../../../components/RelativeTime';
import { explainClaim, HEADER_EXPLANATIONS } from './explanations';

const PART_COLORS = [
  'var(--mantine-color-red-7)',
  'var(--mantine-color-violet-7)',
  'var(--mantine-color-blue-7)',
];

/** The compact token with its three parts coloured: header . payload . signature. */
function ColouredToken({ token }: { token: string }) {
  const parts = token.trim().split('.');
  return (
    <Code
      block
      aria-label="Token parts"
      style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 12 }}
      data-testid="token-parts"
    >
      {parts.map((part, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the three parts of a JWT are positional
        <span key={index}>
          {index > 0 && '.'}
          <span style={{ color: PART_COLORS[index] ?? 'inherit' }}>{part}</span>
        </span>
      ))}
    </Code>
  );
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function HeaderTable({ header }: { header: ProtectedHeaderParameters }) {
  return (
    <Table aria-label="Header parameters" withTableBorder verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={90}>Parameter</Table.Th>
          <Table.Th w={160}>Value</Table.Th>
          <Table.Th>Meaning</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(header).map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Td ff="monospace">{name}</Table.Td>
            <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
              {compact(value)}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{HEADER_EXPLANATIONS[name] ?? 'Not a registered header parameter.'}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ClaimsTable({ payload }: { payload: JWTPayload }) {
  const times = timeClaims(payload) as Record<string, Date | undefined>;
  return (
    <Table aria-label="Claims" withTableBorder verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={110}>Claim</Table.Th>
          <Table.Th w={260}>Value</Table.Th>
          <Table.Th>Meaning</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(payload).map(([name, value]) => {
          const date = times[name];
          return (
            <Table.Tr key={name} data-claim={name}>
              <Table.Td ff="monospace">{name}</Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                {date ? (
                  <Stack gap={0}>
                    <RelativeTime value={date.toISOString()} />
                    <Text size="xs" c="dimmed" ff="monospace">
                      {compact(value)}
                    </Text>
                  </Stack>
                ) : (
                  <Text size="sm" ff="monospace">
                    {compact(value)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{explainClaim(name)}</Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

interface SignaturePanelProps {
  header: ProtectedHeaderParameters;
  signature: string | null;
  valid: boolean | null;
  keySource: string | null;
}

function SignaturePanel({ header, signature, valid, keySource }: SignaturePanelProps) {
  const [label, color] =
    valid === null
      ? ['not verified', 'gray']
      : valid
        ? ['signature valid', 'green']
        : ['signature invalid', 'red'];
  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Badge color={color} variant="filled" data-testid="signature-status">
          {label}
        </Badge>
        <Text size="sm">
          {String(header.alg ?? 'no alg')} · key {String(header.kid ?? '(no kid)')}
          {keySource && valid !== null && <> · checked against {keySource}</>}
        </Text>
      </Group>
      <Code block aria-label="Signature" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
        {signature || '(empty: an unsigned token)'}
      </Code>
      <Text size="xs" c="dimmed">
        The signature covers the first two parts exactly as encoded: change one character of the header or
        payload and it no longer matches.
      </Text>
    </Stack>
  );
}

/** Header, payload and signature apart, each explained. */
export function JwtParts({
  header,
  payload,
  signature,
  valid,
  keySource,
  token,
}: SignaturePanelProps & { payload: JWTPayload; token: string }) {
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3} size="h4">
          Decoded
        </Title>
        <CopyButton value={token} label="Copy token" size="xs" />
      </Group>
      <ColouredToken token={token} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Text fw={600} c="red.7">
              Header
            </Text>
            <HeaderTable header={header} />
          </Stack>
        </Paper>
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Text fw={600} c="blue.7">
              Signature
            </Text>
            <SignaturePanel header={header} signature={signature} valid={valid} keySource={keySource} />
          </Stack>
        </Paper>
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Stack gap="xs">
          <Text fw={600} c="violet.7">
            Payload
          </Text>
          <ClaimsTable payload={payload} />
          <JsonBlock label="Payload JSON" value={payload} />
        </Stack>
      </Paper>
    </Stack>
  );
}
