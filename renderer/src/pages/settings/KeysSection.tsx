import { Badge, Code, Text } from '@mantine/core';
import { useState } from 'react';
import type { SigningKey } from '../../../../shared/schemas';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { Panel } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { KeyRotationControls } from './KeyRotationControls';

const STATUS_COLORS: Record<SigningKey['status'], string> = {
  next: 'yellow',
  current: 'green',
  previous: 'blue',
  retired: 'gray',
};

/** When the key signs: a next key's schedule, or when a key started signing. */
function SigningFrom({ signingKey }: { signingKey: SigningKey }) {
  if (signingKey.status === 'next') {
    return signingKey.activates_at ? (
      <RelativeTime value={signingKey.activates_at} />
    ) : (
      <Text span size="sm" c="dimmed">
        when activated
      </Text>
    );
  }
  return <RelativeTime value={signingKey.activated_at} fallback="never signed" />;
}

const KEYS_TABLE: QueryTableSpec<SigningKey> = {
  label: 'Signing keys',
  what: 'signing keys',
  rowKey: (key) => key.kid,
  minWidth: 640,
  columns: [
    // A kid is often a 43-character thumbprint: it wraps, so the row's actions stay in the window.
    {
      header: 'Key ID (kid)',
      cell: (key) => key.kid,
      props: { ff: 'monospace', style: { overflowWrap: 'anywhere', minWidth: 120 } },
    },
    { header: 'Algorithm', cell: (key) => key.alg },
    {
      header: 'Status',
      cell: (key) => (
        <Badge color={STATUS_COLORS[key.status]} variant="light" miw="max-content">
          {key.status}
        </Badge>
      ),
    },
    { header: 'Created', cell: (key) => <RelativeTime value={key.created_at} /> },
    { header: 'Signing from', cell: (key) => <SigningFrom signingKey={key} /> },
    { header: 'Retired', cell: (key) => <RelativeTime value={key.retired_at} fallback="—" /> },
  ],
};

const RETIRE_MESSAGES: Record<'next' | 'previous', string> = {
  next: 'It leaves the JWKS without ever signing: the staged rotation is cancelled.',
  previous: 'It leaves the JWKS: tokens it signed no longer verify anywhere. This cannot be undone.',
};

export function KeysSection() {
  const keys = useAdminQuery('keys.list');
  const activate = useAdminMutation('keys.activate', {
    success: (key) => `Key ${key.kid} signs from now on`,
  });
  const retire = useAdminMutation('keys.retire', { success: (key) => `Retired key ${key.kid}` });
  const [shown, setShown] = useState<string | null>(null);
  const next = keys.data?.find((key) => key.status === 'next');

  return (
    <Panel title="Signing keys">
      <Text size="sm" c="dimmed">
        Every key that is not retired is published in the JWKS. Stage the next key to publish it before it
        signs: verifiers that cache the JWKS (jose and jwks-rsa keep it 10 minutes) already know it when it
        takes over, after the delay you set or when you activate it. Rotate now switches at once, as a drill.
        Retire a previous key to see how your services handle tokens signed by a key they can no longer find.
      </Text>
      <KeyRotationControls next={next} />
      <DataTable
        {...KEYS_TABLE}
        query={keys}
        empty={<Text size="sm">No signing key yet; the engine creates one when it first signs a token.</Text>}
        actions={(key) => [
          {
            label: 'JWK',
            name: `Public key ${key.kid}`,
            expanded: shown === key.kid,
            onClick: () => setShown(shown === key.kid ? null : key.kid),
          },
          key.status === 'next' && {
            label: 'Activate now',
            name: `Activate key ${key.kid}`,
            variant: 'light',
            color: 'indigo',
            confirm: {
              title: `Activate key ${key.kid}?`,
              message:
                'It signs every token from now on. The current key stays in the JWKS as "previous", so tokens it signed still verify.',
              confirmLabel: 'Activate key',
              color: 'indigo',
            },
            onConfirm: () => activate.mutateAsync({ kid: key.kid }),
          },
          (key.status === 'previous' || key.status === 'next') && {
            label: 'Retire',
            name: `Retire key ${key.kid}`,
            confirm: {
              title: `Retire key ${key.kid}?`,
              message: RETIRE_MESSAGES[key.status],
              confirmLabel: 'Retire key',
            },
            onConfirm: () => retire.mutateAsync({ kid: key.kid }),
          },
        ]}
        details={(key) => ({
          open: shown === key.kid,
          content: (
            // Wrapped anywhere: an RSA modulus on one line would stretch the whole table past the window.
            <Code
              block
              m="xs"
              aria-label={`Public JWK ${key.kid}`}
              style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            >
              {JSON.stringify(key.public_jwk, null, 2)}
            </Code>
          ),
        })}
      />
    </Panel>
  );
}
