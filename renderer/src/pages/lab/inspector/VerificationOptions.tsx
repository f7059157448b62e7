import { Autocomplete, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { z } from 'zod';
import { Choice, choiceOptions } from '../../../components/Choice';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../../components/RangeNumberInput';
import { useAdminQuery } from '../../../data/contract-queries';

type KeyMode = 'provider' | 'pasted' | 'none';
const KEY_MODE_LABELS: Record<KeyMode, string> = {
  provider: 'This provider’s JWKS',
  pasted: 'A pasted key or JWKS',
  none: 'Do not verify',
};

export interface VerificationSettings {
  keyMode: KeyMode;
  pastedKey: string;
  issuer: string;
  audience: string;
  skew: number;
}

/** The leeway a verifier would reasonably allow: none to an hour. */
const SKEW_SCHEMA = z.number().int().min(0).max(3600);

interface Props {
  value: VerificationSettings;
  onChange: (next: VerificationSettings) => void;
  providerIssuer: string | undefined;
}

/** How to judge the token: which keys, which issuer, which API (audience), how much clock skew. */
export function VerificationOptions({ value, onChange, providerIssuer }: Props) {
  const clients = useAdminQuery('clients.list');
  const audiences = [
    ...new Set((clients.data ?? []).flatMap((client) => [...client.audience, client.client_id])),
  ].sort();
  const set = (patch: Partial<VerificationSettings>) => onChange({ ...value, ...patch });
  // The field keeps what was typed; the verification takes it only once it is in range.
  const [skew, setSkew] = useState<NumberFieldValue>(value.skew);
  return (
    <Stack gap="sm">
      <Choice
        label="Verify the signature with"
        value={value.keyMode}
        onChange={(keyMode) => set({ keyMode })}
        data={choiceOptions(KEY_MODE_LABELS)}
      />
      {value.keyMode === 'pasted' && (
        <CodeTextarea
          label="Public key or JWKS"
          description="A JWKS, one JWK, or a PEM public key / certificate (an issuer’s /jwks output works)."
          placeholder='{"keys": [{"kty": "RSA", "kid": "…", "n": "…", "e": "AQAB"}]}'
          value={value.pastedKey}
          onChange={(pastedKey) => set({ pastedKey })}
          minRows={3}
          maxRows={10}
          small
        />
      )}
      <Group grow align="flex-start">
        <TextInput
          label="Expected issuer"
          description="Leave empty to skip the check."
          placeholder={providerIssuer}
          value={value.issuer}
          onChange={(event) => set({ issuer: event.currentTarget.value })}
        />
        <Autocomplete
          label="Expected audience (the API receiving it)"
          description="An API must reject tokens not addressed to it."
          placeholder="e.g. orders-api"
          data={audiences}
          value={value.audience}
          onChange={(audience) => set({ audience })}
        />
        <RangeNumberInput
          schema={SKEW_SCHEMA}
          label="Clock skew allowed (s)"
          description={
            Number(skew) === value.skew
              ? 'Tolerance when judging exp, nbf and iat.'
              : `Still judging with ${value.skew} s until this is fixed.`
          }
          value={skew}
          onChange={(next) => {
            setSkew(next);
            if (typeof next === 'number' && !rangeError(SKEW_SCHEMA, next)) set({ skew: next });
          }}
        />
      </Group>
    </Stack>
  );
}
