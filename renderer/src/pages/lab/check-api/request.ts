/**
 * The Check my API form's text fields as the admin contract takes them. Each parser says what is wrong
 * with the line the user typed, so the form can show it before anything is sent.
 */
import type { CheckApiInput } from '../../../../../shared/lab';
import { type BaselineDraft, toBaseline } from '../bad-tokens/baseline';

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** An HTTP field name (RFC 9110 §5.1: a token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** "Name: value" lines, one header each; blank lines are skipped. */
export function parseHeaders(text: string): Parsed<Record<string, string>> {
  const headers: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!FIELD_NAME.test(name)) {
      return { ok: false, error: `Line ${index + 1} is not "Name: value".` };
    }
    if (name.toLowerCase() === 'authorization') {
      return { ok: false, error: 'Leave out Authorization: the run sets it to each token in turn.' };
    }
    headers[name] = line.slice(colon + 1).trim();
  }
  return { ok: true, value: headers };
}

/** Status codes separated by commas or spaces; empty means the default, any 2xx. */
export function parseStatuses(text: string): Parsed<number[] | undefined> {
  const words = text.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return { ok: true, value: undefined };
  const statuses: number[] = [];
  for (const word of words) {
    const status = /^\d{3}$/.test(word) ? Number(word) : Number.NaN;
    if (!(status >= 100 && status <= 599)) {
      return { ok: false, error: `"${word}" is not an HTTP status (100 to 599).` };
    }
    if (!statuses.includes(status)) statuses.push(status);
  }
  return { ok: true, value: statuses };
}

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

/** Methods whose requests carry no body here (fetch refuses one for GET and HEAD). */
export function takesBody(method: Method): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export interface CheckApiDraft {
  url: string;
  method: Method;
  headers: string;
  body: string;
  acceptedStatuses: string;
  allowRemote: boolean;
  baseline: BaselineDraft;
}

/** The run's input, or the first thing the user must fix. */
export function toCheckApiInput(draft: CheckApiDraft): Parsed<CheckApiInput> {
  const url = draft.url.trim();
  if (!url) return { ok: false, error: 'Give the URL of your API’s endpoint.' };
  const baseline = toBaseline(draft.baseline);
  if (!baseline) return { ok: false, error: 'Choose the client the tokens are issued to.' };
  const headers = parseHeaders(draft.headers);
  if (!headers.ok) return headers;
  const statuses = parseStatuses(draft.acceptedStatuses);
  if (!statuses.ok) return statuses;
  const input: CheckApiInput = { url, method: draft.method, baseline, allow_remote: draft.allowRemote };
  if (Object.keys(headers.value).length) input.headers = headers.value;
  if (takesBody(draft.method) && draft.body) input.body = draft.body;
  if (statuses.value) input.accepted_statuses = statuses.value;
  return { ok: true, value: input };
}
