import { Badge } from '@mantine/core';
import type { Token, TokenState } from '../../../shared/schemas';
import { useTimed } from '../data/now';

const COLORS: Record<TokenState, string> = {
  active: 'green',
  expired: 'gray',
  revoked: 'red',
  rotated: 'blue',
  reuse_detected: 'orange',
};
const LABELS: Record<TokenState, string> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
  rotated: 'rotated',
  reuse_detected: 'reuse detected',
};

/** An active token whose expiry has passed is shown as expired at once, without asking the engine. */
export function effectiveState(token: Pick<Token, 'state' | 'expires_at'>, now: number): TokenState {
  if (token.state === 'active' && new Date(token.expires_at).getTime() <= now) return 'expired';
  return token.state;
}

export function TokenStateBadge({ state }: { state: TokenState }) {
  return (
    // A badge never shrinks: long user or client names in the same row must not cut the state to "A…".
    <Badge
      color={COLORS[state]}
      variant="light"
      data-state={state}
      miw="max-content"
      style={{ flexShrink: 0 }}
    >
      {LABELS[state]}
    </Badge>
  );
}

type ExpiringToken = Pick<Token, 'state' | 'expires_at'>;

/**
 * A token's state as of now, re-rendering the caller once, when an active token expires (and never
 * otherwise): for logic that depends on it, such as whether "Revoke" is offered.
 */
export function useEffectiveState(token: ExpiringToken): TokenState {
  return useTimed((now) => {
    const expires = new Date(token.expires_at).getTime();
    const changes = token.state === 'active' && expires > now;
    return { value: effectiveState(token, now), next: changes ? expires : Number.POSITIVE_INFINITY };
  });
}

/**
 * A token's state badge for a table cell: it turns "expired" by itself when the expiry passes,
 * re-rendering only itself, so the page need not re-render every second to show it.
 */
export function TokenStateCell({ token }: { token: ExpiringToken }) {
  return <TokenStateBadge state={useEffectiveState(token)} />;
}
