import { Badge, Group } from '@mantine/core';

/**
 * A bad token's flaws (Lab → Bad tokens made it wrong on purpose), so it is never mistaken for one the
 * provider issued in a flow. Nothing for an ordinary token.
 */
export function FlawBadges({ flaws }: { flaws: readonly string[] }) {
  if (flaws.length === 0) return null;
  return (
    <Group gap={4} wrap="nowrap">
      {flaws.map((flaw) => (
        <Badge
          key={flaw}
          size="sm"
          color="orange"
          variant="outline"
          tt="none"
          title="Made wrong on purpose (Lab → Bad tokens)"
        >
          bad: {flaw}
        </Badge>
      ))}
    </Group>
  );
}
