/** What the timeline's layout reads from tokens and events: ISO times (fast), key stages, clock moves. */
import type { EngineEvent } from '../../../../../shared/schemas';
import type { ClockChange, KeyStage, MarkType, TimelineEvent } from './layout';

/** The marks that are uses of the token, drawn as ticks on its bar. */
export const USE_MARKS = ['userinfo', 'introspected', 'refreshed'] as const;
export const USE_MARK_TYPES: ReadonlySet<MarkType> = new Set(USE_MARKS);

/** A settings change that moved the provider clock, read from its settings.changed event. */
export function clockChangeOf(event: TimelineEvent): ClockChange | null {
  if (event.type !== 'settings.changed' || !event.data) return null;
  const changed = event.data.changed;
  const settings = event.data.settings as { clock_offset_seconds?: unknown } | undefined;
  if (!Array.isArray(changed) || !changed.includes('clock_offset_seconds')) return null;
  const offset = settings?.clock_offset_seconds;
  return typeof offset === 'number' ? { at: Date.parse(event.at), offsetSeconds: offset } : null;
}

/** Key events by type: rotate now is an activation without a staged step. */
export const KEY_STAGES: Partial<Record<EngineEvent['type'], KeyStage>> = {
  'key.staged': 'staged',
  'key.activated': 'activated',
  'key.rotated': 'activated',
  'key.retired': 'retired',
};

export function keyChangeDetail(type: EngineEvent['type'], data: EngineEvent['data']): string | null {
  if (type === 'key.rotated') return data.reason === 'rotated' ? 'rotate now' : null;
  if (type === 'key.activated') return typeof data.cause === 'string' ? data.cause : null;
  if (type === 'key.staged')
    return typeof data.activates_at === 'string' ? 'scheduled' : 'waits for activation';
  return null;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Epoch ms of an ISO 8601 time. The engine's form (2026-03-14T12:00:00.000Z, toISOString) is read
 * digit by digit: Date.parse is the slowest step of laying out 100,000 tokens. Any other form goes
 * to Date.parse.
 */
export function parseTime(value: string): number {
  if (value.length !== 24 || value.charCodeAt(23) !== 90 /* Z */ || value.charCodeAt(10) !== 84 /* T */)
    return Date.parse(value);
  const digits = (from: number, to: number) => {
    let n = 0;
    for (let k = from; k < to; k++) {
      const d = value.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      n = n * 10 + d;
    }
    return n;
  };
  const ms =
    daysFromCivil(digits(0, 4), digits(5, 7), digits(8, 10)) * 86_400_000 +
    digits(11, 13) * 3_600_000 +
    digits(14, 16) * 60_000 +
    digits(17, 19) * 1000 +
    digits(20, 23);
  return Number.isNaN(ms) ? Date.parse(value) : ms;
}
