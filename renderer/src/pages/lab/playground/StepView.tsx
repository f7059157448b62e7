import { Alert, Badge, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { PlaygroundStep } from '../../../../../shared/contract';
import { ClaimsList } from '../../../components/ClaimValue';
import { CopyButton } from '../../../components/CopyButton';
import { JsonBlock } from '../../../components/JsonBlock';
import { curlCommand } from './curl';
import { HttpPanes } from './HttpPanes';

const VALUE_LABELS: Record<string, string> = {
  code_verifier: 'PKCE code_verifier (kept secret by the client)',
  code_challenge: 'PKCE code_challenge = BASE64URL(SHA-256(verifier))',
  code_challenge_method: 'Challenge method',
  access_token: 'Access token (decoded)',
  id_token: 'ID token (decoded)',
  refresh_token: 'Refresh token',
  client_assertion: 'Client assertion (decoded)',
  dpop_proof: 'DPoP proof (decoded)',
  public_jwk: 'Public key (JWK)',
  jkt: 'jkt = JWK SHA-256 thumbprint',
  cnf_jkt: 'cnf.jkt of the access token',
  act: 'act (who acts for the subject)',
  issued_token_type: 'issued_token_type',
  www_authenticate: 'WWW-Authenticate',
  assertion: 'Assertion (decoded)',
  provider_checks: 'What the provider checks (RFC 7523 §3)',
  issuer_public_jwk: 'Issuer public key (JWK), which the client must trust',
  key_is_registered: 'Key is among the trusted issuer’s registered keys',
};

/**
 * The sections of a step's spec reference, each naming its document: in "RFC 8693 §2.1, §4.1" the
 * second one is RFC 8693's too.
 */
export function specSections(spec: string): string[] {
  let document = '';
  return spec.split(/,\s*/).map((part) => {
    if (part.startsWith('§')) return document ? `${document} ${part}` : part;
    const at = part.indexOf(' §');
    document = at >= 0 ? part.slice(0, at) : part;
    return part;
  });
}

function labelFor(name: string): string {
  return VALUE_LABELS[name] ?? name.replace(/_/g, ' ');
}

/** A value the engine decoded from a JWT (describeToken): its header and payload. */
function isDecodedJwt(value: unknown): value is { header: unknown; payload: Record<string, unknown> } {
  if (value === null || typeof value !== 'object') return false;
  const payload = (value as { payload?: unknown }).payload;
  return 'header' in value && payload !== null && typeof payload === 'object' && !Array.isArray(payload);
}

/** A value as the table shows it: "—" for none, with the reason when the step knows it. */
export function displayValue(value: PlaygroundStep['values'][string], note?: string): string {
  if (value === null) return note ? `— (${note})` : '—';
  return String(value);
}

function Values({
  values,
  notes = {},
}: {
  values: PlaygroundStep['values'];
  notes?: Record<string, string>;
}) {
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
                    {value === null ? (
                      <Text size="sm" c="dimmed">
                        {displayValue(value, notes[name])}
                      </Text>
                    ) : (
                      <Code>{displayValue(value)}</Code>
                    )}
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
        <Stack key={name} gap={4}>
          {/* A decoded JWT's claims read as dates (exp, iat…), as everywhere else claims are shown. */}
          {isDecodedJwt(value) && <ClaimsList label={`${labelFor(name)}: claims`} claims={value.payload} />}
          <JsonBlock label={labelFor(name)} value={value} />
        </Stack>
      ))}
    </Stack>
  );
}

/** One step of a flow: where it comes from in the specs, why it happens, and what went over the wire. */
export function StepView({ step, index }: { step: PlaygroundStep; index: number }) {
  return (
    <Stack gap="sm" role="region" aria-label={`Step ${index + 1}: ${step.title}`}>
      {step.error && (
        <Alert
          color={step.failed ? 'red' : 'gray'}
          title={step.failed ? `Failed: ${step.error.error}` : `The provider answered ${step.error.error}`}
          data-testid="step-error"
        >
          {step.error.error_description ?? 'No error_description.'}{' '}
          <Text span size="xs" c="dimmed">
            (from the {step.error.source})
          </Text>
        </Alert>
      )}
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          {step.failed && (
            <Badge color="red" variant="filled">
              failed
            </Badge>
          )}
          <Title order={3} size="h4" data-testid="step-title">
            {step.title}
          </Title>
        </Group>
        {step.http && <CopyButton value={curlCommand(step.http)} label="Copy as curl" size="xs" />}
      </Group>
      <Group gap={6} aria-label="Spec sections" role="list">
        {specSections(step.spec).map((section) => (
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
          No HTTP exchange of the flow in this step (see the explanation above).
        </Text>
      )}
      <Values values={step.values} notes={step.value_notes} />
    </Stack>
  );
}
