import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { adminContract } from '../../../../shared/contract';
import type { SigningKey } from '../../../../shared/schemas';
import { ConfirmButton } from '../../components/Confirm';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../components/RangeNumberInput';
import { useAdminMutation } from '../../data/contract-queries';
import { notifyError } from '../../lib/errors';
import { formatDuration } from '../../lib/time';

/**
 * jose's createRemoteJWKSet keeps a fetched JWKS this long (its cacheMaxAge, as jwks-rsa's): a key
 * published that much earlier is in every such verifier's cache before it signs.
 */
const DEFAULT_DELAY_SECONDS = 600;
const DELAY_SCHEMA = adminContract['keys.stage'].input.shape.activate_after_seconds.unwrap();

interface KeyRotationControlsProps {
  /** The staged key, if any: only one at a time. */
  next: SigningKey | undefined;
}

/** Staged rotation (publish, then sign after a delay or by hand) and the one-click "rotate now". */
export function KeyRotationControls({ next }: KeyRotationControlsProps) {
  const [delay, setDelay] = useState<NumberFieldValue>(DEFAULT_DELAY_SECONDS);
  // Empty means "activate by hand"; anything else must be in range, never read as empty.
  const delayError = rangeError(DELAY_SCHEMA, delay, { optional: true });
  const seconds = typeof delay === 'number' && !delayError ? delay : null;
  const stageKey = useAdminMutation('keys.stage', {
    success: (key, input) =>
      input.activate_after_seconds === undefined
        ? `Key ${key.kid} is published as next; it signs when you activate it.`
        : `Key ${key.kid} is published as next; it signs in ${formatDuration(input.activate_after_seconds)}.`,
  });
  const rotate = useAdminMutation('keys.rotate', {
    success: (key) => `New signing key ${key.kid} (${key.alg})`,
  });

  const stage = () =>
    stageKey.mutate(seconds === null ? {} : { activate_after_seconds: seconds }, {
      onError: (error) => notifyError(error, 'Staging a key failed'),
    });

  return (
    <Group align="flex-end" wrap="wrap">
      <RangeNumberInput
        schema={DELAY_SCHEMA}
        optional
        label="Activate after (s)"
        description={
          delay === ''
            ? 'Empty: signs only when you activate it'
            : seconds !== null
              ? `Signs ${formatDuration(seconds)} after staging`
              : undefined
        }
        value={delay}
        onChange={setDelay}
        w={260}
      />
      <Button
        variant="light"
        color="indigo"
        loading={stageKey.isPending}
        disabled={Boolean(next) || delayError !== null}
        onClick={stage}
      >
        Stage next key
      </Button>
      <ConfirmButton
        variant="filled"
        color="indigo"
        confirm={{
          title: 'Rotate the signing key now?',
          message: next
            ? `The staged key ${next.kid} signs tokens from now on. The current key stays in the JWKS as "previous".`
            : 'A new key signs tokens from now on. The current key stays in the JWKS as "previous", so tokens it signed still verify until you retire it. Verifiers that fetched the JWKS moments ago refuse the new tokens until they fetch it again: stage the next key to avoid that.',
          confirmLabel: 'Rotate key',
          color: 'indigo',
        }}
        onConfirm={() => rotate.mutateAsync({})}
      >
        Rotate now
      </ConfirmButton>
      {next && (
        <Text size="sm" c="dimmed">
          Key {next.kid.slice(0, 8)}… is staged: activate or retire it before staging another.
        </Text>
      )}
    </Group>
  );
}
