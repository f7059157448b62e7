import { MAX_CLOCK_OFFSET_SECONDS } from '../../shared/duration';

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
