import { Alert, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { AdminOutput } from '../../../../../shared/contract';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { CopyButton } from '../../../components/CopyButton';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useAdminMutation } from '../../../data/contract-queries';
import type { DecodedJwt } from './token-diff';

export type Resigned = AdminOutput<'lab.resign'>;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** Why the text is not a JSON object, in words; null when it is one. */
function jsonProblem(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? null
      : 'Must be a JSON object ({ … }).';
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
}

interface ResignPanelProps {
  /** The inspected token, decoded: where the editors start (and go back to with Reset). */
  decoded: DecodedJwt;
  onResigned: (resigned: Resigned) => void;
}

/**
 * "Edit and re-sign": the token's header and claims as JSON to edit, signed by the engine with the
 * provider's current key (lab.resign). The result goes back into the inspector to be checked.
 */
export function ResignPanel({ decoded, onResigned }: ResignPanelProps) {
  const [header, setHeader] = useState(() => pretty(decoded.header));
  const [payload, setPayload] = useState(() => pretty(decoded.payload));
  const resign = useAdminMutation('lab.resign');
  const headerProblem = jsonProblem(header);
  const payloadProblem = jsonProblem(payload);
  return (
    <Paper withBorder p="md" role="region" aria-label="Edit and re-sign">
      <Stack gap="sm">
        <Text size="sm">
          Change any claim or header parameter, then sign it with this provider’s current key. The result is{' '}
          <b>not issued</b>: introspection will not know it, while an API that checks only the signature will
          accept it. <Code>alg</Code> and <Code>kid</Code> are set by the key; for an unsigned or HMAC-signed
          token use Lab → Bad tokens, which makes those on purpose.
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <CodeTextarea
            label="Header JSON"
            value={header}
            onChange={setHeader}
            error={headerProblem}
            minRows={4}
            maxRows={16}
            small
          />
          <CodeTextarea
            label="Payload JSON"
            value={payload}
            onChange={setPayload}
            error={payloadProblem}
            minRows={8}
            maxRows={24}
            small
          />
        </SimpleGrid>
        <Group gap="xs">
          <Button
            size="xs"
            loading={resign.isPending}
            disabled={Boolean(headerProblem || payloadProblem)}
            onClick={() => resign.mutate({ header, payload }, { onSuccess: onResigned })}
          >
            Re-sign with this provider’s key
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => {
              setHeader(pretty(decoded.header));
              setPayload(pretty(decoded.payload));
              resign.reset();
            }}
          >
            Reset to the inspected token
          </Button>
        </Group>
        <ErrorAlert title="Could not re-sign" error={resign.error} />
      </Stack>
    </Paper>
  );
}

/**
 * What the inspector shows above the findings of a token it re-signed: a token that is byte for byte
 * an issued one is said to be so; anything else is marked lab-made, and what that means.
 */
export function LabMadeNote({ resigned }: { resigned: Resigned }) {
  if (resigned.same_as_token_id) {
    return (
      <Alert color="blue" title="Nothing changed: this is the issued token" role="status">
        Re-signing the unchanged header and claims gave back, byte for byte, the token this provider issued (
        {resigned.same_as_token_id}): its algorithm’s signatures are deterministic. Edit a claim to make a lab
        token.
      </Alert>
    );
  }
  return (
    <Paper withBorder p="md" role="region" aria-label="Lab-made token" bg="var(--mantine-color-orange-light)">
      <Stack gap="xs">
        <Group justify="space-between">
          <Badge size="xl" color="orange" variant="filled" data-testid="lab-made-badge">
            Lab-made, re-signed
          </Badge>
          <CopyButton value={resigned.value} label="Copy re-signed token" size="xs" />
        </Group>
        <Text size="sm" fw={600}>
          Not issued — introspection will not know it; APIs that check only the signature will accept it.
        </Text>
        <Text size="sm">
          Signed just now by this provider’s current key ({String(resigned.header.alg)}, key{' '}
          {String(resigned.header.kid)}). It is not in Tokens; Activity records that it was made.
        </Text>
        {resigned.replaced.map((change) => (
          <Text size="sm" key={change.name} data-replaced={change.name}>
            <Code>{change.name}</Code>: {change.was === null ? '(absent)' : JSON.stringify(change.was)} →{' '}
            {JSON.stringify(change.now)}, set by the provider’s key.
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
