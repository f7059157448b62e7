import { Select, type SelectProps } from '@mantine/core';

interface FilterSelectProps extends Omit<SelectProps, 'clearable' | 'label'> {
  label: string;
}

/**
 * A clearable, searchable filter. Mantine hides its clear button from the keyboard and screen readers;
 * here it is a named, focusable button ("Clear client filter").
 */
export function FilterSelect({ label, ...props }: FilterSelectProps) {
  return (
    <Select
      label={label}
      clearable
      searchable
      clearButtonProps={{
        'aria-label': `Clear ${label.toLowerCase()} filter`,
        'aria-hidden': false,
        tabIndex: 0,
      }}
      {...props}
    />
  );
}
