import { Textarea, type TextareaProps } from '@mantine/core';

interface CodeTextareaProps extends Omit<TextareaProps, 'value' | 'onChange' | 'autosize' | 'styles'> {
  value: string;
  onChange: (text: string) => void;
  /** Smaller type, for tokens and keys: long lines that wrap anyway. */
  small?: boolean;
}

/** A field for pasted code (JSON, a JWT, a PEM key): monospace, growing with its text, never spell-checked. */
export function CodeTextarea({ value, onChange, small = false, ...props }: CodeTextareaProps) {
  return (
    <Textarea
      spellCheck={false}
      {...props}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      autosize
      styles={{
        input: { fontFamily: 'var(--mantine-font-family-monospace)', ...(small ? { fontSize: 12 } : {}) },
      }}
    />
  );
}
