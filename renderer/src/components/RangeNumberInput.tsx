import { NumberInput, type NumberInputProps } from '@mantine/core';
import type { z } from 'zod';
import { formatDuration } from '../lib/time';

/** A number field's value as Mantine gives it: a number, or the text typed so far ('' when empty). */
export type NumberFieldValue = number | string;

type Unit = 'seconds' | 'milliseconds' | 'plain';

function describe(value: number, unit: Unit): string {
  if (unit === 'plain') return value.toLocaleString('en-US');
  const seconds = unit === 'seconds' ? value : value / 1000;
  const exact = `${value.toLocaleString('en-US')} ${unit === 'seconds' ? 's' : 'ms'}`;
  return Math.abs(seconds) >= 60 ? `${exact} (${formatDuration(Math.abs(seconds))})` : exact;
}

/**
 * Why a value is not accepted by the schema the engine applies, in words a person can act on, or null
 * when it is. The bounds come from the schema itself, so the UI and the engine cannot disagree.
 */
export function rangeError(
  schema: z.ZodNumber,
  value: NumberFieldValue,
  { optional = false, unit = 'seconds' }: { optional?: boolean; unit?: Unit } = {},
): string | null {
  if (value === '') return optional ? null : 'Required';
  const number = typeof value === 'number' ? value : Number(value);
  const { minValue, maxValue } = schema;
  const range =
    minValue !== null && maxValue !== null
      ? `from ${describe(minValue, unit)} to ${describe(maxValue, unit)}`
      : minValue !== null
        ? `at least ${describe(minValue, unit)}`
        : `at most ${describe(maxValue ?? 0, unit)}`;
  if (!Number.isFinite(number)) return `Enter a number ${range}`;
  if (schema.isInt && !Number.isInteger(number)) return `Enter a whole number ${range}`;
  if (!schema.safeParse(number).success) return `Must be ${range}`;
  return null;
}

type RangeNumberInputProps = Omit<
  NumberInputProps,
  'min' | 'max' | 'clampBehavior' | 'allowNegative' | 'allowDecimal' | 'error' | 'value' | 'onChange'
> & {
  /** The engine's schema for this number; its bounds and integer rule are the field's. */
  schema: z.ZodNumber;
  value: NumberFieldValue;
  onChange: (value: NumberFieldValue) => void;
  /** Empty is allowed (e.g. "use the default"). */
  optional?: boolean;
  unit?: Unit;
};

/**
 * A number field that never changes what was typed: out-of-range input stays as typed and gets an
 * inline error naming the range (Mantine's default clamps on blur, which silently saved 0 as 1).
 * Forms call rangeError with the same arguments to refuse saving.
 */
export function RangeNumberInput({
  schema,
  optional,
  unit,
  value,
  onChange,
  ...props
}: RangeNumberInputProps) {
  const error = rangeError(schema, value, { optional, unit });
  return (
    <NumberInput
      {...props}
      value={value}
      onChange={onChange}
      clampBehavior="none"
      allowNegative
      allowDecimal
      error={error}
    />
  );
}
