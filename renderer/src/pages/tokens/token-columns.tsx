import { ActionIcon, Button, Group, Menu, Text } from '@mantine/core';
import { useState } from 'react';
import type { Token } from '../../../../shared/schemas';
import type { Column } from '../../components/DataTable';
import { TOKEN_KIND_LABELS } from '../../components/FilterSelect';
import { FlawBadges } from '../../components/FlawBadges';
import { DotsIcon } from '../../components/icons';
import { RelativeTime } from '../../components/RelativeTime';
import { TokenStateBadge, useEffectiveState } from '../../components/TokenStateBadge';
import { MONOSPACE } from '../../components/VirtualTable';
import { formatLocal } from '../../lib/time';
import { IssuerBadge } from '../issuers/every-issuer';
import { tokenName } from './lineage';
import type { useTokenRevocation } from './useTokenRevocation';

type Revocation = ReturnType<typeof useTokenRevocation>;

/**
 * A token's state as of now, and what the lab made wrong in it: an active token turns "expired" when
 * its expiry passes, re-rendering this cell then, never the table or the page.
 */
function TokenStateCell({ token }: { token: Token }) {
  return (
    <Group gap={4} wrap="nowrap">
      <TokenStateBadge state={useEffectiveState(token)} />
      <FlawBadges flaws={token.flaws} />
    </Group>
  );
}

/** The Tokens table's columns: fixed widths (VirtualTable), User and Client sharing the rest. */
export const TOKEN_COLUMNS: ReadonlyArray<Column<Token>> = [
  { header: 'Kind', cell: (token) => TOKEN_KIND_LABELS[token.kind], width: 76 },
  { header: 'Format', cell: (token) => token.format, width: 92 },
  {
    header: 'User',
    cell: (token) => token.username ?? <Text c="dimmed">—</Text>,
    light: (token) => token.username ?? '—',
  },
  { header: 'Client', cell: (token) => <span style={MONOSPACE}>{token.client_id}</span> },
  {
    header: 'Issued',
    cell: (token) => <RelativeTime value={token.issued_at} />,
    light: (token) => formatLocal(token.issued_at),
    width: 185,
  },
  {
    header: 'Expires',
    cell: (token) => <RelativeTime value={token.expires_at} />,
    light: (token) => formatLocal(token.expires_at),
    width: 185,
  },
  {
    header: 'State',
    cell: (token) => <TokenStateCell token={token} />,
    light: (token) => token.state.replace('_', ' '),
    width: 150,
  },
];

/** With "All issuers" on: the issuer of each row first. */
export const EVERY_ISSUER_TOKEN_COLUMNS: ReadonlyArray<Column<Token>> = [
  {
    header: 'Issuer',
    cell: (token) => <IssuerBadge id={token.issuer} />,
    light: (token) => token.issuer,
    width: 140,
  },
  ...TOKEN_COLUMNS,
];

/** Revoke, for an active token: disabled once it is revoked, rotated or past its expiry. */
function RevokeButton({ token, revoke }: { token: Token; revoke: Revocation }) {
  const state = useEffectiveState(token);
  return (
    <Button
      size="xs"
      variant="subtle"
      color="red"
      aria-label={`Revoke ${tokenName(token)}`}
      disabled={state !== 'active'}
      onClick={() => revoke.token(token)}
    >
      Revoke
    </Button>
  );
}

/**
 * The "…" button of wider revocations. Its menu is mounted when first opened: a menu per row would cost
 * every row coming into view while scrolling a popover's setup, for a menu few rows ever open. Once
 * mounted it stays, so closing it returns the focus to its button as any menu does.
 */
function MoreRevocations({ token, revoke }: { token: Token; revoke: Revocation }) {
  const [opened, setOpened] = useState(false);
  const [mounted, setMounted] = useState(false);
  const label = `More revoke options for ${tokenName(token)}`;
  if (!mounted) {
    const open = () => {
      setMounted(true);
      setOpened(true);
    };
    return (
      <ActionIcon variant="subtle" color="gray" aria-label={label} onClick={open}>
        <DotsIcon />
      </ActionIcon>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal opened={opened} onChange={setOpened}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={label}>
          <DotsIcon />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          color="red"
          disabled={!token.grant_id}
          onClick={() => token.grant_id && revoke.grant(token.grant_id)}
        >
          Revoke its family (grant)
        </Menu.Item>
        <Menu.Item
          color="red"
          disabled={!token.username}
          onClick={() => token.username && revoke.user(token.username)}
        >
          {token.username ? `Revoke all of ${token.username}'s tokens` : 'Revoke all of the user’s tokens'}
        </Menu.Item>
        <Menu.Item color="red" onClick={() => revoke.client(token.client_id)}>
          Revoke all of client {token.client_id}'s tokens
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/**
 * After a row's Details (or Go to issuer): its Revoke button and the menu of wider revocations. Its
 * own component, so the expiry that disables Revoke is read in the row, not in the page.
 */
export function TokenRevocations({ token, revoke }: { token: Token; revoke: Revocation }) {
  return (
    <>
      <RevokeButton token={token} revoke={revoke} />
      <MoreRevocations token={token} revoke={revoke} />
    </>
  );
}
