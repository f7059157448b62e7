import { Code, Group, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import type { EngineInfo } from '../../../../shared/contract';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Panel } from '../../components/Page';
import { useAdminMutation, useEngineInfo } from '../../data/contract-queries';

/** The local CA and the commands that make a system or tool trust it. */
function TrustInstructions({ https }: { https: EngineInfo['https'] }) {
  if (!https.caCertPath) return null;
  return (
    <Stack gap="xs">
      <TextInput
        label="CA certificate"
        description="Clients refuse the https:// issuer until they trust this certificate"
        readOnly
        value={https.caCertPath}
        rightSection={<CopyButton compact value={https.caCertPath} label="Copy CA certificate path" />}
      />
      <Table>
        <Table.Tbody>
          {https.trustCommands.map(({ label, command }) => (
            <Table.Tr key={label}>
              <Table.Td>{label}</Table.Td>
              <Table.Td>
                <Code>{command}</Code>
              </Table.Td>
              <Table.Td>
                <CopyButton compact value={command} label={`Copy the ${label} command`} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** HTTPS: the CA to trust while it is on, and (in the desktop app) the choice for the next start. */
export function HttpsSection() {
  const info = useEngineInfo();
  const setHttps = useAdminMutation('engine.setHttps');
  const https = info.data?.https;
  if (!https || (!https.enabled && https.nextStart === null)) return null;
  return (
    <Panel title="HTTPS">
      <Text size="sm">
        {https.enabled
          ? 'The provider serves HTTPS with a certificate from a local certificate authority kept in the data folder.'
          : 'The provider serves plain HTTP.'}
      </Text>
      {https.nextStart !== null && (
        <Group>
          <Switch
            label="Serve HTTPS"
            description="Takes effect at the next start of the app; the issuer then begins with https://"
            checked={https.nextStart}
            disabled={setHttps.isPending}
            onChange={(event) => setHttps.mutate({ enabled: event.currentTarget.checked })}
          />
        </Group>
      )}
      <ErrorAlert title="Could not save the HTTPS choice" error={setHttps.error} />
      {https.enabled && <TrustInstructions https={https} />}
    </Panel>
  );
}
