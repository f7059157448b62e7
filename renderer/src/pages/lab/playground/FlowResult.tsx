import { Alert, Badge, Button, Grid, Group, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { PlaygroundOutput } from '../../../../../shared/contract';
import { openInInspector } from '../handoff';
import { FLOWS, type Flow } from './flows';
import { StepView } from './StepView';

/** A flow's steps, one at a time, and what can be done next with the tokens it produced. */
export function FlowResult({
  result,
  onContinue,
}: {
  result: PlaygroundOutput;
  onContinue: (flow: Flow, token: string) => void;
}) {
  // A failed run opens on the step it stopped at: that is what the reader came for.
  const [index, setIndex] = useState(result.failed_step ?? 0);
  const step = result.steps[index];
  const failed = result.failed_step === null ? undefined : result.steps[result.failed_step];
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
        {failed && result.failed_step !== null && (
          <Alert
            color="red"
            title={`Stopped at step ${result.failed_step + 1}: ${failed.title}`}
            data-testid="flow-failure"
          >
            {failed.error
              ? `${failed.error.error}${failed.error.error_description ? `: ${failed.error.error_description}` : ''}`
              : failed.explanation}
          </Alert>
        )}
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <nav aria-label="Steps">
              {result.steps.map((s, i) => (
                <NavLink
                  // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional and never reordered
                  key={i}
                  component="button"
                  label={`${i + 1}. ${s.title}`}
                  color={s.failed ? 'red' : undefined}
                  description={s.failed ? `failed${s.error ? `: ${s.error.error}` : ''}` : undefined}
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
