import { Alert, Button, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { AdminOutput } from '../../../../shared/contract';
import { KeycloakRealmNameSchema, KeycloakRealmSchema } from '../../../../shared/keycloak';
import { CodeTextarea } from '../../components/CodeTextarea';
import { useConfirmedAction } from '../../components/Confirm';
import { useAdminMutation } from '../../data/contract-queries';
import { downloadText } from '../../lib/download';
import { notifyError } from '../../lib/errors';
import { LoadJsonButton, parseJsonAs } from './json-input';

type Report = AdminOutput<'keycloak.import'>;

/** What did not come over (or will not), one line per item, as the engine reported it. */
function SkippedList({ report }: { report: Report }) {
  const { summary, skipped, dry_run } = report;
  return (
    <Alert
      color={skipped.length ? 'yellow' : 'green'}
      variant="light"
      title={dry_run ? 'Preview' : 'Imported'}
    >
      <Text size="sm">
        {summary.users} users and {summary.clients} clients {dry_run ? 'would be imported' : 'imported'}
        {skipped.length
          ? `; ${skipped.length} parts of the realm ${dry_run ? 'would not be' : 'were not'} carried over:`
          : '; everything was carried over.'}
      </Text>
      {skipped.length > 0 && (
        <List size="sm" mt="xs" spacing={2} aria-label="Not carried over">
          {skipped.map((item) => (
            <List.Item key={item.path}>
              <Text span ff="monospace" size="sm">
                {item.path}
              </Text>
              : {item.reason}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** Graduating to Keycloak and coming back: a realm file for `kc.sh import`, and a realm export in. */
export function KeycloakSection() {
  const run = useConfirmedAction();
  const [realmName, setRealmName] = useState('idp-sandbox');
  const [notes, setNotes] = useState<string[] | null>(null);
  const [text, setText] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const parsed = text.trim() ? parseJsonAs(text, KeycloakRealmSchema, 'realm') : null;
  const nameError = KeycloakRealmNameSchema.safeParse(realmName).success
    ? undefined
    : 'Letters, digits, ".", "_" and "-"';
  const exportRealm = useAdminMutation('keycloak.export');
  const importRealm = useAdminMutation('keycloak.import', { invalidates: 'everything' });

  const startExport = () =>
    exportRealm.mutate(
      { realm: realmName },
      {
        onSuccess: ({ realm, notes: exportNotes }) => {
          setNotes(exportNotes);
          downloadText(
            `${realm.realm}-realm.json`,
            `${JSON.stringify(realm, null, 2)}\n`,
            'application/json',
          );
        },
        onError: (error) => notifyError(error, 'Keycloak export failed'),
      },
    );

  const preview = () => {
    if (!parsed?.ok) return;
    importRealm.mutate(
      { realm: parsed.value, dry_run: true },
      { onSuccess: setReport, onError: (error) => notifyError(error, 'Could not read the realm') },
    );
  };

  const startImport = () => {
    if (!parsed?.ok) return;
    void run(
      {
        title: 'Import this Keycloak realm?',
        message: 'Its users and clients are written into the running workspace (by username and client_id).',
        confirmLabel: 'Import realm',
        color: 'indigo',
      },
      async () => {
        setReport(await importRealm.mutateAsync({ realm: parsed.value }));
        setText('');
      },
    );
  };

  return (
    <Stack gap="sm">
      <Title order={4}>Keycloak</Title>
      <Text size="sm" c="dimmed">
        Export the workspace as a realm file for <code>kc.sh import</code>, or bring a Keycloak realm export
        in. What cannot be carried over is listed.
      </Text>
      <Group align="flex-end">
        <TextInput
          label="Realm name"
          value={realmName}
          onChange={(event) => setRealmName(event.currentTarget.value)}
          error={nameError}
        />
        <Button onClick={startExport} loading={exportRealm.isPending} disabled={Boolean(nameError)}>
          Export Keycloak realm
        </Button>
      </Group>
      {notes && notes.length > 0 && (
        <Alert color="blue" variant="light" title="In Keycloak, not the same">
          <List size="sm" spacing={2} aria-label="Export notes">
            {notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <CodeTextarea
        label="Keycloak realm JSON to import"
        description="A realm export (kc.sh export, or Realm settings → Action → Partial export)."
        placeholder='{"realm": "acme", "users": [...], "clients": [...]}'
        value={text}
        onChange={(value) => {
          setText(value);
          setReport(null);
        }}
        error={parsed && !parsed.ok ? parsed.error : undefined}
        minRows={3}
        maxRows={12}
      />
      <Group>
        <LoadJsonButton onLoad={setText}>Load realm file…</LoadJsonButton>
        <Button variant="default" onClick={preview} disabled={!parsed?.ok} loading={importRealm.isPending}>
          Preview import
        </Button>
        <Button onClick={startImport} disabled={!parsed?.ok}>
          Import Keycloak realm
        </Button>
      </Group>
      {report && <SkippedList report={report} />}
    </Stack>
  );
}
