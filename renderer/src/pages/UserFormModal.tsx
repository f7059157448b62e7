import { Alert, Button, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { User, UserInput } from '../../../shared/schemas';
import { adminApi } from '../api';
import { ClaimsEditor } from '../components/ClaimsEditor';
import { QK } from '../data/keys';
import { useAdminMutation } from '../data/useAdminMutation';
import type { ClaimsResult } from '../lib/claims';
import { errorMessage } from '../lib/errors';

interface UserFormModalProps {
  /** The user being edited, or null to create one. */
  user: User | null;
  opened: boolean;
  onClose: () => void;
}

function UserForm({ user, onClose }: { user: User | null; onClose: () => void }) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [password, setPassword] = useState(user?.password ?? '');
  const [sub, setSub] = useState(user?.sub ?? '');
  const [claims, setClaims] = useState<ClaimsResult>({ ok: true, claims: user?.claims ?? {} });

  const save = useAdminMutation(
    (input: UserInput) =>
      user ? adminApi.users.update({ username: user.username, user: input }) : adminApi.users.create(input),
    {
      invalidate: [QK.users, QK.preview],
      success: (saved) => (user ? `Saved ${saved.username}` : `Created ${saved.username}`),
    },
  );

  const submit = () => {
    if (!claims.ok) return;
    const input: UserInput = { username: username.trim(), claims: claims.claims };
    if (password) input.password = password;
    if (sub.trim()) input.sub = sub.trim();
    save.mutate(input, { onSuccess: onClose });
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack>
        <TextInput
          label="Username"
          description="What the login page lists and login_hint matches"
          required
          data-autofocus
          value={username}
          onChange={(event) => setUsername(event.currentTarget.value)}
        />
        <PasswordInput
          label="Password"
          description="Optional. Without one, the user signs in by picking their name."
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          autoComplete="new-password"
        />
        <TextInput
          label="Subject (sub)"
          description={
            user ? 'The stable identifier in every token' : 'Optional; a UUID is generated when empty'
          }
          value={sub}
          onChange={(event) => setSub(event.currentTarget.value)}
        />
        <ClaimsEditor defaultValue={user?.claims ?? {}} onChange={setClaims} />
        {save.error && (
          <Alert color="red" title="Could not save the user" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!claims.ok || !username.trim()}>
            {user ? 'Save user' : 'Create user'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function UserFormModal({ user, opened, onClose }: UserFormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={user ? `Edit ${user.username}` : 'New user'} size="xl">
      {/* Remounted per open, so the form starts from the user it edits. */}
      {opened && <UserForm key={user?.username ?? '(new)'} user={user} onClose={onClose} />}
    </Modal>
  );
}
