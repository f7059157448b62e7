/**
 * Comparing two tokens member by member, the way a reader does: by name, not by position. Values are
 * equal when they are the same JSON (object members in any order), so a re-encoded but identical
 * claim is not flagged.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';

export type DiffKind = 'same' | 'changed' | 'added' | 'removed';

export interface DiffRow {
  name: string;
  kind: DiffKind;
  /** The first token's value; undefined when it lacks the member (added). */
  left: unknown;
  /** The second token's value; undefined when it lacks the member (removed). */
  right: unknown;
}

/** JSON with object members sorted, so that member order never counts as a difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, member]) => `${JSON.stringify(name)}:${canonical(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * One row per member of either object: the first object's members in their order, then those only the
 * second has, in its order. "added" and "removed" read from the first token to the second.
 */
export function diffMembers(left: Record<string, unknown>, right: Record<string, unknown>): DiffRow[] {
  const has = (object: Record<string, unknown>, name: string) => Object.hasOwn(object, name);
  const rows: DiffRow[] = Object.keys(left).map((name) => ({
    name,
    kind: !has(right, name) ? 'removed' : sameJson(left[name], right[name]) ? 'same' : 'changed',
    left: left[name],
    right: right[name],
  }));
  for (const name of Object.keys(right)) {
    if (!has(left, name)) rows.push({ name, kind: 'added', left: undefined, right: right[name] });
  }
  return rows;
}

/** "scope changed, tenant added, nonce removed" or "no differences": the rows' differences in words. */
export function describeDiff(rows: readonly DiffRow[]): string {
  const differences = rows.filter((row) => row.kind !== 'same');
  if (differences.length === 0) return 'no differences';
  return differences.map((row) => `${row.name} ${row.kind}`).join(', ');
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** A JWT's header and claims as they are written, unverified; null when the value is not a decodable JWT. */
export function decodeParts(token: string): DecodedJwt | null {
  try {
    return {
      header: decodeProtectedHeader(token) as Record<string, unknown>,
      payload: decodeJwt(token) as Record<string, unknown>,
    };
  } catch {
    return null;
  }
}
