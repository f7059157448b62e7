import { Stack, Text, TextInput } from '@mantine/core';
import type { MintInput } from '../../../../../shared/contract';
import { Choice, choiceOptions } from '../../../components/Choice';

export type DpopMode = 'none' | 'generate' | 'jkt';

const DPOP_LABELS: Record<DpopMode, string> = {
  none: 'None (Bearer)',
  generate: 'Generate a key pair',
  jkt: 'Paste a thumbprint',
};

export interface DpopState {
  mode: DpopMode;
  jkt: string;
}

export const NO_DPOP: DpopState = { mode: 'none', jkt: '' };

/** An RFC 7638 SHA-256 thumbprint, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** Why the form cannot be sent as it is, or null. */
export function dpopProblem(state: DpopState): string | null {
  if (state.mode !== 'jkt' || THUMBPRINT.test(state.jkt.trim())) return null;
  return 'A JWK SHA-256 thumbprint (RFC 7638) is 43 base64url characters.';
}

export function dpopInput(state: DpopState): Partial<MintInput> {
  if (state.mode === 'generate') return { dpop: 'generate' };
  if (state.mode === 'jkt') return { dpop_jkt: state.jkt.trim() };
  return {};
}

/** RFC 9449: binds the access token to a key (`cnf.jkt`), so it is used only with a proof of that key. */
export function DpopFields({ value, onChange }: { value: DpopState; onChange: (value: DpopState) => void }) {
  const problem = value.jkt ? dpopProblem(value) : null;
  return (
    <Stack gap="xs">
      <Choice
        label="DPoP binding (RFC 9449)"
        value={value.mode}
        onChange={(mode) => onChange({ ...value, mode })}
        data={choiceOptions(DPOP_LABELS)}
        description={
          <Text size="xs" c="dimmed">
            {value.mode === 'none'
              ? 'A bearer token: whoever holds it can use it.'
              : value.mode === 'generate'
                ? 'A new ES256 key pair: the token is bound to it, and its private key is shown once with the token.'
                : 'The token is bound to your key: send it with DPoP proofs signed by that key.'}
          </Text>
        }
      />
      {value.mode === 'jkt' && (
        <TextInput
          label="JWK thumbprint (jkt)"
          description="Of your DPoP public key, e.g. calculateJwkThumbprint(publicJwk) with jose."
          placeholder="43 base64url characters"
          value={value.jkt}
          error={problem}
          onChange={(event) => onChange({ ...value, jkt: event.currentTarget.value })}
          maw={520}
        />
      )}
    </Stack>
  );
}
