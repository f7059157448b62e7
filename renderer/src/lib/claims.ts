import { type Claims, ClaimsSchema } from '../../../shared/schemas';

type JsonValue = Claims[string];
export interface ClaimRow {
  name: string;
  /** What the user typed: JSON when it parses as JSON, otherwise a plain string. */
  value: string;
}
export type ClaimsResult = { ok: true; claims: Claims } | { ok: false; error: string };

/**
 * Claims offered as suggestions, with an example value each: the standard OIDC claims (OIDC Core §5.1),
 * then the authorization attributes RFC 9068 §2.2.3.1 names for access tokens (groups, roles).
 */
export const STANDARD_CLAIMS: ReadonlyArray<{ name: string; example: JsonValue }> = [
  { name: 'name', example: 'Alice Example' },
  { name: 'given_name', example: 'Alice' },
  { name: 'family_name', example: 'Example' },
  { name: 'middle_name', example: 'Q' },
  { name: 'nickname', example: 'ali' },
  { name: 'preferred_username', example: 'alice' },
  { name: 'profile', example: 'https://example.com/alice' },
  { name: 'picture', example: 'https://example.com/alice.png' },
  { name: 'website', example: 'https://example.com' },
  { name: 'email', example: 'alice@example.com' },
  { name: 'email_verified', example: true },
  { name: 'gender', example: 'female' },
  { name: 'birthdate', example: '1990-01-31' },
  { name: 'zoneinfo', example: 'Europe/Paris' },
  { name: 'locale', example: 'en-US' },
  { name: 'phone_number', example: '+1 555 0100' },
  { name: 'phone_number_verified', example: false },
  { name: 'address', example: { street_address: '1 Main St', locality: 'Springfield', country: 'US' } },
  { name: 'updated_at', example: 1700000000 },
  { name: 'groups', example: ['admins'] },
  { name: 'roles', example: ['reader'] },
];

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The table cell text for a claim value. Strings are shown bare unless bare text would read back as
 * something else (the string "true" or "42"), in which case they keep their JSON quotes, so
 * table → value → table is lossless.
 */
export function cellText(value: JsonValue): string {
  if (typeof value === 'string') return parsesAsJson(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** A table cell back to a claim value: valid JSON becomes that JSON value, anything else a string. */
export function parseCell(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

export function claimsToRows(claims: Claims): ClaimRow[] {
  return Object.entries(claims).map(([name, value]) => ({ name, value: cellText(value) }));
}

function validate(claims: Record<string, unknown>): ClaimsResult {
  const parsed = ClaimsSchema.safeParse(claims);
  if (parsed.success) return { ok: true, claims: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `"${issue.path.map(String).join('.')}": ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'invalid claims'}` };
}

export function rowsToClaims(rows: readonly ClaimRow[]): ClaimsResult {
  const claims: Record<string, JsonValue> = {};
  for (const [index, row] of rows.entries()) {
    const name = row.name.trim();
    if (!name) {
      if (row.value.trim()) return { ok: false, error: `Claim ${index + 1} has a value but no name` };
      continue;
    }
    if (Object.hasOwn(claims, name)) return { ok: false, error: `Claim "${name}" appears twice` };
    claims[name] = parseCell(row.value);
  }
  return validate(claims);
}

export function formatClaimsJson(claims: Claims): string {
  return JSON.stringify(claims, null, 2);
}

/** Raw JSON text to claims, with a message fit to show under the textarea when it is not valid. */
export function parseClaimsJson(text: string): ClaimsResult {
  if (!text.trim()) return { ok: true, claims: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'Claims must be a JSON object, like {"email": "alice@example.com"}' };
  }
  return validate(value as Record<string, unknown>);
}
