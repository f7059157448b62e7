import { Badge, Button, Code, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { BadToken } from '../../../../../shared/lab';
import { curlCommand } from '../../../../../shared/lab-report';
import { bearerHeaderBytes } from '../../../../../shared/token-size';
import { ClaimsList } from '../../../components/ClaimValue';
import { CopyButton } from '../../../components/CopyButton';
import { DataTable, type TableSpec } from '../../../components/DataTable';
import { JsonBlock } from '../../../components/JsonBlock';
import { TokenSizeNote } from '../../../components/TokenSizeNote';
import { openInInspector } from '../handoff';
import { VariantName } from '../WithClients';

const WRAP = { whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 } as const;

/**
 * "stored": recorded by the provider like any token it issued, so introspection and the timeline know
 * it; "forged": built outside the provider (no signature, a foreign key, a changed payload), never stored.
 */
function tokenOrigin(token: BadToken): 'stored' | 'forged' {
  return token.token_id ? 'stored' : 'forged';
}

/** One bad token opened up: what it decodes to, its value and a curl line that sends it. */
function VariantDetails({ token, apiUrl }: { token: BadToken; apiUrl: string }) {
  // The same command line Check my API reports, so a result there and a token here read alike.
  const curl = curlCommand({ method: 'GET', url: apiUrl, headers: {}, body: undefined, token: token.value });
  return (
    <Stack p="md" gap="sm" data-variant-details={token.variant}>
      {(token.header || token.payload) && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {token.header && <JsonBlock label={`Header of ${token.variant}`} value={token.header} />}
          {token.payload && <JsonBlock label={`Payload of ${token.variant}`} value={token.payload} />}
        </SimpleGrid>
      )}
      {/* Expired and not-yet-valid variants are about times: shown as dates, with the raw numbers. */}
      {token.payload && <ClaimsList label={`Claims of ${token.variant}`} claims={token.payload} />}
      {!token.header && (
        <Text size="sm" c="dimmed">
          An opaque {token.format} value: nothing to decode, the provider alone knows what it stands for.
        </Text>
      )}
      <Group justify="space-between">
        <Text fw={600} size="sm">
          Value
        </Text>
        <Group gap="xs">
          <CopyButton value={token.value} label={`Copy ${token.variant} token`} size="xs" />
          {token.format === 'jwt' && (
            <Button size="xs" variant="light" onClick={() => openInInspector(token.value)}>
              Inspect it
            </Button>
          )}
        </Group>
      </Group>
      <Code block aria-label={`Value of ${token.variant}`} style={WRAP}>
        {token.value}
      </Code>
      <TokenSizeNote bytes={bearerHeaderBytes(token.value)} />
      <Group justify="space-between">
        <Text fw={600} size="sm">
          Send it to your API
        </Text>
        <CopyButton value={curl} label={`Copy curl for ${token.variant}`} size="xs" />
      </Group>
      <Code block aria-label={`curl for ${token.variant}`} data-curl={token.variant} style={WRAP}>
        {curl}
      </Code>
    </Stack>
  );
}

const VARIANTS_TABLE: TableSpec<BadToken> = {
  label: 'Bad tokens',
  rowKey: (token) => token.variant,
  minWidth: 900,
  striped: true,
  columns: [
    {
      header: 'Bad token',
      cell: (token) => <VariantName title={token.title} variant={token.variant} />,
      props: { w: 280, style: { overflowWrap: 'anywhere' } },
    },
    {
      header: 'A correct API must',
      cell: (token) => <Text size="sm">{token.expected}</Text>,
      props: { style: { overflowWrap: 'anywhere' } },
    },
    { header: 'Spec', cell: (token) => token.reference, props: { w: 180 } },
    {
      header: 'Made',
      cell: (token) => {
        const origin = tokenOrigin(token);
        return (
          <Group gap={4} wrap="nowrap">
            <Badge variant="light" color={origin === 'stored' ? 'blue' : 'grape'} data-origin={origin}>
              {origin}
            </Badge>
            <Badge variant="outline" color="gray">
              {token.format}
            </Badge>
          </Group>
        );
      },
      // Room for both badges: Mantine cuts a squeezed badge's label short.
      props: { style: { minWidth: 170 } },
    },
  ],
};

/** Every bad token made from the baseline: what is wrong, what an API must do, and who says so. */
export function VariantTable({ variants, apiUrl }: { variants: BadToken[]; apiUrl: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (variant: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(variant)) next.add(variant);
      return next;
    });
  return (
    <DataTable
      {...VARIANTS_TABLE}
      rows={variants}
      empty={<Text c="dimmed">The engine made no bad tokens from this baseline.</Text>}
      actions={(token) => [
        {
          label: open.has(token.variant) ? 'Hide' : 'Show',
          name: `Show ${token.variant}`,
          expanded: open.has(token.variant),
          onClick: () => toggle(token.variant),
        },
      ]}
      details={(token) => ({
        open: open.has(token.variant),
        content: open.has(token.variant) ? <VariantDetails token={token} apiUrl={apiUrl} /> : null,
      })}
    />
  );
}
