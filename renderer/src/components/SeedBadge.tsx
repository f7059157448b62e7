import { Badge, Tooltip } from '@mantine/core';

/** A small outlined badge beside a record's name saying where it came from, explained on hover and focus. */
export function MarkBadge({
  text,
  tooltip,
  label,
  color,
}: {
  text: string;
  tooltip: string;
  /** Its accessible name. */
  label: string;
  color: string;
}) {
  return (
    <Tooltip
      label={tooltip}
      withArrow
      // Focusable, so a keyboard user reads it too.
      events={{ hover: true, focus: true, touch: false }}
    >
      <Badge
        size="xs"
        variant="outline"
        color={color}
        tabIndex={0}
        aria-label={label}
        style={{ flexShrink: 0 }}
      >
        {text}
      </Badge>
    </Tooltip>
  );
}

/** Marks a record the seed file wrote: restarting with --seed overwrites edits made here. */
export function SeedBadge({ what }: { what: string }) {
  return (
    <MarkBadge
      text="seed"
      tooltip={`From the seed file: restarting with --seed overwrites edits to this ${what}`}
      label="Managed by the seed file"
      color="grape"
    />
  );
}
