import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Token } from '../../../shared/schemas';
import { adminApi } from '../api';
import { useConfirmedAction } from '../components/Confirm';
import { QK } from '../data/keys';
import { notifySuccess } from '../lib/errors';

function count(revoked: number): string {
  return `${revoked} token${revoked === 1 ? '' : 's'}`;
}

/** Every revocation the UI offers, each behind a confirmation; failures are shown, not swallowed. */
export function useTokenRevocation() {
  const run = useConfirmedAction();
  const queryClient = useQueryClient();

  return useMemo(() => {
    const done = async ({ revoked }: { revoked: number }) => {
      notifySuccess(`Revoked ${count(revoked)}`);
      await queryClient.invalidateQueries({ queryKey: [QK.tokens] });
      await queryClient.invalidateQueries({ queryKey: [QK.token] });
    };
    return {
      token: (token: Pick<Token, 'id' | 'kind'>) =>
        run(
          {
            title: `Revoke this ${token.kind} token?`,
            message: 'Introspection answers inactive for it from now on. This cannot be undone.',
            confirmLabel: 'Revoke token',
          },
          () => adminApi.tokens.revoke({ id: token.id }).then(done),
        ),
      grant: (grantId: string) =>
        run(
          {
            title: 'Revoke the whole token family?',
            message:
              'Every access, refresh and ID token issued from the same sign-in (grant) is revoked, as after refresh token reuse.',
            confirmLabel: 'Revoke family',
          },
          () => adminApi.tokens.revokeGrant({ grant_id: grantId }).then(done),
        ),
      user: (username: string) =>
        run(
          {
            title: `Revoke all of ${username}'s tokens?`,
            message: `Every active token issued to ${username}, through any client, is revoked.`,
            confirmLabel: 'Revoke all of user',
          },
          () => adminApi.tokens.revokeUser({ username }).then(done),
        ),
      client: (clientId: string) =>
        run(
          {
            title: `Revoke all tokens of client ${clientId}?`,
            message: `Every active token issued to ${clientId}, for any user, is revoked.`,
            confirmLabel: 'Revoke all of client',
          },
          () => adminApi.tokens.revokeClient({ client_id: clientId }).then(done),
        ),
    };
  }, [run, queryClient]);
}
