import { Alert, Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { WorkspaceSchema } from '../../../../shared/schemas';
import { CodeTextarea } from '../../components/CodeTextarea';
import { ConfirmButton, useConfirmedAction } from '../../components/Confirm';
import { Panel } from '../../components/Page';
import { useAdminMutation } from '../../data/contract-queries';
import { downloadText } from '../../lib/download';
import { notifyError } from '../../lib/errors';
import { LoadJsonButton, parseJsonAs } from './json-input';
import { KeycloakSection } from './KeycloakSection';

function timestamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

export function WorkspaceSection() {
  const run = useConfirmedAction();
  const [includeKeys, setIncludeKeys] = useState(false);
  const [text, setText] = useState('');
  const parsed = text.trim() ? parseJsonAs(text, WorkspaceSchema, 'workspace') : null;
  const exportWorkspace = useAdminMutation('workspace.export');
  // Everything in the UI may change, the engine's own state included: every query is refetched.
  const importWorkspace = useAdminMutation('workspace.import', {
    invalidates: 'everything',
    success: (summary) =>
      `Imported ${summary.users} users, ${summary.clients} clients, ${summary.keys} keys${summary.settings ? ' and settings' : ''}`,
  });
  const reset = useAdminMutation('workspace.reset', {
    invalidates: 'everything',
    success: 'The workspace is empty again',
  });

  const startExport = () =>
    exportWorkspace.mutate(
      { include_keys: includeKeys },
      {
        onSuccess: (workspace) =>
          downloadText(
            `idp-sandbox-workspace-${timestamp()}.json`,
            `${JSON.stringify(workspace, null, 2)}\n`,
            'application/json',
          ),
        onError: (error) => notifyError(error, 'Export failed'),
      },
    );

  const startImport = () => {
    if (!parsed?.ok) return;
    void run(
      {
        title: 'Import this workspace?',
        message: 'The users, clients, settings and keys in the file are written into the running workspace.',
        confirmLabel: 'Import workspace',
        color: 'indigo',
      },
      async () => {
        await importWorkspace.mutateAsync(parsed.value);
        setText('');
      },
    );
  };

  return (
    <Panel title="Workspace">
      <Text size="sm" c="dimmed">
        A workspace file holds settings, users, clients and optionally signing keys. The headless CLI runs the
        same file as a seed.
      </Text>
      <Group align="flex-end">
        <Checkbox
          label="Include signing keys (private keys: keep the file secret)"
          checked={includeKeys}
          onChange={(event) => setIncludeKeys(event.currentTarget.checked)}
        />
        <Button onClick={startExport} loading={exportWorkspace.isPending}>
          Export workspace
        </Button>
      </Group>
      <CodeTextarea
        label="Workspace JSON to import"
        description="Paste a workspace, or load one from a file."
        placeholder='{"users": [...], "clients": [...]}'
        value={text}
        onChange={setText}
        error={parsed && !parsed.ok ? parsed.error : undefined}
        minRows={4}
        maxRows={14}
      />
      <Group>
        <LoadJsonButton onLoad={setText}>Load from file…</LoadJsonButton>
        <Button onClick={startImport} disabled={!parsed?.ok}>
          Import workspace
        </Button>
      </Group>
      <KeycloakSection />
      <Alert color="red" variant="light" title="Reset">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">
            Deletes every user, client, token, event and key, and restores default settings.
          </Text>
          <ConfirmButton
            variant="filled"
            confirm={{
              title: 'Reset the whole workspace?',
              message:
                'Every user, client, token, event and signing key is deleted and settings return to their defaults. Export first if you may want them back.',
              confirmLabel: 'Reset everything',
            }}
            onConfirm={() => reset.mutateAsync({ confirm: true })}
          >
            Reset workspace
          </ConfirmButton>
        </Stack>
      </Alert>
    </Panel>
  );
}
