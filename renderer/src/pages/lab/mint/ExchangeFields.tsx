import { Fieldset, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import type { MintInput } from '../../../../../shared/contract';
import type { Token } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import { QueryState } from '../../../components/QueryState';
import { useAdminQuery } from '../../../data/contract-queries';

/** How many active tokens the pickers offer, newest first (the list can be very long). */
const PICKER_LIMIT = 200;

export type ActorMode = 'none' | 'token' | 'named';

const ACTOR_LABELS: Record<ActorMode, string> = {
  none: 'None (impersonation)',
  token: 'An actor token',
  named: 'Named actor',
};

export interface ExchangeState {
  subjectId: string | null;
  actorMode: ActorMode;
  actorTokenId: string | null;
  actorSub: string;
  actorClientId: string;
}

export const NO_EXCHANGE: ExchangeState = {
  subjectId: null,
  actorMode: 'none',
  actorTokenId: null,
  actorSub: '',
  actorClientId: '',
};

const KIND_NAMES: Record<Token['kind'], string> = { access: 'Access', id: 'ID', refresh: 'Refresh' };

/** "Access · alice · web · jwt · …f3a9c2": enough to tell tokens apart, the id's end included. */
function tokenLabel(token: Token): string {
  return [
    KIND_NAMES[token.kind],
    token.username ?? token.subject,
    token.client_id,
    token.format,
    `…${token.id.slice(-8)}`,
  ].join(' · ');
}

/** Why the form cannot be sent as it is, or null. */
export function exchangeProblem(state: ExchangeState): string | null {
  if (!state.subjectId) return null;
  if (state.actorMode === 'token' && !state.actorTokenId)
    return 'Choose the actor token, or another kind of actor.';
  if (state.actorMode === 'named' && !state.actorSub.trim()) return "Give the actor's sub.";
  return null;
}

/** The input fields of an exchanged mint (RFC 8693), none when no subject token is chosen. */
export function exchangeInput(state: ExchangeState): Partial<MintInput> {
  if (!state.subjectId) return {};
  const input: Partial<MintInput> = { subject_token_id: state.subjectId };
  if (state.actorMode === 'token' && state.actorTokenId) input.actor_token_id = state.actorTokenId;
  if (state.actorMode === 'named') {
    const clientId = state.actorClientId.trim();
    input.actor = { sub: state.actorSub.trim(), ...(clientId ? { client_id: clientId } : {}) };
  }
  return input;
}

interface ExchangeFieldsProps {
  /** The client the token is minted for: a refresh subject and an actor token must be its own. */
  clientId: string | null;
  value: ExchangeState;
  onChange: (value: ExchangeState) => void;
}

/**
 * "Exchanged from": a stored active token as the subject, and who acts for its subject. The minted
 * token is the subject's child in its grant, as the token endpoint's token exchange makes it.
 */
export function ExchangeFields({ clientId, value, onChange }: ExchangeFieldsProps) {
  const active = useAdminQuery('tokens.list', { state: 'active', limit: PICKER_LIMIT });
  const set = (patch: Partial<ExchangeState>) => onChange({ ...value, ...patch });
  const tokens = (active.data?.tokens ?? []).filter((t) => t.flaws.length === 0);
  // A refresh token is a credential of its own client: only that client may exchange it.
  const subjects = tokens.filter((t) => t.kind !== 'refresh' || t.client_id === clientId);
  // An actor shows who it is with its own access or ID token.
  const actors = tokens.filter(
    (t) => t.kind !== 'refresh' && t.client_id === clientId && t.id !== value.subjectId,
  );
  return (
    <Fieldset legend="Exchanged from (RFC 8693 token exchange)">
      <Stack>
        <Select
          label="Subject token"
          description="An active token; the new one is about its subject, a child in its grant (revoking that family revokes it)."
          placeholder="None: a token of its own"
          data={subjects.map((t) => ({ value: t.id, label: tokenLabel(t) }))}
          value={value.subjectId}
          onChange={(subjectId) => set({ subjectId })}
          searchable
          clearable
          clearButtonProps={{ 'aria-label': 'Clear subject token', 'aria-hidden': false, tabIndex: 0 }}
          nothingFoundMessage="No active token matches"
        />
        {active.isError && <QueryState query={active} what="the active tokens" />}
        {value.subjectId && (
          <>
            <Choice
              label="Actor"
              value={value.actorMode}
              onChange={(actorMode) => set({ actorMode })}
              data={choiceOptions(ACTOR_LABELS)}
              description={
                <Text size="xs" c="dimmed">
                  {value.actorMode === 'none'
                    ? 'Impersonation: no new act claim (an act the subject token has is kept).'
                    : 'Delegation: act names the actor, nesting the subject token’s own act (RFC 8693 §4.1).'}
                </Text>
              }
            />
            {value.actorMode === 'token' && (
              <Select
                label="Actor token"
                description="An active access or ID token of the chosen client: its subject is the actor."
                placeholder={actors.length ? 'Choose a token' : 'The client has no active access or ID token'}
                data={actors.map((t) => ({ value: t.id, label: tokenLabel(t) }))}
                value={value.actorTokenId}
                onChange={(actorTokenId) => set({ actorTokenId })}
                searchable
              />
            )}
            {value.actorMode === 'named' && (
              <Group grow align="flex-start">
                <TextInput
                  label="Actor sub"
                  placeholder="gateway"
                  value={value.actorSub}
                  onChange={(event) => set({ actorSub: event.currentTarget.value })}
                />
                <TextInput
                  label="Actor client_id"
                  description="Optional."
                  value={value.actorClientId}
                  onChange={(event) => set({ actorClientId: event.currentTarget.value })}
                />
              </Group>
            )}
          </>
        )}
      </Stack>
    </Fieldset>
  );
}
