import { Alert, Anchor, Button, EmptyState, Group, Select, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { PlaygroundInput, PlaygroundScenario } from '../../../../../shared/contract';
import { Choice } from '../../../components/Choice';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { QueryState } from '../../../components/QueryState';
import { useAdminMutation, useAdminQuery } from '../../../data/contract-queries';
import { LabIntro } from '../LabIntro';
import { CodeFlowFields, ExchangeFields, IssuerFields, PrivateKeyField } from './FlowFields';
import { FlowResult } from './FlowResult';
import {
  actorNeedsKey,
  clientsFor,
  type ExchangeMode,
  exchangingClients,
  FLOWS,
  type Flow,
  type FlowForm,
  flowInput,
  missingInput,
  needsPrivateKey,
  trustedIssuers,
} from './flows';

/** The client that owns a run's tokens (an exchanged token is the second client's), and its pasted key. */
function tokenOwner(input: PlaygroundInput): Pick<PlaygroundInput, 'client_id' | 'client_private_jwk'> {
  if (
    input.flow !== 'token_exchange' ||
    !input.actor_client_id ||
    input.actor_client_id === input.client_id
  ) {
    return {
      client_id: input.client_id,
      ...(input.client_private_jwk ? { client_private_jwk: input.client_private_jwk } : {}),
    };
  }
  return {
    client_id: input.actor_client_id,
    ...(input.actor_private_jwk ? { client_private_jwk: input.actor_private_jwk } : {}),
  };
}

export function PlaygroundPage() {
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  const [flow, setFlow] = useState<Flow>('authorization_code');
  const [clientId, setClientId] = useState<string | null>(null);
  // null: the first user; '': none chosen (a token of the client itself, where the flow allows it).
  const [username, setUsername] = useState<string | null>(null);
  const [scope, setScope] = useState('');
  const [token, setToken] = useState('');
  const [actorId, setActorId] = useState<string | null>(null);
  const [mode, setMode] = useState<ExchangeMode>('delegation');
  const [clientKey, setClientKey] = useState('');
  const [actorKey, setActorKey] = useState('');
  const [issuerId, setIssuerId] = useState<string | null>(null);
  const [issuerKey, setIssuerKey] = useState('');
  const [scenario, setScenario] = useState<PlaygroundScenario | null>(null);
  const [authorizeParams, setAuthorizeParams] = useState('');
  const [tokenParams, setTokenParams] = useState('');
  // Refresh tokens this page has sent: sending one again is reuse, which revokes its family.
  const [spent, setSpent] = useState<ReadonlySet<string>>(new Set());
  // A run with a spent refresh token waits for the user to confirm it is on purpose.
  const [reuseAsked, setReuseAsked] = useState(false);
  // A flow issues, refreshes or revokes tokens.
  const run = useAdminMutation('playground.run', { invalidates: ['tokens'] });

  const meta = FLOWS[flow];
  const eligible = clientsFor(flow, clients.data ?? []);
  const client = eligible.find((c) => c.client_id === clientId) ?? eligible[0];
  const exchangers = exchangingClients(clients.data ?? []);
  // The second client defaults to another one than the first, when there is one.
  const actor =
    exchangers.find((c) => c.client_id === actorId) ??
    exchangers.find((c) => c.client_id !== client?.client_id) ??
    exchangers[0];
  const user = username === '' ? null : (username ?? users.data?.[0]?.username ?? null);
  const issuers = trustedIssuers(client);
  const issuer = (issuers.find((t) => t.issuer === issuerId) ?? issuers[0])?.issuer ?? null;
  const form: FlowForm = {
    flow,
    client,
    user,
    scope,
    token,
    actor,
    mode,
    clientKey,
    actorKey,
    issuer,
    issuerKey,
    scenario,
    authorizeParams,
    tokenParams,
  };
  const missing = missingInput(form);

  const start = (input: PlaygroundInput) => {
    setReuseAsked(false);
    run.mutate(input, {
      // A refresh rotates the token: it is spent, and the field takes the new one (or empties). A refused
      // token was not rotated by this run: it stays for the user to see or fix.
      onSuccess: (data) => {
        const sent = input.token;
        if (data.flow !== 'refresh_token' || !data.ok || !sent) return;
        setSpent((before) => new Set(before).add(sent));
        setToken(data.tokens.refresh_token ?? '');
      },
    });
  };
  const isSpent = (input: PlaygroundInput) =>
    input.flow === 'refresh_token' && input.token !== undefined && spent.has(input.token);
  const submit = () => {
    if (missing) return;
    const input = flowInput(form);
    if (isSpent(input)) setReuseAsked(true);
    else start(input);
  };
  const onContinue = (next: Flow, value: string) => {
    setFlow(next);
    setToken(value);
    if (!run.variables) return;
    const owner = tokenOwner(run.variables);
    setClientId(owner.client_id);
    const input: PlaygroundInput = { flow: next, ...owner, token: value };
    if (isSpent(input)) setReuseAsked(true);
    else start(input);
  };
  const onToken = (value: string) => {
    setToken(value);
    setReuseAsked(false);
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
                meta.grants
                  ? `Clients allowed the ${meta.grants.join(' or ')} grant.`
                  : 'The client that owns the token.'
              }
              placeholder={eligible.length ? undefined : 'No client is allowed this grant'}
              data={eligible.map((c) => c.client_id)}
              value={client?.client_id ?? null}
              onChange={setClientId}
              allowDeselect={false}
              searchable
            />
            {meta.user && (
              <Select
                label="User"
                description={
                  meta.user === 'optional'
                    ? 'Whose token is exchanged; clear it for a token of the client itself.'
                    : flow === 'jwt_bearer'
                      ? 'Whom the assertion is about (its sub): the user the token is for.'
                      : 'Who signs in or approves (with their stored password).'
                }
                placeholder={
                  meta.user === 'optional'
                    ? 'No user: client credentials'
                    : users.data?.length
                      ? undefined
                      : 'No users yet'
                }
                data={(users.data ?? []).map((u) => u.username)}
                value={user}
                onChange={(chosen) => setUsername(chosen ?? '')}
                allowDeselect={false}
                clearable={meta.user === 'optional'}
                searchable
              />
            )}
            {meta.scope && (
              <TextInput
                label="Scope"
                description="Empty: the client's registered scope."
                value={scope}
                onChange={(event) => setScope(event.currentTarget.value)}
              />
            )}
          </Group>
          {flow === 'token_exchange' && (
            <ExchangeFields
              clients={exchangers}
              actor={actor?.client_id ?? null}
              onActor={setActorId}
              mode={mode}
              onMode={setMode}
            />
          )}
          {flow === 'jwt_bearer' && (
            <IssuerFields
              issuers={issuers}
              issuer={issuer}
              onIssuer={setIssuerId}
              value={issuerKey}
              onChange={setIssuerKey}
            />
          )}
          {client && needsPrivateKey(client) && (
            <PrivateKeyField client={client} value={clientKey} onChange={setClientKey} />
          )}
          {actor && actorNeedsKey(form) && (
            <PrivateKeyField client={actor} value={actorKey} onChange={setActorKey} />
          )}
          {meta.token && (
            <CodeTextarea
              label={meta.token}
              description={
                flow === 'refresh_token'
                  ? 'Run the authorization code flow first; its refresh token lands here with “Continue with refresh”.'
                  : 'An access or refresh token of this client.'
              }
              value={token}
              onChange={onToken}
              minRows={2}
              maxRows={5}
              small
            />
          )}
          {flow === 'authorization_code' && (
            <CodeFlowFields
              scenario={scenario}
              onScenario={setScenario}
              authorizeParams={authorizeParams}
              onAuthorizeParams={setAuthorizeParams}
              tokenParams={tokenParams}
              onTokenParams={setTokenParams}
            />
          )}
          {meta.user === 'required' && users.data?.length === 0 && (
            <Alert color="orange">
              Someone has to sign in: create a test user on the <Anchor href="#/users">Users</Anchor> page.
            </Alert>
          )}
          {eligible.length === 0 && (
            <Alert color="orange">
              No client is allowed the {meta.grants?.join(' or ')} grant. Add it to a client on the{' '}
              <Anchor href="#/clients">Clients</Anchor> page.
            </Alert>
          )}
          {reuseAsked && flow === 'refresh_token' && (
            <Alert color="orange" title="This refresh token was already used" data-testid="reuse-warning">
              <Text size="sm">
                Sending it again is refresh token reuse and revokes its family (RFC 9700 §4.14.2), the newest
                refresh token included. Run anyway to see it?
              </Text>
              <Group mt="xs" gap="xs">
                <Button size="xs" color="orange" onClick={() => start(flowInput(form))}>
                  Run anyway
                </Button>
                <Button size="xs" variant="default" onClick={() => setReuseAsked(false)}>
                  Cancel
                </Button>
              </Group>
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
