import { Button, type ButtonProps, Group, type MantineColor, Modal, Stack, Text } from '@mantine/core';
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react';
import { notifyError } from '../lib/errors';

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  /** The confirm button's text: says what happens ("Delete user"), never just "OK". */
  confirmLabel: string;
  color?: MantineColor;
}
type Confirm = (options: ConfirmOptions) => Promise<boolean>;

const ConfirmContext = createContext<Confirm | null>(null);

/** One confirmation dialog for the whole app; `useConfirm()` opens it and resolves with the answer. */
export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((answer: boolean) => void) | null>(null);

  const confirm = useCallback<Confirm>((next) => {
    resolver.current?.(false);
    setOptions(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const answer = (value: boolean) => {
    resolver.current?.(value);
    resolver.current = null;
    setOptions(null);
  };

  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      {/* Above other modals and drawers: it is often opened from one of them. */}
      <Modal
        opened={options !== null}
        onClose={() => answer(false)}
        title={options?.title}
        centered
        zIndex={300}
      >
        <Stack>
          <Text component="div">{options?.message}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => answer(false)} data-autofocus>
              Cancel
            </Button>
            <Button color={options?.color ?? 'red'} onClick={() => answer(true)}>
              {options?.confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </ConfirmContext.Provider>
  );
}

function useConfirm(): Confirm {
  const confirm = useContext(ConfirmContext);
  if (!confirm) throw new Error('useConfirm needs a ConfirmProvider');
  return confirm;
}

/**
 * Runs `action` after asking first. Failures are shown, never swallowed; the button shows a spinner
 * while the action runs.
 */
export function useConfirmedAction() {
  const confirm = useConfirm();
  return useCallback(
    async (options: ConfirmOptions, action: () => Promise<unknown>): Promise<boolean> => {
      if (!(await confirm(options))) return false;
      try {
        await action();
        return true;
      } catch (error) {
        notifyError(error, `${options.confirmLabel} failed`);
        return false;
      }
    },
    [confirm],
  );
}

interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  confirm: ConfirmOptions;
  onConfirm: () => Promise<unknown>;
  children: ReactNode;
  'aria-label'?: string;
}

/** A button for a destructive action: asks first, then runs it. */
export function ConfirmButton({ confirm, onConfirm, children, ...props }: ConfirmButtonProps) {
  const run = useConfirmedAction();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      color="red"
      variant="light"
      {...props}
      loading={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await run(confirm, onConfirm);
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
    </Button>
  );
}
