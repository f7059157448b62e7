import { Text } from '@mantine/core';
import type { User } from '../../../../shared/schemas';

/**
 * A user's name and email, then "+N" for their other claims. Each value is isolated in its own <bdi>:
 * a right-to-left name would otherwise pull the separator and the counter into its run, and "+3" would
 * read "3+" on the wrong side of it.
 */
export function ClaimsSummary({ claims }: { claims: User['claims'] }) {
  const known = (['name', 'email'] as const).flatMap((claim) => {
    const value = claims[claim];
    return typeof value === 'string' ? [{ claim, value }] : [];
  });
  const count = Object.keys(claims).length;
  if (!known.length) {
    return <Text size="sm">{count ? `${count} claim${count === 1 ? '' : 's'}` : 'no claims'}</Text>;
  }
  const more = count - known.length;
  return (
    // A long email wraps anywhere rather than pushing the row's actions out of the window.
    <Text size="sm" dir="ltr" style={{ overflowWrap: 'anywhere' }}>
      {known.map(({ claim, value }) => (
        <span key={claim}>
          {claim !== known[0]?.claim && ' · '}
          <bdi>{value}</bdi>
        </span>
      ))}
      {more > 0 && (
        <span data-testid="more-claims" title={`${more} more claim${more === 1 ? '' : 's'}`}>
          {' '}
          +{more}
        </span>
      )}
    </Text>
  );
}
