import { Autocomplete, Group, NumberInput, Stack, Textarea, TextInput } from '@mantine/core';
import { Choice } from '../../../components/Choice';
import { useAdminQuery } from '../../../data/contract-queries';

type KeyMode = 'provider' | 'pasted' | 'none';

export interface VerificationSettings {
  keyMode: KeyMode;
  pastedKey: string;
  issuer: string;
  audience: string;
  skew: number;
}

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
  return (
    <Stack gap="sm">
      <Choice
        label="Verify the signature with"
        value={value.keyMode}
        onChange={(keyMode) => set({ keyMode })}
        data={[
          { value: 'provider', label: 'This provider’s JWKS' },
          { value: 'pasted', label: 'A pasted key or JWKS' },
          { value: 'none', label: 'Do not verify' },
        ]}
      />
      {value.keyMode === 'pasted' && (
        <Textarea
          label="Public key or JWKS"
          description="A JWKS, one JWK, or a PEM public key / certificate (an issuer’s /jwks output works)."
          placeholder='{"keys": [{"kty": "RSA", "kid": "…", "n": "…", "e": "AQAB"}]}'
          value={value.pastedKey}
          onChange={(event) => set({ pastedKey: event.currentTarget.value })}
          autosize
          minRows={3}
          maxRows={10}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
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
        <NumberInput
          label="Clock skew allowed (s)"
          description="Tolerance when judging exp, nbf and iat."
          min={0}
          max={3600}
          value={value.skew}
          onChange={(skew) => set({ skew: typeof skew === 'number' ? skew : 0 })}
        />
      </Group>
    </Stack>
  );
}
