import { Alert, Fieldset, Group, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import type { Client, User } from '../../../../../shared/schemas';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { BaselineForm } from '../bad-tokens/BaselineForm';
import { type CheckApiDraft, METHODS, type Method, parseHeaders, parseStatuses, takesBody } from './request';

interface CheckApiFormProps {
  clients: Client[];
  users: User[];
  value: CheckApiDraft;
  onChange: (value: CheckApiDraft) => void;
}

/** The endpoint to attack, how to get a good token for it, and what "accepted" means there. */
export function CheckApiForm({ clients, users, value, onChange }: CheckApiFormProps) {
  const set = <K extends keyof CheckApiDraft>(key: K, field: CheckApiDraft[K]) =>
    onChange({ ...value, [key]: field });
  const headers = parseHeaders(value.headers);
  const statuses = parseStatuses(value.acceptedStatuses);
  return (
    <Stack>
      <Fieldset legend="Your API">
        <Stack>
          <Group grow align="flex-start" preventGrowOverflow={false}>
            <Select
              label="Method"
              data={[...METHODS]}
              value={value.method}
              onChange={(method) => method && set('method', method as Method)}
              allowDeselect={false}
              maw={140}
            />
            <TextInput
              label="URL"
              description="An endpoint of your service that needs a token. Loopback only, unless allowed below."
              placeholder="http://127.0.0.1:8080/api/orders"
              value={value.url}
              onChange={(event) => set('url', event.currentTarget.value)}
              style={{ flexGrow: 4 }}
            />
          </Group>
          <Group grow align="flex-start">
            <CodeTextarea
              label="Extra headers"
              description="One per line, “Name: value”. Authorization is set by the run."
              placeholder="Accept: application/json"
              minRows={2}
              maxRows={8}
              value={value.headers}
              onChange={(text) => set('headers', text)}
              error={headers.ok ? undefined : headers.error}
            />
            {takesBody(value.method) && (
              <CodeTextarea
                label="Body"
                description="Sent as is with every request."
                minRows={2}
                maxRows={8}
                value={value.body}
                onChange={(text) => set('body', text)}
              />
            )}
          </Group>
          <TextInput
            label="Accepted statuses"
            description="The answers that mean “the token was accepted”, e.g. 200, 204. Empty: any 2xx."
            placeholder="2xx"
            value={value.acceptedStatuses}
            onChange={(event) => set('acceptedStatuses', event.currentTarget.value)}
            error={statuses.ok ? undefined : statuses.error}
            maw={420}
          />
          <Switch
            label="Allow a remote address"
            checked={value.allowRemote}
            onChange={(event) => set('allowRemote', event.currentTarget.checked)}
          />
          {value.allowRemote ? (
            <Alert color="orange" title="Only for a service you own" role="status">
              The run will send bad tokens — forged, tampered, oversized — to a machine other than this one.
              Do it only against your own test service: to anyone else it looks like an attack, because it is
              one.
            </Alert>
          ) : (
            <Text size="xs" c="dimmed">
              Requests go only to the address you gave, and only if it is this machine (127.0.0.1, ::1,
              localhost).
            </Text>
          )}
        </Stack>
      </Fieldset>
      <Fieldset legend="The good token (baseline)">
        <BaselineForm
          clients={clients}
          users={users}
          value={value.baseline}
          onChange={(baseline) => set('baseline', baseline)}
        />
      </Fieldset>
    </Stack>
  );
}
