import {
  Alert,
  Anchor,
  Badge,
  Button,
  EmptyState,
  Grid,
  Group,
  NavLink,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { PlaygroundInput, PlaygroundOutput } from '../../../../../shared/contract';
import { adminApi } from '../../../api';
import { QueryState } from '../../../components/QueryState';
import { useClients, useUsers } from '../../../data/engine';
import { QK } from '../../../data/keys';
import { useAdminMutation } from '../../../data/useAdminMutation';
import { errorMessage } from '../../../lib/errors';
import { openInInspector } from '../handoff';
import { LabIntro } from '../LabIntro';
import { clientsFor, FLOWS, type Flow } from './flows';
import { StepView } from './StepView';

function Result({
  result,
  onContinue,
}: {
  result: PlaygroundOutput;
  onContinue: (flow: Flow, token: string) => void;
}) {
  const [index, setIndex] = useState(0);
  const step = result.steps[index];
  const { access_token: access, refresh_token: refresh } = result.tokens;
  return (
    <Paper withBorder p="md" role="region" aria-label="Flow result">
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">
            {FLOWS[result.flow].label}: {result.steps.length} step{result.steps.length === 1 ? '' : 's'}
          </Title>
          <Badge color={result.ok ? 'green' : 'red'} variant="filled" data-testid="flow-outcome">
            {result.ok ? 'completed' : 'stopped at a failing step'}
          </Badge>
        </Group>
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <nav aria-label="Steps">
              {result.steps.map((s, i) => (
                <NavLink
                  // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional and never reordered
                  key={i}
                  component="button"
                  label={`${i + 1}. ${s.title}`}
                  active={i === index}
                  aria-current={i === index ? 'step' : undefined}
                  onClick={() => setIndex(i)}
                />
              ))}
            </nav>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            <Group mb="sm" justify="space-between">
              <Text size="sm" c="dimmed">
                Step {index + 1} of {result.steps.length}
              </Text>
              <Group gap="xs">
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setIndex((i) => i - 1)}
                  disabled={index === 0}
                >
                  Back
                </Button>
                <Button
                  size="xs"
                  onClick={() => setIndex((i) => i + 1)}
                  disabled={index >= result.steps.length - 1}
                >
                  Next
                </Button>
              </Group>
            </Group>
            {step && <StepView step={step} index={index} />}
          </Grid.Col>
        </Grid>
        {(access || refresh) && (
          <Stack gap="xs">
            <Text fw={600} size="sm">
              Keep going with the tokens this flow produced
            </Text>
            <Group gap="xs">
              {refresh && (
                <Button variant="light" onClick={() => onContinue('refresh_token', refresh)}>
                  Continue with refresh
                </Button>
              )}
              {access && (
                <Button variant="light" color="red" onClick={() => onContinue('revocation', access)}>
                  Revoke the access token
                </Button>
              )}
              {refresh && (
                <Button variant="light" color="red" onClick={() => onContinue('revocation', refresh)}>
                  Revoke the refresh token
                </Button>
              )}
              {access && (
                <Button variant="subtle" onClick={() => openInInspector(access)}>
                  Inspect the access token
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

export function PlaygroundPage() {
  const clients = useClients();
  const users = useUsers();
  const [flow, setFlow] = useState<Flow>('authorization_code');
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [scope, setScope] = useState('');
  const [token, setToken] = useState('');
  const run = useAdminMutation<PlaygroundInput, PlaygroundOutput>((input) => adminApi.playground.run(input), {
    invalidate: [QK.tokens],
  });

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
    <Stack>
      <Title order={2}>Flow playground</Title>
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
        <Paper withBorder p="md">
          <Stack>
            <Stack gap={4}>
              <Text size="sm" fw={500} id="flow-label">
                Flow
              </Text>
              <SegmentedControl
                aria-labelledby="flow-label"
                value={flow}
                onChange={(value) => setFlow(value as Flow)}
                data={Object.entries(FLOWS).map(([value, f]) => ({ value, label: f.label }))}
              />
              <Text size="sm" c="dimmed">
                {meta.summary}
              </Text>
            </Stack>
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
              <Textarea
                label={meta.token}
                description={
                  flow === 'refresh_token'
                    ? 'Run the authorization code flow first; its refresh token lands here with “Continue with refresh”.'
                    : 'An access or refresh token of this client.'
                }
                value={token}
                onChange={(event) => setToken(event.currentTarget.value)}
                autosize
                minRows={2}
                maxRows={5}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
              />
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
          </Stack>
        </Paper>
      )}
      {run.isError && (
        <Alert color="red" role="alert" title="The flow could not start">
          {errorMessage(run.error)}
        </Alert>
      )}
      {run.data && (
        <Result key={`${run.data.flow}:${run.submittedAt}`} result={run.data} onContinue={onContinue} />
      )}
    </Stack>
  );
}
