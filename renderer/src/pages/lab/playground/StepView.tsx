import { Badge, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { PlaygroundStep } from '../../../../../shared/contract';
import { CopyButton } from '../../../components/CopyButton';
import { JsonBlock } from '../../../components/JsonBlock';
import { HttpPanes } from './HttpPanes';

const VALUE_LABELS: Record<string, string> = {
  code_verifier: 'PKCE code_verifier (kept secret by the client)',
  code_challenge: 'PKCE code_challenge = BASE64URL(SHA-256(verifier))',
  code_challenge_method: 'Challenge method',
  access_token: 'Access token (decoded)',
  id_token: 'ID token (decoded)',
  refresh_token: 'Refresh token',
};

function labelFor(name: string): string {
  return VALUE_LABELS[name] ?? name.replace(/_/g, ' ');
}

function Values({ values }: { values: PlaygroundStep['values'] }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  const simple = entries.filter(([, v]) => v === null || typeof v !== 'object');
  const nested = entries.filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <Stack gap="xs" role="region" aria-label="Values">
      <Text fw={600} size="sm">
        Values in this step
      </Text>
      {simple.length > 0 && (
        <Table withTableBorder verticalSpacing={4} aria-label="Step values">
          <Table.Tbody>
            {simple.map(([name, value]) => (
              <Table.Tr key={name} data-value={name}>
                <Table.Th w={300}>{labelFor(name)}</Table.Th>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  <Group gap={4} wrap="nowrap" justify="space-between">
                    <Code>{value === null ? 'null' : String(value)}</Code>
                    {typeof value === 'string' && (
                      <CopyButton compact value={value} label={`Copy ${name}`} size="sm" />
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {nested.map(([name, value]) => (
        <JsonBlock key={name} label={labelFor(name)} value={value} />
      ))}
    </Stack>
  );
}

/** One step of a flow: where it comes from in the specs, why it happens, and what went over the wire. */
export function StepView({ step, index }: { step: PlaygroundStep; index: number }) {
  return (
    <Stack gap="sm" role="region" aria-label={`Step ${index + 1}: ${step.title}`}>
      <Title order={3} size="h4" data-testid="step-title">
        {step.title}
      </Title>
      <Group gap={6} aria-label="Spec sections" role="list">
        {step.spec.split(/,\s*/).map((section) => (
          <Badge key={section} variant="outline" color="indigo" tt="none" role="listitem">
            {section}
          </Badge>
        ))}
      </Group>
      <Text size="sm">{step.explanation}</Text>
      {step.http ? (
        <HttpPanes http={step.http} />
      ) : (
        <Text size="xs" c="dimmed">
          No HTTP in this step: it happens inside the client.
        </Text>
      )}
      <Values values={step.values} />
    </Stack>
  );
}
