import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import {
  CLAIM_TARGETS,
  type ClaimMapping,
  ClaimMappingSchema,
  type ClaimTarget,
  type Client,
  type CustomClaimsMode,
} from '../../../../shared/schemas';
import { CloseIcon } from '../../components/icons';
import { cellText, parseCell } from '../../lib/claims';

const TARGET_LABELS: Record<ClaimTarget, string> = {
  access: 'Access token',
  id: 'ID token',
  userinfo: 'Userinfo',
  introspection: 'Introspection',
};

/** One mapping as the form edits it: text as typed, parsed when the client is saved. */
export interface MappingDraft {
  /** React key: rows can be removed from the middle. */
  id: number;
  name: string;
  kind: 'user_claim' | 'value';
  userClaim: string;
  /** A static value as typed: JSON when it parses (42, true, ["a"]), a plain string otherwise. */
  valueText: string;
  tokens: ClaimTarget[];
  scopes: string[];
  machine: boolean;
}

export interface ClaimSettings {
  customClaims: CustomClaimsMode;
  mappings: MappingDraft[];
}

let nextMappingId = 0;

const blankMapping = (): MappingDraft => ({
  id: nextMappingId++,
  name: '',
  kind: 'user_claim',
  userClaim: '',
  valueText: '',
  tokens: ['access', 'id', 'userinfo', 'introspection'],
  scopes: [],
  machine: false,
});

export function initialClaimSettings(client: Client | null): ClaimSettings {
  return {
    customClaims: client?.custom_claims ?? 'all',
    mappings: (client?.claim_mappings ?? []).map((mapping) => ({
      id: nextMappingId++,
      name: mapping.name,
      kind: mapping.source.user_claim === undefined ? 'value' : 'user_claim',
      userClaim: mapping.source.user_claim ?? '',
      valueText: mapping.source.value === undefined ? '' : cellText(mapping.source.value),
      tokens: mapping.tokens,
      scopes: mapping.scopes ?? [],
      machine: mapping.machine ?? false,
    })),
  };
}

const valueType = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'object'
        ? 'object'
        : typeof value;

/** The mapping as the contract has it (not yet checked). */
export function mappingInput(draft: MappingDraft): ClaimMapping {
  return {
    name: draft.name.trim(),
    source:
      draft.kind === 'user_claim'
        ? { user_claim: draft.userClaim.trim() }
        : { value: parseCell(draft.valueText) },
    tokens: draft.tokens,
    ...(draft.scopes.length ? { scopes: draft.scopes } : {}),
    ...(draft.kind === 'value' && draft.machine ? { machine: true } : {}),
  };
}

/** What is wrong with one mapping, by field, from the engine's own schema. */
function mappingErrors(
  draft: MappingDraft,
): Partial<Record<'name' | 'source' | 'tokens' | 'scopes' | 'machine', string>> {
  const parsed = ClaimMappingSchema.safeParse(mappingInput(draft));
  if (parsed.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'name');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Applies the claim settings to a client input; the client schema checks them all together on save. */
export function applyClaimSettings(
  input: { claim_mappings?: ClaimMapping[]; custom_claims?: CustomClaimsMode },
  settings: ClaimSettings,
  client: Client | null,
): void {
  if (settings.mappings.length || client?.claim_mappings)
    input.claim_mappings = settings.mappings.map(mappingInput);
  if (settings.customClaims !== 'all' || client?.custom_claims) input.custom_claims = settings.customClaims;
}

function MappingRow({
  draft,
  index,
  change,
  remove,
  showErrors,
}: {
  draft: MappingDraft;
  index: number;
  change: (patch: Partial<MappingDraft>) => void;
  remove: () => void;
  showErrors: boolean;
}) {
  const errors = showErrors ? mappingErrors(draft) : {};
  const typed =
    draft.kind === 'value' && draft.valueText.trim() ? valueType(parseCell(draft.valueText)) : null;
  return (
    <Paper withBorder p="xs" role="group" aria-label={`Claim mapping ${index + 1}`}>
      <Stack gap="xs">
        <Group align="flex-start" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            label="Claim name in the token"
            description="Plain or namespaced, e.g. https://example.com/roles"
            value={draft.name}
            onChange={(event) => change({ name: event.currentTarget.value })}
            error={errors.name}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={28}
            aria-label={`Remove claim mapping ${index + 1}`}
            onClick={remove}
          >
            <CloseIcon />
          </ActionIcon>
        </Group>
        <SegmentedControl
          aria-label="Source"
          value={draft.kind}
          onChange={(value) => change({ kind: value as MappingDraft['kind'] })}
          data={[
            { value: 'user_claim', label: "User's claim" },
            { value: 'value', label: 'Static value' },
          ]}
        />
        {draft.kind === 'user_claim' ? (
          <TextInput
            label="User claim"
            description="Copied from the user's claims under the name above (the user's own name stops going in by itself)"
            placeholder="dept"
            value={draft.userClaim}
            onChange={(event) => change({ userClaim: event.currentTarget.value })}
            error={errors.source}
          />
        ) : (
          <TextInput
            label="Value"
            description={`JSON when it parses (42, true, ["a","b"]), text otherwise${typed ? ` — read as ${typed}` : ''}`}
            placeholder='"orders-app"'
            value={draft.valueText}
            onChange={(event) => change({ valueText: event.currentTarget.value })}
            error={errors.source}
          />
        )}
        <MultiSelect
          label="Into"
          data={CLAIM_TARGETS.map((target) => ({ value: target, label: TARGET_LABELS[target] }))}
          value={draft.tokens}
          onChange={(value) => change({ tokens: value as ClaimTarget[] })}
          error={errors.tokens}
        />
        <TagsInput
          label="Only with scopes"
          description="Empty: always. Otherwise only when one of these scopes is granted; press Enter after each"
          value={draft.scopes}
          onChange={(scopes) => change({ scopes })}
          splitChars={[' ', ',']}
          error={errors.scopes}
        />
        {draft.kind === 'value' && (
          <Checkbox
            label="Also in machine tokens (client_credentials)"
            checked={draft.machine}
            onChange={(event) => change({ machine: event.currentTarget.checked })}
            error={errors.machine}
          />
        )}
      </Stack>
    </Paper>
  );
}

/** The client editor's Claims section: which claims this client's tokens carry, under which names. */
export function ClaimMappingFields({
  settings,
  change,
  showErrors,
}: {
  settings: ClaimSettings;
  change: (next: ClaimSettings) => void;
  showErrors: boolean;
}) {
  const setMapping = (index: number, patch: Partial<MappingDraft>) =>
    change({
      ...settings,
      mappings: settings.mappings.map((draft, i) => (i === index ? { ...draft, ...patch } : draft)),
    });
  return (
    <Stack gap="xs" role="region" aria-label="Claims">
      <Text fw={600} size="sm">
        Claims
      </Text>
      <Text size="xs" c="dimmed">
        Scopes decide the standard claims (profile, email, …) as always. Here: a user claim under another
        name, or a static value, into the tokens you pick.
      </Text>
      <Switch
        label="Only mapped custom claims"
        description="Off: every custom claim of the user goes into every token, as without mappings. On: only those mapped here."
        checked={settings.customClaims === 'mapped_only'}
        onChange={(event) =>
          change({ ...settings, customClaims: event.currentTarget.checked ? 'mapped_only' : 'all' })
        }
      />
      {settings.mappings.map((draft, index) => (
        <MappingRow
          key={draft.id}
          draft={draft}
          index={index}
          showErrors={showErrors}
          change={(patch) => setMapping(index, patch)}
          remove={() => change({ ...settings, mappings: settings.mappings.filter((_, i) => i !== index) })}
        />
      ))}
      <Group>
        <Button
          size="xs"
          variant="light"
          onClick={() => change({ ...settings, mappings: [...settings.mappings, blankMapping()] })}
        >
          Add claim mapping
        </Button>
      </Group>
    </Stack>
  );
}
