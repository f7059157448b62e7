import { Text, type TextProps } from '@mantine/core';
import { useTimed } from '../data/now';
import { formatLocal, formatRelative } from '../lib/time';
import { nextLocalMidnight, nextRelativeChange } from '../lib/time-changes';

interface RelativeTimeProps extends TextProps {
  value: string | null | undefined;
  /** Shown when there is no time. */
  fallback?: string;
}

/**
 * Local time plus a relative hint that keeps ticking: "14:03:12 (in 4 min)". It re-renders itself only
 * when its text changes (once a second while it counts seconds, once a minute while minutes…), never
 * the table it is in.
 */
export function RelativeTime({ value, fallback = '—', ...props }: RelativeTimeProps) {
  if (!value) {
    return (
      <Text span size="sm" c="dimmed" {...props}>
        {fallback}
      </Text>
    );
  }
  return <TickingTime value={value} {...props} />;
}

function TickingTime({ value, ...props }: TextProps & { value: string }) {
  const date = new Date(value);
  const [local, relative] = useTimed((now) => ({
    value: [formatLocal(date, now), formatRelative(date, now)] as const,
    next: Math.min(nextRelativeChange(date, now), nextLocalMidnight(now)),
  }));
  return (
    <Text span size="sm" style={{ whiteSpace: 'nowrap' }} {...props}>
      <time dateTime={date.toISOString()} title={date.toString()}>
        {local}{' '}
        <Text span size="xs" c="dimmed" inherit={false}>
          ({relative})
        </Text>
      </time>
    </Text>
  );
}
