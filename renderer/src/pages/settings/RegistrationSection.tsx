import { Button, Group, List, PasswordInput, Stack, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import {
  protectedResourceMetadataPath,
  type Settings,
  type SettingsPatch,
  SettingsSchema,
} from '../../../../shared/schemas';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Panel } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../data/contract-queries';

const TOKEN_SCHEMA = SettingsSchema.shape.registration_initial_access_token.unwrap();

/**
 * RFC 7591 dynamic registration for this issuer: the switch, and the initial access token a
 * registration must bear (empty: anyone who reaches the endpoint may register).
 */
export function RegistrationForm({ settings }: { settings: Settings }) {
  const [enabled, setEnabled] = useState(settings.dynamic_registration);
  const [initial, setInitial] = useState(settings.registration_initial_access_token ?? '');
  const save = useAdminMutation('settings.update', { success: 'Registration settings saved' });

  const check = initial === '' ? null : TOKEN_SCHEMA.safeParse(initial);
  const tokenError = check && !check.success ? check.error.issues[0]?.message : undefined;
  const patch: SettingsPatch = {};
  if (enabled !== settings.dynamic_registration) patch.dynamic_registration = enabled;
  if ((initial || null) !== settings.registration_initial_access_token) {
    patch.registration_initial_access_token = initial || null;
  }
  const dirty = Object.keys(patch).length > 0;

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (dirty && !tokenError) save.mutate(patch);
      }}
    >
      <Stack>
        <Switch
          label="Dynamic client registration"
          description="Clients (MCP clients, test harnesses) may register themselves (RFC 7591) and manage their registration (RFC 7592); discovery lists registration_endpoint while this is on"
          checked={enabled}
          onChange={(event) => setEnabled(event.currentTarget.checked)}
        />
        <PasswordInput
          label="Initial access token"
          description="Optional: a registration must send it as its bearer token. Empty: anyone who reaches the endpoint may register"
          value={initial}
          onChange={(event) => setInitial(event.currentTarget.value)}
          error={tokenError}
          disabled={!enabled}
          maw={520}
        />
        <ErrorAlert title="Could not save the registration settings" error={save.error} />
        <Group>
          <Button type="submit" disabled={!dirty || Boolean(tokenError)} loading={save.isPending}>
            Save registration settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The RFC 9728 documents the engine serves: declared with the protected_resources setting (seed or admin API). */
function ProtectedResources({ settings }: { settings: Settings }) {
  const info = useEngineInfo();
  const origin = info.data ? new URL(info.data.issuer).origin : '';
  if (settings.protected_resources.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No protected resources declared. Add an API or MCP server to the <code>protected_resources</code>{' '}
        setting (seed file or settings.update) and its RFC 9728 metadata is served here, naming this issuer.
      </Text>
    );
  }
  return (
    <List size="sm" spacing={4} aria-label="Protected resources">
      {settings.protected_resources.map(({ resource }) => {
        const url = `${origin}${protectedResourceMetadataPath(resource)}`;
        return (
          <List.Item key={resource}>
            <Group gap={6} wrap="nowrap">
              <Text size="sm" ff="monospace">
                <bdi>{resource}</bdi>
              </Text>
              <Text size="sm" c="dimmed">
                →
              </Text>
              <Text size="sm" ff="monospace">
                {url}
              </Text>
              <CopyButton compact value={url} label={`Copy the metadata URL of ${resource}`} />
            </Group>
          </List.Item>
        );
      })}
    </List>
  );
}

export function RegistrationSection() {
  const settings = useAdminQuery('settings.get');
  return (
    <Panel title="Client registration">
      <QueryState query={settings} what="settings" />
      {settings.data && (
        <Stack>
          {/* Keyed by the stored values, so the form resets when they change elsewhere. */}
          <RegistrationForm
            key={`${settings.data.dynamic_registration} ${settings.data.registration_initial_access_token}`}
            settings={settings.data}
          />
          <Text size="sm" fw={600}>
            Protected resource metadata (RFC 9728)
          </Text>
          <ProtectedResources settings={settings.data} />
        </Stack>
      )}
    </Panel>
  );
}
