export { formatDuration } from '../../../shared/duration';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(value: number, singular: string, plural = `${singular}s`): string {
  return `${value} ${value === 1 ? singular : plural}`;
}

/**
 * "in 4 min", "3 min ago", "in 45 s", "in 1 h 5 min", "in 14 days", "now". Rounds toward zero so a countdown never claims more time
 * than is left ("in 59 s" is followed by "in 58 s", never by a rounded-up "in 1 min").
 */
export function formatRelative(target: Date | string | number, now: Date | number = Date.now()): string {
  const diff = new Date(target).getTime() - new Date(now).getTime();
  const abs = Math.abs(diff);
  if (Number.isNaN(abs)) return 'unknown';
  let text: string;
  if (abs < SECOND) return 'now';
  if (abs < MINUTE) text = `${Math.floor(abs / SECOND)} s`;
  else if (abs < HOUR) text = `${Math.floor(abs / MINUTE)} min`;
  else if (abs < DAY) {
    const hours = Math.floor(abs / HOUR);
    const minutes = Math.floor((abs - hours * HOUR) / MINUTE);
    text = minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  } else if (abs < 30 * DAY) {
    // A fortnight's refresh token reads "in 13 days 23 h" rather than a misleading "in 13 days".
    const days = Math.floor(abs / DAY);
    const hours = Math.floor((abs - days * DAY) / HOUR);
    text = hours ? `${unit(days, 'day')} ${hours} h` : unit(days, 'day');
  } else if (abs < 365 * DAY) text = unit(Math.floor(abs / DAY), 'day');
  else text = unit(Math.floor(abs / (365 * DAY)), 'year');
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** Local wall-clock time; the date is added when it is not today. */
export function formatLocal(value: Date | string | number, now: Date | number = Date.now()): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const today = new Date(now);
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  const time = localFormats().time.format(date);
  if (sameDay) return time;
  return `${localFormats().date.format(date)} ${time}`;
}

/**
 * The formats of formatLocal, made once: toLocaleTimeString with options builds a new formatter on
 * every call (measured: most of the script time of a long list scrolling, two times per row).
 * Made on first use, so the locale and time zone are the ones the page runs in.
 */
let formats: { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat } | null = null;
function localFormats() {
  formats ??= {
    time: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    date: new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' }),
  };
  return formats;
}
