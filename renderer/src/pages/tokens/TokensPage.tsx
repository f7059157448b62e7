import { ActionIcon, Button, EmptyState, Group, Menu, Text } from '@mantine/core';
import { useState } from 'react';
import { ROOT_ISSUER_ID } from '../../../../shared/issuers';
import {
  TOKEN_STATES,
  type Token,
  type TokenFilter,
  type TokenKind,
  type TokenState,
} from '../../../../shared/schemas';
import { type Column, DataTable } from '../../components/DataTable';
import {
  ClientAndUserFilters,
  FilterSelect,
  TOKEN_KIND_LABELS,
  TokenKindFilter,
  useClientAndUserFilter,
} from '../../components/FilterSelect';
import { FlawBadges } from '../../components/FlawBadges';
import { DotsIcon } from '../../components/icons';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { effectiveState, TokenStateBadge } from '../../components/TokenStateBadge';
import { useAdminQuery } from '../../data/contract-queries';
import { useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { useNow } from '../../data/now';
import { AllIssuersSwitch, IssuerBadge, isElsewhere, useEveryIssuerTokens } from '../issuers/every-issuer';
import { tokenName } from './lineage';
import { TokenDrawer } from './TokenDrawer';
import { useTokenRevocation } from './useTokenRevocation';

function tokenColumns(now: number): ReadonlyArray<Column<Token>> {
  return [
    { header: 'Kind', cell: (token) => TOKEN_KIND_LABELS[token.kind] },
    { header: 'Format', cell: (token) => token.format },
    { header: 'User', cell: (token) => token.username ?? <Text c="dimmed">—</Text> },
    { header: 'Client', cell: (token) => token.client_id, props: { ff: 'monospace' } },
    { header: 'Issued', cell: (token) => <RelativeTime value={token.issued_at} /> },
    { header: 'Expires', cell: (token) => <RelativeTime value={token.expires_at} /> },
    {
      header: 'State',
      cell: (token) => (
        <Group gap={4} wrap="nowrap">
          <TokenStateBadge state={effectiveState(token, now)} />
          <FlawBadges flaws={token.flaws} />
        </Group>
      ),
    },
  ];
}

function MoreRevocations({ token, revoke }: { token: Token; revoke: ReturnType<typeof useTokenRevocation> }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`More revoke options for ${tokenName(token)}`}>
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

export function TokensPage() {
  const [kind, setKind] = useState<TokenKind | null>(null);
  const [state, setState] = useState<TokenState | null>(null);
  const clientAndUser = useClientAndUserFilter();
  const { clientId, username } = clientAndUser;
  const [openId, setOpenId] = useState<string | null>(null);
  const revoke = useTokenRevocation();
  const now = useNow();

  const filter: TokenFilter = {
    ...(kind ? { kind } : {}),
    ...(state ? { state } : {}),
    ...clientAndUser.filter,
  };
  // "All issuers": every issuer's tokens, each row naming its issuer; a row of another issuer offers
  // to show that issuer (its details and revocations are calls to it).
  const [every, setEvery] = useState(false);
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  const own = useAdminQuery('tokens.list', filter, {
    placeholderData: (previous) => previous,
    enabled: !every,
  });
  const all = useEveryIssuerTokens(filter, every);
  const tokens = every ? all : own;
  const filtered = Object.keys(filter).length > 0;
  const elsewhere = (token: Token) => isElsewhere(every, token, selected);
  const columns = every
    ? [{ header: 'Issuer', cell: (token: Token) => <IssuerBadge id={token.issuer} /> }, ...tokenColumns(now)]
    : tokenColumns(now);

  return (
    <Page
      title="Tokens"
      action={
        <Group gap="xs">
          {clientId && (
            <Button color="red" variant="light" onClick={() => revoke.client(clientId)}>
              Revoke all tokens of client {clientId}
            </Button>
          )}
          {username && (
            <Button color="red" variant="light" onClick={() => revoke.user(username)}>
              Revoke all tokens of {username}
            </Button>
          )}
        </Group>
      }
    >
      <Group align="flex-end">
        <TokenKindFilter value={kind} onChange={setKind} />
        <FilterSelect
          label="State"
          placeholder="Any state"
          data={TOKEN_STATES.map((value) => ({ value, label: value.replace('_', ' ') }))}
          value={state}
          onChange={(value) => setState(value as TokenState | null)}
          w={170}
        />
        <ClientAndUserFilters selection={clientAndUser} />
        <AllIssuersSwitch checked={every} onChange={setEvery} />
      </Group>
      {tokens.data && tokens.data.tokens.length > 0 && (
        <Text size="sm" c="dimmed" aria-live="polite">
          {tokens.data.total === tokens.data.tokens.length
            ? `${tokens.data.total} token${tokens.data.total === 1 ? '' : 's'}`
            : `Showing the newest ${tokens.data.tokens.length} of ${tokens.data.total} tokens`}
        </Text>
      )}
      <DataTable
        label="Tokens"
        source={{ query: tokens, what: 'tokens' }}
        rows={tokens.data?.tokens}
        rowKey={(token) => token.id}
        columns={columns}
        minWidth={960}
        striped
        highlightOnHover
        empty={
          <EmptyState
            title={filtered ? 'No token matches these filters' : 'No tokens yet'}
            description={
              filtered
                ? 'Clear a filter to see more.'
                : 'Sign in through a client or call the token endpoint; tokens appear here the moment they are issued.'
            }
          />
        }
        actions={(token) => [
          elsewhere(token) && {
            label: 'Go to issuer',
            name: `Go to the issuer of ${tokenName(token)}`,
            onClick: () => void switchTo(token.issuer ?? ROOT_ISSUER_ID),
          },
          !elsewhere(token) && {
            label: 'Details',
            name: `Details of ${tokenName(token)}`,
            onClick: () => setOpenId(token.id),
          },
          !elsewhere(token) && {
            label: 'Revoke',
            name: `Revoke ${tokenName(token)}`,
            color: 'red',
            disabled: effectiveState(token, now) !== 'active',
            onClick: () => revoke.token(token),
          },
        ]}
        moreActions={(token) => (elsewhere(token) ? null : <MoreRevocations token={token} revoke={revoke} />)}
      />
      <TokenDrawer id={openId} onClose={() => setOpenId(null)} />
    </Page>
  );
}
