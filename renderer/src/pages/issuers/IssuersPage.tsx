import { Anchor, Badge, Button, Code, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { type IssuerSummary, PROFILE_LABELS, ROOT_ISSUER_ID } from '../../../../shared/issuers';
import { CopyButton } from '../../components/CopyButton';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { notifyError } from '../../lib/errors';
import { IssuerFormModal, type IssuerFormMode } from './IssuerFormModal';

const ISSUERS_TABLE_BASE = {
  label: 'Issuers',
  what: 'issuers',
  rowKey: (issuer: IssuerSummary) => issuer.id,
  minWidth: 900,
  striped: true,
} as const;

function issuersTable(selected: string): QueryTableSpec<IssuerSummary> {
  return {
    ...ISSUERS_TABLE_BASE,
    columns: [
      {
        header: 'Issuer',
        cell: (issuer) => (
          <Group gap={6} wrap="nowrap">
            <Text fw={600} size="sm">
              <bdi>{issuer.display_name}</bdi>
            </Text>
            {issuer.id === selected && (
              <Badge size="xs" variant="light">
                shown
              </Badge>
            )}
          </Group>
        ),
      },
      {
        header: 'Name',
        cell: (issuer) =>
          issuer.id === ROOT_ISSUER_ID ? (
            <Text size="sm" c="dimmed">
              at the origin
            </Text>
          ) : (
            <Code>{issuer.name}</Code>
          ),
      },
      {
        header: 'Profile',
        cell: (issuer) => (
          <Badge variant="light" color="gray" style={{ textTransform: 'none' }}>
            {PROFILE_LABELS[issuer.profile].label}
          </Badge>
        ),
      },
      {
        header: 'Issuer URL',
        cell: (issuer) => (
          <Group gap={4} wrap="nowrap">
            <Code style={{ whiteSpace: 'nowrap' }}>{issuer.issuer}</Code>
            <CopyButton
              compact
              value={issuer.issuer}
              label={`Copy the issuer URL of ${issuer.display_name}`}
            />
          </Group>
        ),
      },
      {
        header: 'Discovery',
        cell: (issuer) => (
          <Anchor
            href={issuer.discovery_url}
            target="_blank"
            rel="noreferrer"
            size="sm"
            aria-label={`Discovery document of ${issuer.display_name}`}
          >
            discovery
          </Anchor>
        ),
      },
      {
        header: 'Created',
        cell: (issuer) => <RelativeTime value={issuer.created_at} fallback="with the workspace" />,
      },
    ],
  };
}

function deleteMessage(issuer: IssuerSummary): string {
  return `${issuer.display_name} stops answering at ${issuer.issuer}, and everything in it is deleted: its users, clients, signing keys, tokens, settings and activity. Services that trust it can no longer verify its tokens. This cannot be undone.`;
}

/**
 * The workspace's issuers: each at its own URL path with its own users, clients, keys and tokens,
 * in the shape of a provider. The header's switcher picks which one the other pages show.
 */
export function IssuersPage() {
  const issuers = useAdminQuery('issuers.list');
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  const [mode, setMode] = useState<IssuerFormMode | null>(null);
  const remove = useAdminMutation('issuers.delete', {
    success: (_, { id }) => `Deleted ${issuers.data?.find((issuer) => issuer.id === id)?.display_name ?? id}`,
  });
  const origin =
    issuers.data?.find((issuer) => issuer.id === ROOT_ISSUER_ID)?.issuer ?? window.location.origin;

  return (
    <Page title="Issuers" action={<Button onClick={() => setMode({ kind: 'create' })}>New issuer</Button>}>
      <Text size="sm" c="dimmed" maw={760}>
        Each issuer has its own URL, signing keys, settings, users, clients and tokens; a token from one is
        never valid at another. A profile gives it the paths and claim shapes of a provider, so that
        provider's own SDK works against it. The switcher in the header picks the issuer every other page
        shows.
      </Text>
      <DataTable
        {...issuersTable(selected)}
        query={issuers}
        empty={<Text c="dimmed">No issuers.</Text>}
        actions={(issuer) => {
          const root = issuer.id === ROOT_ISSUER_ID;
          return [
            {
              label: 'Show',
              name: `Show ${issuer.display_name}`,
              disabled: issuer.id === selected,
              onClick: () =>
                void switchTo(issuer.id).catch((error: unknown) =>
                  notifyError(error, 'Could not switch issuers'),
                ),
            },
            !root && {
              label: 'Edit',
              name: `Edit ${issuer.display_name}`,
              onClick: () => setMode({ kind: 'edit', issuer }),
            },
            {
              label: 'Clone',
              name: `Clone ${issuer.display_name}`,
              onClick: () => setMode({ kind: 'clone', issuer }),
            },
            !root && {
              label: 'Delete',
              name: `Delete ${issuer.display_name}`,
              confirm: {
                title: `Delete ${issuer.display_name}?`,
                message: deleteMessage(issuer),
                confirmLabel: 'Delete issuer',
              },
              onConfirm: () => remove.mutateAsync({ id: issuer.id }),
            },
          ];
        }}
      />
      <IssuerFormModal mode={mode} origin={origin} onClose={() => setMode(null)} />
    </Page>
  );
}
