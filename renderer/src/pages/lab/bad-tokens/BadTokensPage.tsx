import { Anchor, Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { Client, User } from '../../../../../shared/schemas';
import { CopyButton } from '../../../components/CopyButton';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { useAdminMutation } from '../../../data/contract-queries';
import { LabIntro } from '../LabIntro';
import { WithClients } from '../WithClients';
import { BaselineForm } from './BaselineForm';
import { type BaselineDraft, checkApiWith, EXAMPLE_API_URL, emptyBaseline, toBaseline } from './baseline';
import { VariantTable } from './VariantTable';

function BadTokensWorkbench({ clients, users }: { clients: Client[]; users: User[] }) {
  const [draft, setDraft] = useState<BaselineDraft>(() => emptyBaseline(clients[0]?.client_id ?? null));
  const [apiUrl, setApiUrl] = useState(EXAMPLE_API_URL);
  const make = useAdminMutation('lab.badTokens', { invalidates: ['tokens'] });
  const baseline = toBaseline(draft);
  const made = make.data;
  return (
    <Stack>
      <Panel>
        <BaselineForm clients={clients} users={users} value={draft} onChange={setDraft} />
        <Group>
          <Button
            onClick={() => baseline && make.mutate(baseline)}
            loading={make.isPending}
            disabled={!baseline}
          >
            Make bad tokens
          </Button>
        </Group>
      </Panel>
      <ErrorAlert title="The bad tokens were not made" error={make.error} />
      {made && (
        <Paper withBorder p="md" role="region" aria-label="Made tokens">
          <Stack>
            <Group justify="space-between" align="flex-end">
              <Title order={3} size="h4">
                {made.variants.length} bad tokens, and the good one they are made from
              </Title>
              <Button variant="light" onClick={() => checkApiWith(draft, apiUrl)}>
                Check my API with these
              </Button>
            </Group>
            <Group gap="xs">
              <Text size="sm">
                Baseline (must be accepted): a {made.baseline.format === 'jwt' ? 'JWT' : 'reference'} access
                token
              </Text>
              <Badge variant="light" color="green">
                good
              </Badge>
              <CopyButton value={made.baseline.value} label="Copy the good token" size="xs" />
            </Group>
            <TextInput
              label="Your API's URL, for the curl lines"
              value={apiUrl}
              onChange={(event) => setApiUrl(event.currentTarget.value)}
              maw={560}
            />
            <VariantTable variants={made.variants} apiUrl={apiUrl} />
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}

export function BadTokensPage() {
  return (
    <Page title="Bad tokens">
      <LabIntro title="Tokens built to be wrong">
        An API is only as safe as what it refuses. From one good token this makes each way a token can be
        wrong — expired, for another audience, signed with <code>alg: none</code>, tampered with — with what a
        correct resource server must do and the specification that says so. Send them to your service, or let{' '}
        <Anchor href="#/lab/check-api">Check my API</Anchor> do it for you.
      </LabIntro>
      <WithClients>{(clients, users) => <BadTokensWorkbench clients={clients} users={users} />}</WithClients>
    </Page>
  );
}
