// Durations as people read them, for the UI and the CLI alike.

/**
 * Provider time may move up to ten years either way. Here, not beside the zod schemas that use it, so that
 * the CLI's launcher can check --clock-offset without loading zod (main/cli/clock-offset.ts).
 */
export const MAX_CLOCK_OFFSET_SECONDS = 10 * 365 * 24 * 60 * 60;

/** Seconds as a short human duration: 3600 → "1 h", 90 → "1 min 30 s", 1209600 → "14 days". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return `${seconds} s`;
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  if (days) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (secs) parts.push(`${secs} s`);
  return parts.slice(0, 2).join(' ');
}

/** "+1 h", "−2 days 3 h": an offset from a reference time (the provider clock's), with its sign. */
export function signedDuration(seconds: number): string {
  return `${seconds < 0 ? '−' : '+'}${formatDuration(Math.abs(seconds))}`;
}
