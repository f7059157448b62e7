import { Alert, Anchor, EmptyState, Paper, Stack, Title } from '@mantine/core';
import { QueryState } from '../../../components/QueryState';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../../data/contract-queries';
import { errorMessage } from '../../../lib/errors';
import { LabIntro } from '../LabIntro';
import { MintForm } from './MintForm';
import { MintResult } from './MintResult';

export function MintPage() {
  const info = useEngineInfo();
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  const settings = useAdminQuery('settings.get');
  const mint = useAdminMutation('tokens.mint');

  return (
    <Stack>
      <Title order={2}>Mint a token</Title>
      <LabIntro title="A token without running a flow">
        Pick who it is for and what it carries, and get a real token: signed with this provider’s key,
        recorded, introspectable and revocable like any other. Handy for testing how an API reacts to a scope,
        an audience, an extra claim or a token about to expire.
      </LabIntro>
      <QueryState query={clients} what="clients" />
      {clients.data && clients.data.length === 0 && (
        <EmptyState
          title="No clients yet"
          description={
            <>
              A token is always issued to a client. <Anchor href="#/clients">Create a client</Anchor> first,
              then come back.
            </>
          }
        />
      )}
      {clients.data && clients.data.length > 0 && (
        <Paper withBorder p="md">
          <MintForm
            clients={clients.data}
            users={users.data ?? []}
            settings={settings.data}
            pending={mint.isPending}
            onMint={(input) => mint.mutate(input)}
          />
        </Paper>
      )}
      {mint.isError && (
        <Alert color="red" role="alert" title="The token was not minted">
          {errorMessage(mint.error)}
        </Alert>
      )}
      {mint.data && info.data && (
        <MintResult key={mint.data.token.id} minted={mint.data} issuer={info.data.issuer} />
      )}
    </Stack>
  );
}
