import { Alert, Badge, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, useState } from 'react';
import { signedDuration } from '../../../shared/duration';
import { MAX_CLOCK_OFFSET_SECONDS, SettingsSchema } from '../../../shared/schemas';

import { useAdminMutation, useAdminQuery } from '../data/contract-queries';
import { errorMessage } from '../lib/errors';
import { formatLocal } from '../lib/time';
import { type NumberFieldValue, RangeNumberInput, rangeError } from './RangeNumberInput';

/** Provider time's offset from real time and the issuing skew, in seconds (0 until settings load). */
export function useProviderClock(): { offsetSeconds: number; skewSeconds: number } {
  const settings = useAdminQuery('settings.get');
  return {
    offsetSeconds: settings.data?.clock_offset_seconds ?? 0,
    skewSeconds: settings.data?.clock_skew_seconds ?? 0,
  };
}

const JUMPS: readonly { label: string; seconds: number }[] = [
  { label: '+5 min', seconds: 300 },
  { label: '+1 h', seconds: 3600 },
  { label: '+1 day', seconds: 86_400 },
];

/** The offset that puts provider time at `local` (a datetime-local value), or an error in words. */
export function offsetToReach(local: string, realNowMs: number): number | string {
  const target = new Date(local).getTime();
  if (!local || Number.isNaN(target)) return 'Enter a date and time.';
  const offset = Math.round((target - realNowMs) / 1000);
  if (Math.abs(offset) > MAX_CLOCK_OFFSET_SECONDS)
    return 'Provider time can move at most ten years either way.';
  return offset;
}

/** A field and the button that applies it, side by side. */
function FieldWithAction(props: {
  children: ReactNode;
  action: string;
  onAction: () => void;
  disabled?: boolean;
}) {
  return (
    <Group align="flex-end" gap="xs">
      {props.children}
      <Button variant="light" onClick={props.onAction} disabled={props.disabled}>
        {props.action}
      </Button>
    </Group>
  );
}

const SKEW_SCHEMA = SettingsSchema.shape.clock_skew_seconds;

function ClockDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { offsetSeconds, skewSeconds } = useProviderClock();
  const update = useAdminMutation('settings.update', { invalidates: ['tokens', 'events'] });
  const [date, setDate] = useState('');
  const [dateError, setDateError] = useState<string | null>(null);
  const [skew, setSkew] = useState<NumberFieldValue>(skewSeconds);
  const skewError = rangeError(SKEW_SCHEMA, skew);
  const setOffset = (seconds: number) => update.mutate({ clock_offset_seconds: seconds });
  const jumpToDate = () => {
    const offset = offsetToReach(date, Date.now());
    setDateError(typeof offset === 'string' ? offset : null);
    if (typeof offset === 'number') setOffset(offset);
  };
  const realNow = Date.now();
  return (
    <Modal opened={opened} onClose={onClose} title="Provider clock" size="lg">
      <Stack gap="md">
        <Text size="sm">
          Everything the provider does with time follows its clock: issued-at and expiry, code and refresh
          lifetimes, introspection, retention. Move it to see tokens expire without waiting.
        </Text>
        <Group gap="xl">
          <Text size="sm">
            Real time: <strong>{formatLocal(realNow, realNow)}</strong>
          </Text>
          <Text size="sm" aria-label="Provider time">
            Provider time: <strong>{formatLocal(realNow + offsetSeconds * 1000, realNow)}</strong>
            {offsetSeconds !== 0 && ` (${signedDuration(offsetSeconds)})`}
          </Text>
        </Group>
        <Group gap="xs">
          {JUMPS.map((jump) => (
            <Button
              key={jump.label}
              variant="light"
              onClick={() => setOffset(offsetSeconds + jump.seconds)}
              loading={update.isPending}
            >
              {jump.label}
            </Button>
          ))}
          <Button variant="default" disabled={offsetSeconds === 0} onClick={() => setOffset(0)}>
            Back to real time
          </Button>
        </Group>
        <FieldWithAction action="Jump" onAction={jumpToDate}>
          <TextInput
            type="datetime-local"
            label="Jump to"
            value={date}
            onChange={(event) => setDate(event.currentTarget.value)}
            error={dateError}
          />
        </FieldWithAction>
        <FieldWithAction
          action="Set skew"
          onAction={() => update.mutate({ clock_skew_seconds: Number(skew) })}
          disabled={skewError !== null || Number(skew) === skewSeconds}
        >
          <RangeNumberInput
            schema={SKEW_SCHEMA}
            label="Issuing skew (seconds)"
            description="Tokens are issued as if the clock were this far ahead (negative: behind), to test a service's leeway."
            value={skew}
            onChange={setSkew}
            w={360}
          />
        </FieldWithAction>
        {update.error && (
          <Alert color="red" title="The clock was not changed">
            {errorMessage(update.error)}
          </Alert>
        )}
      </Stack>
    </Modal>
  );
}

/**
 * The header's clock: a badge whenever provider time is not real time or tokens are issued skewed,
 * so nobody forgets it, and the dialog that moves it.
 */
export function ProviderClock() {
  const { offsetSeconds, skewSeconds } = useProviderClock();
  const [opened, { open, close }] = useDisclosure(false);
  const moved = offsetSeconds !== 0 || skewSeconds !== 0;
  const text = [
    offsetSeconds !== 0 && `Provider time ${signedDuration(offsetSeconds)}`,
    skewSeconds !== 0 && `skew ${signedDuration(skewSeconds)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <>
      {moved ? (
        <Badge
          component="button"
          color="orange"
          variant="filled"
          onClick={open}
          style={{ cursor: 'pointer' }}
          aria-label={`${text}. Change the provider clock`}
        >
          {text}
        </Badge>
      ) : (
        <Button size="compact-sm" variant="subtle" onClick={open} aria-label="Provider clock">
          Clock
        </Button>
      )}
      {opened && <ClockDialog opened={opened} onClose={close} />}
    </>
  );
}
