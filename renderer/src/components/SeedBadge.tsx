import { Badge, Tooltip } from '@mantine/core';

/** Marks a record the seed file wrote: restarting with --seed overwrites edits made here. */
export function SeedBadge({ what }: { what: string }) {
  return (
    <Tooltip
      label={`From the seed file: restarting with --seed overwrites edits to this ${what}`}
      withArrow
      // Focusable, so a keyboard user reads it too.
      events={{ hover: true, focus: true, touch: false }}
    >
      <Badge
        size="xs"
        variant="outline"
        color="grape"
        tabIndex={0}
        aria-label="Managed by the seed file"
        style={{ flexShrink: 0 }}
      >
        seed
      </Badge>
    </Tooltip>
  );
}
