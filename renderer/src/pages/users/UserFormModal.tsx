import { PasswordInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { User, UserInput } from '../../../../shared/schemas';
import { ClaimsEditor } from '../../components/ClaimsEditor';
import { FormModal, ModalForm } from '../../components/FormModal';
import { useTextInput } from '../../components/useTextInput';
import { useAdminMutation } from '../../data/contract-queries';
import type { ClaimsResult } from '../../lib/claims';
import { errorMessage } from '../../lib/errors';

interface UserFormModalProps {
  /** The user being edited, or null to create one. */
  user: User | null;
  opened: boolean;
  onClose: () => void;
}

function UserForm({ user, onClose }: { user: User | null; onClose: () => void }) {
  const username = useTextInput(user?.username ?? '');
  const password = useTextInput(user?.password ?? '');
  const sub = useTextInput(user?.sub ?? '');
  const [claims, setClaims] = useState<ClaimsResult>({ ok: true, claims: user?.claims ?? {} });

  // users.previewClaims is in the users namespace: saved claims show in the preview at once.
  const create = useAdminMutation('users.create', { success: (saved) => `Created ${saved.username}` });
  const update = useAdminMutation('users.update', { success: (saved) => `Saved ${saved.username}` });
  const save = user ? update : create;

  const submit = () => {
    if (!claims.ok) return;
    const input: UserInput = { username: username.value.trim(), claims: claims.claims };
    if (password.value) input.password = password.value;
    if (sub.value.trim()) input.sub = sub.value.trim();
    if (user) update.mutate({ username: user.username, user: input }, { onSuccess: onClose });
    else create.mutate(input, { onSuccess: onClose });
  };

  return (
    <ModalForm
      onSubmit={submit}
      onCancel={onClose}
      error={save.error && errorMessage(save.error)}
      errorTitle="Could not save the user"
      submitLabel={user ? 'Save user' : 'Create user'}
      pending={save.isPending}
      submitDisabled={!claims.ok || !username.value.trim()}
    >
      <TextInput
        label="Username"
        description="What the login page lists and login_hint matches"
        required
        data-autofocus
        {...username.props}
      />
      <PasswordInput
        label="Password"
        description="Optional. Without one, the user signs in by picking their name."
        {...password.props}
        autoComplete="new-password"
      />
      <TextInput
        label="Subject (sub)"
        description={
          user ? 'The stable identifier in every token' : 'Optional; a UUID is generated when empty'
        }
        {...sub.props}
      />
      <ClaimsEditor defaultValue={user?.claims ?? {}} onChange={setClaims} />
    </ModalForm>
  );
}

export function UserFormModal({ user, opened, onClose }: UserFormModalProps) {
  return (
    <FormModal
      opened={opened}
      onClose={onClose}
      title={user ? `Edit ${user.username}` : 'New user'}
      formKey={user?.username ?? '(new)'}
    >
      <UserForm user={user} onClose={onClose} />
    </FormModal>
  );
}
