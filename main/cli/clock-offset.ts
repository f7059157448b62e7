import { MAX_CLOCK_OFFSET_SECONDS } from '../../shared/schemas';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `--clock-offset`: how far provider time is moved from real time, as a signed duration ("+1h",
 * "-30m", "2d", "90s", "3600"). Returns seconds, or a message saying what is accepted.
 */
export function parseClockOffset(raw: string): number | string {
  const match = /^([+-]?)(\d{1,10})([smhd]?)$/.exec(raw.trim());
  const sign = match?.[1] === '-' ? -1 : 1;
  const seconds = match ? sign * Number(match[2]) * (UNIT_SECONDS[match[3] || 's'] as number) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > MAX_CLOCK_OFFSET_SECONDS) {
    return `--clock-offset takes a signed duration such as +1h, -30m, 2d or 3600 (seconds), at most ten years (got "${raw}").`;
  }
  return seconds;
}

/** "+1 h 30 min" for the ready lines: what provider time is, relative to real time. */
export function describeOffset(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  let rest = Math.abs(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return `${sign}${parts.join(' ') || '0 s'}`;
}
