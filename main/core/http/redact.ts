import { splitOpaqueValue } from '../lib/token-values';

/**
 * Redaction for the request log: what a protocol request carried, minus everything that would let
 * someone reading the log act as a client or a user. Secrets and passwords are cut whole; tokens,
 * codes and assertions keep their first characters (and the token id when they carry one) so a user
 * can match them with what their app sent. Client ids, scopes, claims and the other parameters stay.
 */

const REDACTED = '[redacted]';
/** Long values (a large JWT, a big claim) are cut: the log is for reading, not for replaying. */
const MAX_VALUE_CHARS = 2048;
/** How much of a token is shown: enough to tell two apart, far too little to use one. */
const KEPT_PREFIX_CHARS = 6;

const SECRET_KEYS = new Set(['client_secret', 'password', 'code_verifier']);
const TOKEN_KEYS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'code',
  'device_code',
  'token',
  'subject_token',
  'actor_token',
  'assertion',
  'client_assertion',
  'logout_token',
  'request',
]);
/** Anything else whose name says it is a secret or a token, unless it only names a type of one. */
const SECRET_NAME = /secret|password|passwd|verifier/i;
const TOKEN_NAME = /token|assertion|code/i;
const TYPE_NAME = /(_type|_type_hint|_types|_in|_method|_challenge|user_code)$/i;

/** The token id a presented value carries: an opaque value's prefix, or a JWT's jti (unverified). */
export function tokenIdOf(value: string): string | null {
  const opaque = splitOpaqueValue(value);
  if (opaque) return opaque.id;
  const parts = value.split('.');
  if (parts.length !== 3 || (parts[1] as string).length > 64 * 1024) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    return typeof payload?.jti === 'string' && payload.jti.length <= 64 ? payload.jti : null;
  } catch {
    return null;
  }
}

/**
 * A token shown as its first characters, so it can be matched but not used, and its token id when it
 * carries one (not for a DPoP proof: its jti names the proof, not a token).
 */
export function redactToken(value: string, withId = true): string {
  const id = withId ? tokenIdOf(value) : null;
  return `${value.slice(0, KEPT_PREFIX_CHARS)}…${REDACTED}${id ? ` (token id ${id})` : ''}`;
}

function cut(value: string): string {
  return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…[truncated]` : value;
}

function redactParam(key: string, value: unknown): unknown {
  const lower = key.toLowerCase();
  const typeName = TYPE_NAME.test(lower);
  if (SECRET_KEYS.has(lower) || (!typeName && SECRET_NAME.test(lower))) return REDACTED;
  if (TOKEN_KEYS.has(lower) || (!typeName && TOKEN_NAME.test(lower))) {
    return typeof value === 'string' ? redactToken(value) : REDACTED;
  }
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value)) return value.map((item) => redactParam(key, item));
  if (typeof value === 'object' && value !== null) return redactObject(value as Record<string, unknown>);
  return value;
}

/** A form or JSON object with each sensitive member redacted (nested objects too: claims stay). */
export function redactObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) out[key] = redactParam(key, value);
  return out;
}

/** A URL (path and query, or absolute) with its sensitive query parameters redacted. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return cut(url);
  const query = new URLSearchParams(url.slice(at + 1));
  const kept = new URLSearchParams();
  for (const [key, value] of query) kept.append(key, String(redactParam(key, value)));
  return cut(`${url.slice(0, at)}?${kept.toString()}`);
}

/** Basic credentials keep the client id; Bearer and DPoP tokens their first characters. */
function redactAuthorization(value: string): string {
  const [scheme = '', credentials = ''] = value.split(/\s+/, 2);
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon >= 0 ? formDecode(decoded.slice(0, colon)) : null;
    return `${scheme} ${REDACTED}${clientId !== null ? ` (client_id ${cut(clientId)})` : ''}`;
  }
  return `${scheme} ${credentials ? redactToken(credentials) : ''}`.trim();
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded; a malformed one (`%zz`) is shown as sent. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** Cookies keep their names only: every cookie this provider sets is a session credential. */
function redactCookies(value: string): string {
  return value
    .split(/;\s*/)
    .map((pair) => `${pair.split('=', 1)[0]}=${REDACTED}`)
    .join('; ');
}

/** Request or response headers, with credentials, proofs, cookies and redirect parameters redacted. */
export function redactHeaders(
  headers: Record<string, string | string[] | number | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[name] = redactAuthorization(value);
    else if (lower === 'dpop') out[name] = redactToken(value, false);
    else if (lower === 'cookie') out[name] = redactCookies(value);
    else if (lower === 'set-cookie') out[name] = redactCookies(value.split(';', 1)[0] as string);
    else if (lower === 'location') out[name] = redactUrl(value);
    else out[name] = cut(value);
  }
  return out;
}

/**
 * A request or response body as it is kept: a parsed form or JSON object redacted member by member;
 * JSON text parsed first; anything else (an HTML page, a body no parser took) only described.
 */
export function redactBody(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body === 'object' && !Buffer.isBuffer(body)) {
    return Array.isArray(body) ? REDACTED : redactObject(body as Record<string, unknown>);
  }
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  if ((contentType ?? '').includes('json')) {
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return redactObject(parsed);
    } catch {
      // Not JSON after all: described below like any other body.
    }
  }
  return `[${(contentType ?? 'unknown type').split(';', 1)[0]}, ${Buffer.byteLength(text)} bytes, not kept]`;
}
