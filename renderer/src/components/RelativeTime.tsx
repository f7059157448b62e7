import { Text, type TextProps } from '@mantine/core';
import { useNow } from '../data/now';
import { formatLocal, formatRelative } from '../lib/time';

interface RelativeTimeProps extends TextProps {
  value: string | null | undefined;
  /** Shown when there is no time. */
  fallback?: string;
}

/** Local time plus a relative hint that keeps ticking: "14:03:12 (in 4 min)". */
export function RelativeTime({ value, fallback = '—', ...props }: RelativeTimeProps) {
  const now = useNow();
  if (!value) {
    return (
      <Text span size="sm" c="dimmed" {...props}>
        {fallback}
      </Text>
    );
  }
  const date = new Date(value);
  return (
    <Text span size="sm" style={{ whiteSpace: 'nowrap' }} {...props}>
      <time dateTime={date.toISOString()} title={date.toString()}>
        {formatLocal(date, now)}{' '}
        <Text span size="xs" c="dimmed" inherit={false}>
          ({formatRelative(date, now)})
        </Text>
      </time>
    </Text>
  );
}
