import { Alert, Anchor, Button, EmptyState, Group, Select, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { PlaygroundInput } from '../../../../../shared/contract';
import { Choice } from '../../../components/Choice';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { QueryState } from '../../../components/QueryState';
import { useAdminMutation, useAdminQuery } from '../../../data/contract-queries';
import { LabIntro } from '../LabIntro';
import { FlowResult } from './FlowResult';
import { clientsFor, FLOWS, type Flow } from './flows';

export function PlaygroundPage() {
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  const [flow, setFlow] = useState<Flow>('authorization_code');
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [scope, setScope] = useState('');
  const [token, setToken] = useState('');
  // A flow issues, refreshes or revokes tokens.
  const run = useAdminMutation('playground.run', { invalidates: ['tokens'] });

  const meta = FLOWS[flow];
  const eligible = clientsFor(flow, clients.data ?? []);
  const client = eligible.find((c) => c.client_id === clientId)?.client_id ?? eligible[0]?.client_id ?? null;
  const user = username ?? users.data?.[0]?.username ?? null;
  const missing = !client
    ? 'a client'
    : meta.user && !user
      ? 'a user'
      : meta.token && !token.trim()
        ? 'a token'
        : null;

  const start = (input: PlaygroundInput) => run.mutate(input);
  const submit = () => {
    if (missing || !client) return;
    start({
      flow,
      client_id: client,
      ...(meta.user && user ? { username: user } : {}),
      ...((flow === 'authorization_code' || flow === 'client_credentials') && scope.trim()
        ? { scope: scope.trim() }
        : {}),
      ...(meta.token ? { token: token.trim() } : {}),
    });
  };
  const onContinue = (next: Flow, value: string) => {
    setFlow(next);
    setToken(value);
    if (client) start({ flow: next, client_id: client, token: value });
  };

  return (
    <Page title="Flow playground">
      <LabIntro title="Real OAuth flows, one request at a time">
        The provider runs the flow against itself over real HTTP, playing the client and the browser, and
        shows every request and response with the spec section it comes from. Step through with Next and Back,
        then continue with the tokens it produced.
      </LabIntro>
      <QueryState query={clients} what="clients" />
      {clients.data?.length === 0 && (
        <EmptyState
          title="No clients yet"
          description={
            <>
              A flow needs a client: <Anchor href="#/clients">create one</Anchor> (with a redirect URI for the
              authorization code flow), then come back.
            </>
          }
        />
      )}
      {clients.data && clients.data.length > 0 && (
        <Panel>
          <Choice
            label="Flow"
            value={flow}
            onChange={setFlow}
            data={(Object.keys(FLOWS) as Flow[]).map((value) => ({ value, label: FLOWS[value].label }))}
            description={
              <Text size="sm" c="dimmed">
                {meta.summary}
              </Text>
            }
          />
          <Group align="flex-start" grow>
            <Select
              label="Client"
              description={
                meta.grant ? `Clients allowed the ${meta.grant} grant.` : 'The client that owns the token.'
              }
              placeholder={eligible.length ? undefined : 'No client is allowed this grant'}
              data={eligible.map((c) => c.client_id)}
              value={client}
              onChange={setClientId}
              allowDeselect={false}
              searchable
            />
            {meta.user && (
              <Select
                label="User"
                description="Who signs in (with their stored password)."
                placeholder={users.data?.length ? undefined : 'No users yet'}
                data={(users.data ?? []).map((u) => u.username)}
                value={user}
                onChange={setUsername}
                allowDeselect={false}
                searchable
              />
            )}
            {(flow === 'authorization_code' || flow === 'client_credentials') && (
              <TextInput
                label="Scope"
                description="Empty: the client's registered scope."
                value={scope}
                onChange={(event) => setScope(event.currentTarget.value)}
              />
            )}
          </Group>
          {meta.token && (
            <CodeTextarea
              label={meta.token}
              description={
                flow === 'refresh_token'
                  ? 'Run the authorization code flow first; its refresh token lands here with “Continue with refresh”.'
                  : 'An access or refresh token of this client.'
              }
              value={token}
              onChange={setToken}
              minRows={2}
              maxRows={5}
              small
            />
          )}
          {meta.user && users.data?.length === 0 && (
            <Alert color="orange">
              Someone has to sign in: create a test user on the <Anchor href="#/users">Users</Anchor> page.
            </Alert>
          )}
          {eligible.length === 0 && (
            <Alert color="orange">
              No client is allowed the {meta.grant} grant. Add it to a client on the{' '}
              <Anchor href="#/clients">Clients</Anchor> page.
            </Alert>
          )}
          <Group>
            <Button onClick={submit} loading={run.isPending} disabled={Boolean(missing)}>
              Run flow
            </Button>
            {missing && (
              <Text size="sm" c="dimmed">
                Choose {missing} to run this flow.
              </Text>
            )}
          </Group>
        </Panel>
      )}
      <ErrorAlert title="The flow could not start" error={run.error} />
      {run.data && (
        <FlowResult key={`${run.data.flow}:${run.submittedAt}`} result={run.data} onContinue={onContinue} />
      )}
    </Page>
  );
}
