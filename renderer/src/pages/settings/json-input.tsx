import { Button, FileButton } from '@mantine/core';
import type { ReactNode } from 'react';
import type { z } from 'zod';
import { errorMessage, notifyError } from '../../lib/errors';

/** Pasted or loaded text as a document of `schema` (its input, as typed), or the first reason it is not. */
export function parseJsonAs<S extends z.ZodType>(
  text: string,
  schema: S,
  what: string,
): { ok: true; value: z.input<S> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${errorMessage(error)}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || what}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: value as z.input<S> };
}

/** A button that reads a chosen JSON file's text into `onLoad`. */
export function LoadJsonButton({
  onLoad,
  children,
}: {
  onLoad: (text: string) => void;
  children: ReactNode;
}) {
  return (
    <FileButton
      accept="application/json,.json"
      onChange={(file) => {
        if (!file) return;
        file.text().then(onLoad, (error: unknown) => notifyError(error, 'Could not read the file'));
      }}
    >
      {(props) => (
        <Button variant="default" {...props}>
          {children}
        </Button>
      )}
    </FileButton>
  );
}
