import { Anchor, Button, Group, Loader, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { BAD_TOKEN_VARIANTS } from '../../../../../shared/lab';
import type { Client, User } from '../../../../../shared/schemas';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { useAdminMutation } from '../../../data/contract-queries';
import { useNow } from '../../../data/now';
import { EXAMPLE_API_URL, emptyBaseline, takeHandedBaseline } from '../bad-tokens/baseline';
import { LabIntro } from '../LabIntro';
import { WithClients } from '../WithClients';
import { CheckApiForm } from './CheckApiForm';
import { CheckApiReport } from './CheckApiReport';
import { type CheckApiDraft, toCheckApiInput } from './request';

/** The form starts from what Bad tokens handed over, else from the first client. */
function initialDraft(clients: Client[]): CheckApiDraft {
  const handed = takeHandedBaseline();
  return {
    url: handed?.url ?? EXAMPLE_API_URL,
    method: 'GET',
    headers: '',
    body: '',
    acceptedStatuses: '',
    allowRemote: false,
    baseline: handed?.baseline ?? emptyBaseline(clients[0]?.client_id ?? null),
  };
}

/** The run is one admin call: all there is to show is what it does, for how long, and a way out. */
function RunProgress({
  draft,
  startedAt,
  onCancel,
}: {
  draft: CheckApiDraft;
  startedAt: number;
  onCancel: () => void;
}) {
  const seconds = Math.max(0, Math.floor((useNow() - startedAt) / 1000));
  return (
    <Paper withBorder p="md" role="status" aria-label="Run in progress">
      <Group justify="space-between" wrap="nowrap">
        <Group wrap="nowrap" miw={0}>
          <Loader size="sm" />
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            Sending the good token, then up to {BAD_TOKEN_VARIANTS.length} bad ones, one at a time, to{' '}
            <b>
              {draft.method} {draft.url.trim()}
            </b>{' '}
            · {seconds} s
          </Text>
        </Group>
        <Button variant="default" size="xs" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mt="xs">
        Cancel stops waiting here; requests already on their way finish, and their answers are dropped.
      </Text>
    </Paper>
  );
}

function CheckApiWorkbench({ clients, users }: { clients: Client[]; users: User[] }) {
  const [draft, setDraft] = useState<CheckApiDraft>(() => initialDraft(clients));
  const [startedAt, setStartedAt] = useState(0);
  // Forgetting the mutation is the cancel: the engine's run cannot be stopped, its answer is ignored.
  const run = useAdminMutation('lab.checkApi', { invalidates: ['tokens'] });
  const input = toCheckApiInput(draft);
  const start = () => {
    if (!input.ok) return;
    setStartedAt(Date.now());
    run.mutate(input.value);
  };
  return (
    <Stack>
      <Panel>
        <CheckApiForm clients={clients} users={users} value={draft} onChange={setDraft} />
        <Group>
          <Button onClick={start} loading={run.isPending} disabled={!input.ok}>
            Run
          </Button>
          {!input.ok && (
            <Text size="sm" c="dimmed">
              {input.error}
            </Text>
          )}
        </Group>
      </Panel>
      {run.isPending && <RunProgress draft={draft} startedAt={startedAt} onCancel={() => run.reset()} />}
      <ErrorAlert title="The run did not happen" error={run.error} />
      {run.data && <CheckApiReport output={run.data} />}
    </Stack>
  );
}

export function CheckApiPage() {
  return (
    <Page title="Check my API">
      <LabIntro title="Does your API reject what it must?">
        Name an endpoint of your service and how to get a good token for it. The sandbox sends the good token
        first — it must be accepted — then every <Anchor href="#/lab/bad-tokens">bad token</Anchor>, and
        reports each one your API <b>wrongly accepted</b>: expired, for another audience, unsigned, forged.
      </LabIntro>
      <WithClients>{(clients, users) => <CheckApiWorkbench clients={clients} users={users} />}</WithClients>
    </Page>
  );
}
