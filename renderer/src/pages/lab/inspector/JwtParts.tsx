import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { ReactNode } from 'react';
import { ClaimValue, compactClaim } from '../../../components/ClaimValue';
import { CopyButton } from '../../../components/CopyButton';
import { JsonBlock } from '../../../components/JsonBlock';
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

interface ExplainedTableProps {
  label: string;
  /** The first column's header and the widths of the first two columns. */
  nameHeader: string;
  widths: readonly [number, number];
  entries: Record<string, unknown>;
  explain: (name: string) => string;
  /** The value cell; by default the value as compact JSON. */
  renderValue?: (name: string, value: unknown) => ReactNode;
  /** Marks each row with data-claim="name" (the claims table). */
  markClaims?: boolean;
}

/** Names, values and what each one means: the header parameters and the claims of a JWT. */
function ExplainedTable({
  label,
  nameHeader,
  widths,
  entries,
  explain,
  renderValue,
  markClaims,
}: ExplainedTableProps) {
  return (
    <Table aria-label={label} withTableBorder verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={widths[0]}>{nameHeader}</Table.Th>
          <Table.Th w={widths[1]}>Value</Table.Th>
          <Table.Th>Meaning</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(entries).map(([name, value]) => (
          <Table.Tr key={name} data-claim={markClaims ? name : undefined}>
            <Table.Td ff="monospace">{name}</Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>
              {renderValue?.(name, value) ?? (
                <Text size="sm" ff="monospace">
                  {compactClaim(value)}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{explain(name)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function HeaderTable({ header }: { header: ProtectedHeaderParameters }) {
  return (
    <ExplainedTable
      label="Header parameters"
      nameHeader="Parameter"
      widths={[90, 160]}
      entries={header}
      explain={(name) => HEADER_EXPLANATIONS[name] ?? 'Not a registered header parameter.'}
    />
  );
}

function ClaimsTable({ payload }: { payload: JWTPayload }) {
  return (
    <ExplainedTable
      label="Claims"
      nameHeader="Claim"
      widths={[110, 260]}
      entries={payload}
      explain={explainClaim}
      markClaims
      renderValue={(name, value) => <ClaimValue name={name} value={value} />}
    />
  );
}

/** One part of the JWT, titled in the colour it has in the token above. */
function PartPanel({ title, color, children }: { title: string; color: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Text fw={600} c={color}>
          {title}
        </Text>
        {children}
      </Stack>
    </Paper>
  );
}

interface SignaturePanelProps {
  header: ProtectedHeaderParameters;
  signature: string | null;
  valid: boolean | null;
  /** Why it cannot be checked either way ("key retired"), when that is the case. */
  unverifiable: string | null;
  keySource: string | null;
}

function SignaturePanel({ header, signature, valid, unverifiable, keySource }: SignaturePanelProps) {
  const [label, color] =
    valid === null
      ? unverifiable
        ? [`cannot verify: ${unverifiable}`, 'orange']
        : ['not verified', 'gray']
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
  unverifiable,
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
        <PartPanel title="Header" color="red.7">
          <HeaderTable header={header} />
        </PartPanel>
        <PartPanel title="Signature" color="blue.7">
          <SignaturePanel
            header={header}
            signature={signature}
            valid={valid}
            unverifiable={unverifiable}
            keySource={keySource}
          />
        </PartPanel>
      </SimpleGrid>
      <PartPanel title="Payload" color="violet.7">
        <ClaimsTable payload={payload} />
        <JsonBlock label="Payload JSON" value={payload} />
      </PartPanel>
    </Stack>
  );
}
