import { Autocomplete, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import {
  endpointsFor,
  FAULT_ENDPOINTS,
  type FaultEffect,
  type FaultEndpoint,
  type FaultInput,
  type FaultKind,
  FaultLatencyMsSchema,
  FaultRequestsSchema,
  FaultSecondsSchema,
  SUGGESTED_OAUTH_ERRORS,
} from '../../../../../shared/faults';
import { GRANT_TYPES } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../../components/RangeNumberInput';

const KIND_LABELS: Record<FaultKind, string> = {
  latency: 'Slow answer (latency)',
  error_status: 'Outage (500, 503, 429)',
  oauth_error: 'An OAuth error',
  connection_reset: 'Connection reset',
  jwks_missing_current_key: 'Key set without the current key',
  discovery_wrong_issuer: 'Discovery with a wrong issuer',
};

type Scope = 'requests' | 'seconds' | 'open';
const SCOPE_LABELS: Record<Scope, string> = {
  requests: 'Next N requests',
  seconds: 'For S seconds',
  open: 'Until turned off',
};

interface Draft {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  ms: NumberFieldValue;
  status: '500' | '503' | '429';
  error: string;
  description: string;
  issuer: string;
  scope: Scope;
  count: NumberFieldValue;
  grantType: string | null;
}

const INITIAL: Draft = {
  endpoint: 'token',
  kind: 'error_status',
  ms: 2000,
  status: '503',
  error: 'invalid_grant',
  description: '',
  issuer: '',
  scope: 'requests',
  count: 1,
  grantType: null,
};

function countSchema(scope: Exclude<Scope, 'open'>) {
  return scope === 'requests' ? FaultRequestsSchema : FaultSecondsSchema;
}

/** Whether the draft's numbers are ones faults.add accepts; out-of-range ones stay as typed, with their error. */
export function draftNumbersValid(draft: Pick<Draft, 'kind' | 'ms' | 'scope' | 'count'>): boolean {
  if (draft.kind === 'latency' && rangeError(FaultLatencyMsSchema, draft.ms, { unit: 'milliseconds' }))
    return false;
  return draft.scope === 'open' || rangeError(countSchema(draft.scope), draft.count) === null;
}

/** The effect a draft describes, in the contract's shape (the engine validates it again). */
export function effectOf(
  draft: Pick<Draft, 'kind' | 'ms' | 'status' | 'error' | 'description' | 'issuer'>,
): FaultEffect {
  switch (draft.kind) {
    case 'latency':
      return { kind: 'latency', ms: Number(draft.ms) };
    case 'error_status':
      return { kind: 'error_status', status: Number(draft.status) as 500 | 503 | 429 };
    case 'oauth_error':
      return {
        kind: 'oauth_error',
        error: draft.error.trim(),
        ...(draft.description.trim() ? { error_description: draft.description.trim() } : {}),
      };
    case 'discovery_wrong_issuer':
      return {
        kind: 'discovery_wrong_issuer',
        ...(draft.issuer.trim() ? { issuer: draft.issuer.trim() } : {}),
      };
    default:
      return { kind: draft.kind };
  }
}

function inputOf(draft: Draft): FaultInput {
  return {
    endpoint: draft.endpoint,
    effect: effectOf(draft),
    ...(draft.scope === 'requests' ? { requests: Number(draft.count) } : {}),
    ...(draft.scope === 'seconds' ? { seconds: Number(draft.count) } : {}),
    ...(draft.endpoint === 'token' && draft.grantType
      ? { grant_type: draft.grantType as FaultInput['grant_type'] }
      : {}),
  };
}

/** What a kind needs besides the endpoint: latency's delay, an outage's status, the error code, an issuer. */
function EffectFields({ draft, set }: { draft: Draft; set: (patch: Partial<Draft>) => void }) {
  switch (draft.kind) {
    case 'latency':
      return (
        <RangeNumberInput
          schema={FaultLatencyMsSchema}
          unit="milliseconds"
          label="Delay (ms)"
          value={draft.ms}
          onChange={(ms) => set({ ms })}
          w={200}
        />
      );
    case 'error_status':
      return (
        <Select
          label="Status"
          data={[
            { value: '503', label: '503 temporarily_unavailable' },
            { value: '500', label: '500 server_error' },
            { value: '429', label: '429 with Retry-After' },
          ]}
          value={draft.status}
          onChange={(status) => status && set({ status: status as Draft['status'] })}
          allowDeselect={false}
          w={260}
        />
      );
    case 'oauth_error':
      return (
        <>
          <Autocomplete
            label="Error code"
            data={[...SUGGESTED_OAUTH_ERRORS]}
            value={draft.error}
            onChange={(error) => set({ error })}
            w={220}
          />
          <TextInput
            label="Description (optional)"
            value={draft.description}
            onChange={(event) => set({ description: event.currentTarget.value })}
            w={280}
          />
        </>
      );
    case 'discovery_wrong_issuer':
      return (
        <TextInput
          label="Issuer to announce"
          placeholder="https://wrong-issuer.invalid"
          value={draft.issuer}
          onChange={(event) => set({ issuer: event.currentTarget.value })}
          w={300}
        />
      );
    default:
      return null;
  }
}

/** Where, what and for how long: one fault to turn on. */
export function FaultForm({ pending, onAdd }: { pending: boolean; onAdd: (input: FaultInput) => void }) {
  const [draft, setDraft] = useState<Draft>(INITIAL);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const kinds = (Object.keys(KIND_LABELS) as FaultKind[]).filter((kind) =>
    endpointsFor(kind).includes(draft.endpoint),
  );
  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm">
        <Select
          label="Endpoint"
          data={[...FAULT_ENDPOINTS]}
          value={draft.endpoint}
          onChange={(value) => {
            const endpoint = value as FaultEndpoint;
            set({
              endpoint,
              kind: endpointsFor(draft.kind).includes(endpoint) ? draft.kind : 'error_status',
            });
          }}
          allowDeselect={false}
          w={170}
        />
        <Select
          label="Fault"
          data={kinds.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
          value={draft.kind}
          onChange={(kind) => kind && set({ kind: kind as FaultKind })}
          allowDeselect={false}
          w={280}
        />
        <EffectFields draft={draft} set={set} />
        {draft.endpoint === 'token' && (
          <Select
            label="Only for grant type"
            placeholder="Any grant"
            data={[...GRANT_TYPES]}
            value={draft.grantType}
            onChange={(grantType) => set({ grantType })}
            clearable
            w={200}
          />
        )}
      </Group>
      <Group align="flex-end" gap="sm">
        <Choice
          label="How long"
          value={draft.scope}
          onChange={(scope) => set({ scope })}
          data={choiceOptions(SCOPE_LABELS)}
        />
        {draft.scope !== 'open' && (
          <RangeNumberInput
            schema={countSchema(draft.scope)}
            unit={draft.scope === 'requests' ? 'plain' : 'seconds'}
            label={draft.scope === 'requests' ? 'Requests' : 'Seconds (provider time)'}
            value={draft.count}
            onChange={(count) => set({ count })}
            w={220}
          />
        )}
        <Button onClick={() => onAdd(inputOf(draft))} loading={pending} disabled={!draftNumbersValid(draft)}>
          Turn on
        </Button>
      </Group>
    </Stack>
  );
}
