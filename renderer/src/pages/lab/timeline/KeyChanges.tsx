import { Badge, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { signedDuration } from '../../../../../shared/duration';
import { RelativeTime } from '../../../components/RelativeTime';
import { INLINE_ITEM, INLINE_LIST } from './Legend';
import type { ClockChange, KeyChange, KeyStage } from './layout';

const STAGE_COLORS: Record<KeyStage, string> = { staged: 'yellow', activated: 'grape', retired: 'gray' };
/** The newest few are listed; the lines on the canvas show them all. */
const SHOWN = 6;

/** Lines drawn across the timeline, in words, newest first: a badge, details, and when. */
function LineList<Change extends { at: number }>(props: {
  title: string;
  label: string;
  changes: readonly Change[];
  keyOf: (change: Change) => string;
  render: (change: Change) => ReactNode;
}) {
  if (props.changes.length === 0) return null;
  return (
    <Group gap="xs" align="center">
      <Text size="xs" fw={600}>
        {props.title}
      </Text>
      <ul aria-label={props.label} style={INLINE_LIST}>
        {props.changes
          .slice(-SHOWN)
          .reverse()
          .map((change) => (
            <li key={props.keyOf(change)} style={INLINE_ITEM}>
              {props.render(change)}
              <RelativeTime size="xs" value={new Date(change.at).toISOString()} />
            </li>
          ))}
      </ul>
    </Group>
  );
}

/** The signing-key stages drawn as lines: which key, which stage, when. */
export function KeyChanges({ changes }: { changes: readonly KeyChange[] }) {
  return (
    <LineList
      title="Signing keys:"
      label="Signing key changes"
      changes={changes}
      keyOf={(change) => `${change.at}-${change.stage}-${change.kid}`}
      render={(change) => (
        <>
          <Badge size="xs" variant="light" color={STAGE_COLORS[change.stage]}>
            {change.stage}
          </Badge>
          <Text size="xs" ff="monospace" title={change.kid}>
            {change.kid.slice(0, 8)}…
          </Text>
          {change.detail && (
            <Text size="xs" c="dimmed">
              {change.detail}
            </Text>
          )}
        </>
      )}
    />
  );
}

/** The provider clock's moves drawn as lines: where provider time was set, and when. */
export function ClockChanges({ changes }: { changes: readonly ClockChange[] }) {
  return (
    <LineList
      title="Provider clock:"
      label="Provider clock changes"
      changes={changes}
      keyOf={(change) => String(change.at)}
      render={(change) => (
        <Badge size="xs" variant="light" color="cyan">
          {change.offsetSeconds === 0 ? 'real time' : signedDuration(change.offsetSeconds)}
        </Badge>
      )}
    />
  );
}
