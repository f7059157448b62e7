import { Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { AdminOutput } from '../../../../../shared/contract';
import { bearerHeaderBytes } from '../../../../../shared/token-size';
import { CopyButton } from '../../../components/CopyButton';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { TokenSizeNote } from '../../../components/TokenSizeNote';
import { effectiveState, TokenStateBadge } from '../../../components/TokenStateBadge';
import { useAdminQuery } from '../../../data/contract-queries';
import { useNow } from '../../../data/now';
import { actorChain, describeActors, dpopThumbprint } from '../../../lib/delegation';
import { TokenDrawer } from '../../tokens/TokenDrawer';
import { openInInspector } from '../handoff';
import { CurlCommands } from './CurlCommands';
import { DpopKeyPanel } from './DpopKeyPanel';

type Minted = AdminOutput<'tokens.mint'>;

/** The minted token, what it is, and how to use it. */
export function MintResult({ minted, issuer }: { minted: Minted; issuer: string }) {
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  const { value, token } = minted;
  // The client's current credentials for the curl commands.
  const client = useAdminQuery('clients.get', { client_id: token.client_id });
  const live = useAdminQuery('tokens.get', { id: token.id }, { initialData: token });
  const current = live.data ?? token;
  const actors = actorChain(token.claims);
  const jkt = dpopThumbprint(token.claims);
  const parentId = token.parent_id;
  return (
    <Paper withBorder p="md" role="region" aria-label="Minted token">
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">
            Your token
          </Title>
          <Group gap="xs">
            <TokenStateBadge state={effectiveState(current, now)} />
            <Badge variant="outline" color="gray">
              {current.kind === 'id' ? 'ID' : current.kind} · {current.format}
            </Badge>
            {minted.token_type === 'DPoP' && (
              <Badge variant="light" color="grape">
                DPoP
              </Badge>
            )}
          </Group>
        </Group>
        <Code
          block
          aria-label="Token value"
          data-testid="minted-value"
          style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 12 }}
        >
          {value}
        </Code>
        <TokenSizeNote bytes={bearerHeaderBytes(value)} />
        <Text size="sm">
          For client <b>{current.client_id}</b>
          {current.username ? (
            <>
              {' '}
              about <b>{current.username}</b>
            </>
          ) : (
            ' (machine token)'
          )}
          {current.scope && (
            <>
              {' '}
              · scope <Code>{current.scope}</Code>
            </>
          )}
          {current.audience.length > 0 && (
            <>
              {' '}
              · audience <Code>{current.audience.join(', ')}</Code>
            </>
          )}{' '}
          · expires <RelativeTime value={current.expires_at} />
        </Text>
        {(parentId || actors.length > 0 || jkt) && (
          <Stack gap={4} role="group" aria-label="Exchange and binding">
            {parentId && (
              <Group gap="xs">
                <Text size="sm">
                  Exchanged from token <Code>{parentId}</Code>, in its grant: revoking that family revokes
                  this one.
                </Text>
                <Button size="compact-xs" variant="light" onClick={() => setOpen(parentId)}>
                  Open subject token
                </Button>
              </Group>
            )}
            <Text size="sm" data-testid="minted-act">
              {actors.length > 0 ? (
                <>
                  act: <Code>{JSON.stringify(token.claims.act)}</Code> ({describeActors(actors)})
                </>
              ) : parentId ? (
                'No act claim: impersonation (the token says nothing of who acts for its subject).'
              ) : null}
            </Text>
            {jkt && (
              <Text size="sm" data-testid="minted-jkt">
                cnf.jkt <Code>{jkt}</Code>: send it as <Code>Authorization: DPoP …</Code> with a proof of that
                key.
              </Text>
            )}
          </Stack>
        )}
        <Group gap="xs">
          <CopyButton value={value} label="Copy token" size="xs" />
          <Button size="xs" variant="light" onClick={() => openInInspector(value)}>
            Inspect it
          </Button>
          <Button size="xs" variant="light" onClick={() => setOpen(current.id)}>
            Open token details
          </Button>
        </Group>
        {minted.dpop_key && <DpopKeyPanel issuer={issuer} token={value} dpopKey={minted.dpop_key} />}
        {client.data ? (
          <CurlCommands
            issuer={issuer}
            client={client.data}
            token={value}
            kind={current.kind}
            tokenType={minted.token_type ?? undefined}
          />
        ) : (
          <QueryState query={client} what="the client's credentials" />
        )}
      </Stack>
      <TokenDrawer id={open} onClose={() => setOpen(null)} />
    </Paper>
  );
}
