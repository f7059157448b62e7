import { Alert, Code, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import {
  ISSUER_PROFILES,
  IssuerNameSchema,
  type IssuerProfile,
  type IssuerSummary,
  PROFILE_LABELS,
} from '../../../../shared/issuers';
import { FormModal, ModalForm } from '../../components/FormModal';
import { useTextInput } from '../../components/useTextInput';
import { useAdminMutation } from '../../data/contract-queries';
import { errorMessage } from '../../lib/errors';

/** What the form does: a new issuer, an edit of one, or a copy of one under a new name. */
export type IssuerFormMode = { kind: 'create' } | { kind: 'edit' | 'clone'; issuer: IssuerSummary };

const PROFILE_OPTIONS = ISSUER_PROFILES.map((profile) => ({
  value: profile,
  label: PROFILE_LABELS[profile].label,
}));

/** The issuer identifier a name and profile give, at the engine's origin (the root issuer's URL). */
export function issuerUrlFor(origin: string, profile: IssuerProfile, name: string): string {
  return `${origin.replace(/\/$/, '')}${PROFILE_LABELS[profile].issuer.replace('<name>', name)}`;
}

/** Why a typed name cannot be an issuer's, in IssuerNameSchema's words; null when it can (or is empty). */
export function issuerNameProblem(name: string): string | null {
  if (name === '') return null;
  const result = IssuerNameSchema.safeParse(name);
  return result.success ? null : (result.error.issues[0]?.message ?? 'not a valid issuer name');
}

const SUBMIT = { create: 'Create issuer', edit: 'Save issuer', clone: 'Clone issuer' } as const;

function IssuerForm({
  mode,
  origin,
  onClose,
}: {
  mode: IssuerFormMode;
  origin: string;
  onClose: () => void;
}) {
  const source = mode.kind === 'create' ? null : mode.issuer;
  const name = useTextInput(mode.kind === 'edit' ? mode.issuer.name : '');
  const displayName = useTextInput(mode.kind === 'edit' ? mode.issuer.display_name : '');
  const [profile, setProfile] = useState<IssuerProfile>(source?.profile ?? 'generic');

  const create = useAdminMutation('issuers.create', { success: (saved) => `Created ${saved.display_name}` });
  const update = useAdminMutation('issuers.update', {
    // The selected issuer's URL is in engine.info (the header).
    invalidates: ['engine'],
    success: (saved) => `Saved ${saved.display_name}`,
  });
  const clone = useAdminMutation('issuers.clone', {
    success: (saved) => `Cloned ${source?.display_name ?? ''} as ${saved.display_name}`,
  });
  const save = { create, edit: update, clone }[mode.kind];

  const typedName = name.value.trim();
  const nameProblem = issuerNameProblem(typedName);
  const label = displayName.value.trim();
  const url = typedName && !nameProblem ? issuerUrlFor(origin, profile, typedName) : null;
  const moves = mode.kind === 'edit' && url !== null && url !== mode.issuer.issuer;

  const submit = () => {
    if (!typedName || nameProblem) return;
    if (mode.kind === 'create') {
      create.mutate(
        { name: typedName, profile, ...(label ? { display_name: label } : {}) },
        { onSuccess: onClose },
      );
    } else if (mode.kind === 'clone') {
      clone.mutate(
        { id: mode.issuer.id, name: typedName, profile, ...(label ? { display_name: label } : {}) },
        { onSuccess: onClose },
      );
    } else {
      const { issuer } = mode;
      update.mutate(
        {
          id: issuer.id,
          ...(typedName !== issuer.name ? { name: typedName } : {}),
          ...(label && label !== issuer.display_name ? { display_name: label } : {}),
          ...(profile !== issuer.profile ? { profile } : {}),
        },
        { onSuccess: onClose },
      );
    }
  };

  return (
    <ModalForm
      onSubmit={submit}
      onCancel={onClose}
      error={save.error && errorMessage(save.error)}
      errorTitle={`Could not ${mode.kind === 'edit' ? 'save' : mode.kind} the issuer`}
      submitLabel={SUBMIT[mode.kind]}
      pending={save.isPending}
      submitDisabled={!typedName || nameProblem !== null}
    >
      {mode.kind === 'clone' && (
        <Text size="sm">
          A new issuer with the users, clients and settings of <b>{mode.issuer.display_name}</b>: new signing
          keys, no tokens and no history.
        </Text>
      )}
      <TextInput
        label="Name"
        description="Its URL path segment: lowercase letters, digits and hyphens"
        required
        data-autofocus
        error={nameProblem}
        autoComplete="off"
        {...name.props}
      />
      <TextInput
        label="Display name"
        description={
          mode.kind === 'edit' ? 'How the UI names it' : 'How the UI names it; the name when empty'
        }
        {...displayName.props}
      />
      <Select
        label="Profile"
        description={PROFILE_LABELS[profile].summary}
        data={PROFILE_OPTIONS}
        value={profile}
        allowDeselect={false}
        onChange={(value) => value && setProfile(value as IssuerProfile)}
        renderOption={({ option }) => (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            <Text size="xs" c="dimmed">
              {PROFILE_LABELS[option.value as IssuerProfile].summary}
            </Text>
          </Stack>
        )}
      />
      <div>
        <Text size="sm" fw={500}>
          Issuer URL
        </Text>
        <Code aria-label="Resulting issuer URL" data-testid="issuer-url-preview">
          {url ?? issuerUrlFor(origin, profile, '<name>')}
        </Code>
      </div>
      {moves && (
        <Alert color="yellow" title="This moves the issuer">
          Its issuer URL, discovery document and endpoints move from <Code>{mode.issuer.issuer}</Code> to{' '}
          <Code>{url}</Code>; the old URLs stop answering. Tokens already issued keep the old <Code>iss</Code>
          , so services configured with the old issuer refuse new tokens, and new configurations refuse old
          ones.
        </Alert>
      )}
    </ModalForm>
  );
}

interface IssuerFormModalProps {
  mode: IssuerFormMode | null;
  /** The engine's origin, where every issuer's URL starts (the root issuer's URL). */
  origin: string;
  onClose: () => void;
}

export function IssuerFormModal({ mode, origin, onClose }: IssuerFormModalProps) {
  const title =
    mode === null || mode.kind === 'create'
      ? 'New issuer'
      : `${mode.kind === 'edit' ? 'Edit' : 'Clone'} ${mode.issuer.display_name}`;
  return (
    <FormModal
      opened={mode !== null}
      onClose={onClose}
      title={title}
      formKey={mode && mode.kind !== 'create' ? `${mode.kind}:${mode.issuer.id}` : '(new)'}
    >
      {mode && <IssuerForm mode={mode} origin={origin} onClose={onClose} />}
    </FormModal>
  );
}
