import { SegmentedControl, type SegmentedControlProps, Stack, Text } from '@mantine/core';
import { type ReactNode, useId } from 'react';

export interface ChoiceOption<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
}

/** The options of a choice from its labels, in their order; the record names every value, so none is forgotten. */
export function choiceOptions<T extends string>(labels: Readonly<Record<T, string>>): ChoiceOption<T>[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));
}

interface ChoiceProps<T extends string> extends Omit<SegmentedControlProps, 'value' | 'onChange' | 'data'> {
  value: T;
  onChange: (value: T) => void;
  data: ReadonlyArray<ChoiceOption<T>>;
  /** A visible label above the control, which names it; without one, give it an aria-label. */
  label?: string;
  /** A line under the control, about the current choice. */
  description?: ReactNode;
}

/** One of a few options, as segments, typed by its values (no casting at each use). */
export function Choice<T extends string>({
  value,
  onChange,
  data,
  label,
  description,
  ...props
}: ChoiceProps<T>) {
  const labelId = useId();
  const control = (
    <SegmentedControl
      {...props}
      aria-labelledby={label ? labelId : undefined}
      value={value}
      // Mantine reports the chosen option's value, which is one of `data`.
      onChange={(chosen) => onChange(chosen as T)}
      data={[...data]}
    />
  );
  if (!label) return control;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={labelId}>
        {label}
      </Text>
      {control}
      {description}
    </Stack>
  );
}
