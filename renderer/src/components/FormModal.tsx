import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { type ReactNode, useState } from 'react';

/** Which item the create/edit modal of a list page is open for: null to create one. */
export function useFormModal<T>() {
  const [editing, setEditing] = useState<T | null>(null);
  const [opened, setOpened] = useState(false);
  return {
    editing,
    opened,
    open: (item: T | null) => {
      setEditing(item);
      setOpened(true);
    },
    close: () => setOpened(false),
  };
}

interface FormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  /** Says which item the form edits: the form is remounted per open and per item, so it starts from it. */
  formKey: string;
  children: ReactNode;
}

/** The create/edit modal of a list page. */
export function FormModal({ opened, onClose, title, formKey, children }: FormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="xl">
      {opened && <Stack key={formKey}>{children}</Stack>}
    </Modal>
  );
}

interface ModalFormProps {
  onSubmit: () => void;
  onCancel: () => void;
  /** Why the last save failed, shown above the buttons; null when it did not. */
  error: string | null;
  errorTitle: string;
  submitLabel: string;
  pending: boolean;
  submitDisabled?: boolean;
  children: ReactNode;
}

/** A create/edit form: its fields, why saving failed, and Cancel / Save. */
export function ModalForm({
  onSubmit,
  onCancel,
  error,
  errorTitle,
  submitLabel,
  pending,
  submitDisabled,
  children,
}: ModalFormProps) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <Stack>
        {children}
        {error !== null && (
          <Alert color="red" title={errorTitle} role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} disabled={submitDisabled}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
