import type { PlaygroundStep } from '../../../../../shared/contract';

type Exchange = NonNullable<PlaygroundStep['http']>;

/** One shell word in single quotes: safe for any value (a quote inside becomes '\''). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The step's request as a curl command: the same method, URL, headers and body, so it can be replayed
 * from a terminal. Secrets appear as the step shows them (redacted where the step redacts them).
 */
export function curlCommand(http: Exchange): string {
  const { method, url, headers, body } = http.request;
  const parts = ['curl -i'];
  if (method !== 'GET' || body !== null) parts.push(`-X ${method}`);
  parts.push(shellQuote(url));
  for (const [name, value] of Object.entries(headers)) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (body !== null) parts.push(`--data-raw ${shellQuote(body)}`);
  return parts.join(' \\\n  ');
}
