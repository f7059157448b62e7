import { Badge, Code, EmptyState, Group, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { DeviceAuthorization } from '../../../../shared/contract';
import { shellQuote } from '../../../../shared/quote';
import { DEVICE_CODE_GRANT } from '../../../../shared/schemas';
import { CopyableCode } from '../../components/CopyableCode';
import { DataTable, type QueryTableSpec } from '../../components/DataTable';
import { FormModal, ModalForm } from '../../components/FormModal';
import { Page } from '../../components/Page';
import { RelativeTime } from '../../components/RelativeTime';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../data/contract-queries';
import { useNow } from '../../data/now';
import { errorMessage } from '../../lib/errors';
import { formatRelative } from '../../lib/time';

type DeviceStatus = DeviceAuthorization['status'];

const STATUS_COLORS: Record<DeviceStatus, string> = {
  pending: 'blue',
  approved: 'teal',
  redeemed: 'green',
  denied: 'red',
  expired: 'gray',
};

/**
 * The status as of now: the list says "pending" until it is read again, but a pending device whose
 * time ran out can no longer be answered, here or at /device (provider time, like the countdown).
 */
function statusNow(device: DeviceAuthorization, now: number): DeviceStatus {
  return device.status === 'pending' && Date.parse(device.expires_at) <= now ? 'expired' : device.status;
}

function StatusCell({ device }: { device: DeviceAuthorization }) {
  const status = statusNow(device, useNow());
  return (
    <Group gap={4} wrap="nowrap">
      <Badge variant="light" color={STATUS_COLORS[status]}>
        {status}
      </Badge>
      {device.username && (
        <Text span size="sm" c="dimmed">
          as {device.username}
        </Text>
      )}
    </Group>
  );
}

function ExpiresCell({ device }: { device: DeviceAuthorization }) {
  const now = useNow();
  if (device.status !== 'pending')
    return (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    );
  const expired = Date.parse(device.expires_at) <= now;
  return (
    <Text span size="sm" c={expired ? 'dimmed' : undefined} style={{ whiteSpace: 'nowrap' }}>
      {expired ? 'expired' : formatRelative(device.expires_at, now)}
    </Text>
  );
}

const DEVICES_TABLE: QueryTableSpec<DeviceAuthorization> = {
  label: 'Device authorizations',
  what: 'device authorizations',
  rowKey: (device) => device.user_code,
  minWidth: 900,
  striped: true,
  highlightOnHover: true,
  columns: [
    {
      header: 'User code',
      cell: (device) => (
        <Text ff="monospace" fw={600} size="sm">
          {device.user_code}
        </Text>
      ),
      props: { style: { whiteSpace: 'nowrap' } },
    },
    {
      header: 'Client',
      cell: (device) => (
        <Stack gap={0}>
          <Text size="sm">{device.client_name ?? device.client_id}</Text>
          {device.client_name && (
            <Text size="xs" c="dimmed" ff="monospace">
              {device.client_id}
            </Text>
          )}
        </Stack>
      ),
    },
    { header: 'Scope', cell: (device) => <Text size="sm">{device.scope || '—'}</Text> },
    { header: 'Requested', cell: (device) => <RelativeTime value={device.created_at} /> },
    { header: 'Expires', cell: (device) => <ExpiresCell device={device} /> },
    { header: 'Status', cell: (device) => <StatusCell device={device} /> },
  ],
};

/** How a device starts the flow (RFC 8628 §3.1), with a client that may, when there is one. */
function NoDevices() {
  const info = useEngineInfo();
  const clients = useAdminQuery('clients.list');
  const deviceClient = clients.data?.find((client) => client.grant_types.includes(DEVICE_CODE_GRANT));
  const issuer = info.data?.issuer ?? 'http://127.0.0.1:9400';
  const clientId = shellQuote(deviceClient?.client_id ?? 'YOUR_DEVICE_CLIENT');
  const curl = `curl -s ${shellQuote(`${issuer}/device_authorization`)} -d client_id=${clientId} -d scope=openid`;
  return (
    <EmptyState
      title="No device is waiting"
      description="A device (a TV, a CLI) with no browser asks the provider for a code, shows it to its user and polls the token endpoint. The user enters the code at /device, or you approve or deny it here."
    >
      <Stack gap="xs" maw={760} mx="auto">
        <Text size="sm">
          Start one{' '}
          {deviceClient
            ? `with ${deviceClient.client_id}:`
            : 'with a client that has the device code grant (none has it yet):'}
        </Text>
        <CopyableCode
          label="Start a device authorization"
          text={curl}
          copyLabel="Copy curl command"
          copySize="xs"
          align="center"
        />
      </Stack>
    </EmptyState>
  );
}

/** Approves a device as a test user, as signing in at /device does. */
function ApproveModal({ device, onClose }: { device: DeviceAuthorization | null; onClose: () => void }) {
  const users = useAdminQuery('users.list');
  const [username, setUsername] = useState<string | null>(null);
  const approve = useAdminMutation('devices.approve', {
    success: (output) => `Approved ${output.user_code} as ${output.username}`,
  });
  const close = () => {
    setUsername(null);
    approve.reset();
    onClose();
  };
  const names = users.data?.map((user) => user.username) ?? [];
  return (
    <FormModal
      opened={device !== null}
      onClose={close}
      title={device ? `Approve ${device.user_code}` : ''}
      formKey={device?.user_code ?? ''}
    >
      {device && (
        <ModalForm
          onSubmit={() => {
            if (username) approve.mutate({ user_code: device.user_code, username }, { onSuccess: close });
          }}
          onCancel={close}
          error={approve.error ? errorMessage(approve.error) : null}
          errorTitle="Could not approve the device"
          submitLabel="Approve"
          pending={approve.isPending}
          submitDisabled={!username}
        >
          <Text size="sm">
            {device.client_name ?? device.client_id} asks for <Code>{device.scope || '(no scope)'}</Code>. The
            device gets the chosen user's tokens at its next poll.
          </Text>
          <Select
            label="Sign in as"
            placeholder={
              names.length ? 'Pick a test user' : 'No test users yet: create one on the Users page'
            }
            data={names}
            value={username}
            onChange={setUsername}
            searchable
            disabled={names.length === 0}
          />
        </ModalForm>
      )}
    </FormModal>
  );
}

/**
 * RFC 8628 device authorizations the provider holds (in memory, ten minutes each). Device events make
 * the list stale; while an approved device has not yet collected its tokens (which has no event of its
 * own), the list is read every 2 s so "redeemed" shows up.
 */
export function DevicesPage() {
  const devices = useAdminQuery('devices.list', undefined, {
    refetchInterval: (query) =>
      query.state.data?.some((device) => device.status === 'approved') ? 2000 : false,
  });
  const deny = useAdminMutation('devices.deny', { success: (output) => `Denied ${output.user_code}` });
  const [approving, setApproving] = useState<DeviceAuthorization | null>(null);
  const now = useNow();

  return (
    <Page title="Devices">
      <Text size="sm" c="dimmed">
        Device authorization grant (RFC 8628): each device waiting for its user, who may approve it here as a
        test user instead of at /device.
      </Text>
      <DataTable
        {...DEVICES_TABLE}
        query={devices}
        empty={<NoDevices />}
        actions={(device) =>
          statusNow(device, now) === 'pending'
            ? [
                {
                  label: 'Approve',
                  name: `Approve ${device.user_code}`,
                  color: 'teal',
                  onClick: () => setApproving(device),
                },
                {
                  label: 'Deny',
                  name: `Deny ${device.user_code}`,
                  confirm: {
                    title: `Deny ${device.user_code}?`,
                    message: `${device.client_name ?? device.client_id} gets access_denied at its next poll.`,
                    confirmLabel: 'Deny device',
                  },
                  onConfirm: () => deny.mutateAsync({ user_code: device.user_code }),
                },
              ]
            : []
        }
      />
      <ApproveModal device={approving} onClose={() => setApproving(null)} />
    </Page>
  );
}
