import { Paper } from '@mantine/core';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page } from '../../../components/Page';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../../data/contract-queries';
import { LabIntro } from '../LabIntro';
import { WithClients } from '../WithClients';
import { MintForm } from './MintForm';
import { MintResult } from './MintResult';

export function MintPage() {
  const info = useEngineInfo();
  const settings = useAdminQuery('settings.get');
  const mint = useAdminMutation('tokens.mint');

  return (
    <Page title="Mint a token">
      <LabIntro title="A token without running a flow">
        Pick who it is for and what it carries, and get a real token: signed with this provider’s key,
        recorded, introspectable and revocable like any other. Handy for testing how an API reacts to a scope,
        an audience, an extra claim or a token about to expire.
      </LabIntro>
      <WithClients>
        {(clients, users) => (
          <Paper withBorder p="md">
            <MintForm
              clients={clients}
              users={users}
              settings={settings.data}
              pending={mint.isPending}
              onMint={(input) => mint.mutate(input)}
            />
          </Paper>
        )}
      </WithClients>
      <ErrorAlert title="The token was not minted" error={mint.error} />
      {mint.data && info.data && (
        <MintResult key={mint.data.token.id} minted={mint.data} issuer={info.data.issuer} />
      )}
    </Page>
  );
}
