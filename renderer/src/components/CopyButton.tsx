import { ActionIcon, Button, type ButtonProps, Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { notifyError } from '../lib/errors';
import { CheckIcon, CopyIcon } from './icons';

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Contexts without the async clipboard API (not a secure context): the legacy copy command.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('The browser refused to copy to the clipboard.');
}

interface CopyButtonProps extends Omit<ButtonProps, 'children'> {
  value: string;
  /** Visible text and accessible name ("Copy issuer URL"); both read "Copied" for a moment after a copy. */
  label: string;
  /** Icon-only button (the label becomes its accessible name and tooltip). */
  compact?: boolean;
}

export function CopyButton({ value, label, compact, ...props }: CopyButtonProps) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const id = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(id);
  }, [copied]);

  const copy = () =>
    writeClipboard(value).then(
      () => setCopied(true),
      (error: unknown) => notifyError(error, 'Could not copy'),
    );

  if (compact) {
    return (
      <Tooltip label={copied ? 'Copied' : label} withArrow>
        <ActionIcon
          variant="subtle"
          color={copied ? 'teal' : 'gray'}
          aria-label={copied ? 'Copied' : label}
          onClick={copy}
          size={props.size ?? 'md'}
        >
          {copied ? <CheckIcon /> : <CopyIcon />}
        </ActionIcon>
      </Tooltip>
    );
  }
  return (
    <Button variant="light" color={copied ? 'teal' : undefined} {...props} onClick={copy}>
      {copied ? 'Copied' : label}
    </Button>
  );
}
