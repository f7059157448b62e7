import { useMemo } from 'react';
import type { Token } from '../../../../shared/schemas';
import { useConfirmedAction } from '../../components/Confirm';
import { useAdminMutation } from '../../data/contract-queries';

function count(revoked: number): string {
  return `${revoked} token${revoked === 1 ? '' : 's'}`;
}

const revokedMessage = ({ revoked }: { revoked: number }) => `Revoked ${count(revoked)}`;

/** Every revocation the UI offers, each behind a confirmation; failures are shown, not swallowed. */
export function useTokenRevocation() {
  const run = useConfirmedAction();
  // mutateAsync is stable across renders, so the memo below holds.
  const { mutateAsync: revokeToken } = useAdminMutation('tokens.revoke', { success: revokedMessage });
  const { mutateAsync: revokeGrant } = useAdminMutation('tokens.revokeGrant', { success: revokedMessage });
  const { mutateAsync: revokeUser } = useAdminMutation('tokens.revokeUser', { success: revokedMessage });
  const { mutateAsync: revokeClient } = useAdminMutation('tokens.revokeClient', { success: revokedMessage });

  return useMemo(
    () => ({
      token: (token: Pick<Token, 'id' | 'kind'>) =>
        run(
          {
            title: `Revoke this ${token.kind} token?`,
            message: 'Introspection answers inactive for it from now on. This cannot be undone.',
            confirmLabel: 'Revoke token',
          },
          () => revokeToken({ id: token.id }),
        ),
      grant: (grantId: string) =>
        run(
          {
            title: 'Revoke the whole token family?',
            message:
              'Every access, refresh and ID token issued from the same sign-in (grant) is revoked, as after refresh token reuse.',
            confirmLabel: 'Revoke family',
          },
          () => revokeGrant({ grant_id: grantId }),
        ),
      user: (username: string) =>
        run(
          {
            title: `Revoke all of ${username}'s tokens?`,
            message: `Every active token issued to ${username}, through any client, is revoked.`,
            confirmLabel: 'Revoke all of user',
          },
          () => revokeUser({ username }),
        ),
      client: (clientId: string) =>
        run(
          {
            title: `Revoke all tokens of client ${clientId}?`,
            message: `Every active token issued to ${clientId}, for any user, is revoked.`,
            confirmLabel: 'Revoke all of client',
          },
          () => revokeClient({ client_id: clientId }),
        ),
    }),
    [run, revokeToken, revokeGrant, revokeUser, revokeClient],
  );
}
