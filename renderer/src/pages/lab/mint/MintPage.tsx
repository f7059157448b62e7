import { Alert, Anchor, EmptyState, Paper, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { AdminOutput, MintInput } from '../../../../../shared/contract';
import { adminApi } from '../../../api';
import { QueryState } from '../../../components/QueryState';
import { useClients, useEngineInfo, useUsers } from '../../../data/engine';
import { QK } from '../../../data/keys';
import { useAdminMutation } from '../../../data/useAdminMutation';
import { errorMessage } from '../../../lib/errors';
import { LabIntro } from '../LabIntro';
import { MintForm } from './MintForm';
import { MintResult } from './MintResult';

export function MintPage() {
  const info = useEngineInfo();
  const clients = useClients();
  const users = useUsers();
  const settings = useQuery({ queryKey: [QK.settings], queryFn: () => adminApi.settings.get({}) });
  const mint = useAdminMutation<MintInput, AdminOutput<'tokens.mint'>>(
    (input) => adminApi.tokens.mint(input),
    {
      invalidate: [QK.tokens],
    },
  );

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
