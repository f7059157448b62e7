import { Button, Group, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useState } from 'react';
import {
  type Settings,
  type SettingsPatch,
  SettingsSchema,
  SIGNING_ALGS,
  type SigningAlg,
} from '../../../../shared/schemas';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page, Panel } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../components/RangeNumberInput';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../data/contract-queries';
import { formatDuration } from '../../lib/time';
import { HttpsSection } from './HttpsSection';
import { KeysSection } from './KeysSection';
import { RegistrationSection } from './RegistrationSection';
import { ScopeClaimsSection } from './ScopeClaimsSection';
import { WorkspaceSection } from './WorkspaceSection';

function ServerSection() {
  const info = useEngineInfo();
  return (
    <Panel title="Server">
      <QueryState query={info} what="the server status" />
      {info.data && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Issuer"
            readOnly
            value={info.data.issuer}
            rightSection={<CopyButton compact value={info.data.issuer} label="Copy issuer" />}
          />
          <TextInput label="Port" readOnly value={String(info.data.port)} />
          <TextInput
            label="Discovery URL"
            readOnly
            value={info.data.discoveryUrl}
            rightSection={<CopyButton compact value={info.data.discoveryUrl} label="Copy discovery URL" />}
          />
          <TextInput
            label="Data folder"
            readOnly
            value={info.data.dataDir ?? 'In memory: nothing is kept after the engine stops'}
            rightSection={
              info.data.dataDir ? (
                <CopyButton compact value={info.data.dataDir} label="Copy data folder path" />
              ) : undefined
            }
          />
        </SimpleGrid>
      )}
    </Panel>
  );
}

const TTL_FIELDS = [
  ['access_token_ttl', 'Access token lifetime (s)'],
  ['id_token_ttl', 'ID token lifetime (s)'],
  ['refresh_token_ttl', 'Refresh token lifetime (s)'],
  ['authorization_code_ttl', 'Authorization code lifetime (s)'],
] as const;
type TtlKey = (typeof TTL_FIELDS)[number][0];

export function SettingsForm({ settings }: { settings: Settings }) {
  const [draft, setDraft] = useState<Record<TtlKey, NumberFieldValue>>(() => ({
    access_token_ttl: settings.access_token_ttl,
    id_token_ttl: settings.id_token_ttl,
    refresh_token_ttl: settings.refresh_token_ttl,
    authorization_code_ttl: settings.authorization_code_ttl,
  }));
  const [alg, setAlg] = useState<SigningAlg>(settings.signing_alg);
  const [hintSkips, setHintSkips] = useState(settings.login_hint_skips_login);
  const save = useAdminMutation('settings.update', { success: 'Settings saved' });

  const patch: SettingsPatch = {};
  // Out-of-range or half-typed values are shown as typed with their error, and nothing is saved.
  let invalid = false;
  for (const [key] of TTL_FIELDS) {
    const value = draft[key];
    if (typeof value !== 'number' || rangeError(SettingsSchema.shape[key], value)) invalid = true;
    else if (value !== settings[key]) patch[key] = value;
  }
  if (alg !== settings.signing_alg) patch.signing_alg = alg;
  if (hintSkips !== settings.login_hint_skips_login) patch.login_hint_skips_login = hintSkips;
  const dirty = Object.keys(patch).length > 0;

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (dirty && !invalid) save.mutate(patch);
      }}
    >
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {TTL_FIELDS.map(([key, label]) => (
            <RangeNumberInput
              key={key}
              label={label}
              schema={SettingsSchema.shape[key]}
              description={typeof draft[key] === 'number' ? formatDuration(draft[key] as number) : undefined}
              value={draft[key]}
              onChange={(value) => setDraft((current) => ({ ...current, [key]: value }))}
            />
          ))}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Signing algorithm"
            description="For signing keys created from now on (rotate to switch)"
            data={[...SIGNING_ALGS]}
            value={alg}
            onChange={(value) => value && setAlg(value as SigningAlg)}
            allowDeselect={false}
          />
          <Switch
            mt="lg"
            label="login_hint skips the login page"
            description="For CI: an authorization request whose login_hint names an existing user signs in at once"
            checked={hintSkips}
            onChange={(event) => setHintSkips(event.currentTarget.checked)}
          />
        </SimpleGrid>
        <ErrorAlert title="Could not save the settings" error={save.error} />
        <Group>
          <Button type="submit" disabled={!dirty || invalid} loading={save.isPending}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function SettingsPage() {
  const settings = useAdminQuery('settings.get');
  return (
    <Page title="Settings">
      <ServerSection />
      <HttpsSection />
      <Panel title="Tokens and sign-in">
        <QueryState query={settings} what="settings" />
        {/* Keyed by the stored values, so the form resets when they change elsewhere. */}
        {settings.data && <SettingsForm key={JSON.stringify(settings.data)} settings={settings.data} />}
      </Panel>
      <RegistrationSection />
      <ScopeClaimsSection />
      <KeysSection />
      <WorkspaceSection />
    </Page>
  );
}
