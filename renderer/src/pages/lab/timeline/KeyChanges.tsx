import { Badge, Group, Text } from '@mantine/core';
import { RelativeTime } from '../../../components/RelativeTime';
import { INLINE_ITEM, INLINE_LIST } from './Legend';
import type { KeyChange, KeyStage } from './layout';

const STAGE_COLORS: Record<KeyStage, string> = { staged: 'yellow', activated: 'grape', retired: 'gray' };
/** The newest few are listed; the lines on the canvas show them all. */
const SHOWN = 6;

/** The signing-key stages drawn as lines, in words: which key, which stage, when. */
export function KeyChanges({ changes }: { changes: readonly KeyChange[] }) {
  if (changes.length === 0) return null;
  const newest = changes.slice(-SHOWN).reverse();
  return (
    <Group gap="xs" align="center">
      <Text size="xs" fw={600}>
        Signing keys:
      </Text>
      <ul aria-label="Signing key changes" style={INLINE_LIST}>
        {newest.map((change) => (
          <li key={`${change.at}-${change.stage}-${change.kid}`} style={INLINE_ITEM}>
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
            <RelativeTime size="xs" value={new Date(change.at).toISOString()} />
          </li>
        ))}
      </ul>
    </Group>
  );
}
