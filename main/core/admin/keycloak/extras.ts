import { isDeepStrictEqual } from 'node:util';

/** Equality of JSON values, object key order aside: how the export decides what Keycloak cannot carry. */
export const sameJson = isDeepStrictEqual;

/** Sets compare without order: Keycloak's flow switches give grant types in no particular order. */
export function sameSet(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v);
  return sameJson(sorted(a), sorted(b));
}

/**
 * The fields of `original` that `native` (what Keycloak's own fields give back) does not reproduce:
 * they travel in an idp-sandbox.* attribute so the way back loses nothing.
 */
export function extrasOf<T extends object>(
  original: T,
  native: Partial<T>,
  compare: Partial<Record<keyof T, (a: unknown, b: unknown) => boolean>> = {},
): Partial<T> {
  const extras: Partial<T> = {};
  for (const key of Object.keys(original) as (keyof T)[]) {
    const equal = compare[key] ?? sameJson;
    if (!equal(original[key], native[key])) extras[key] = original[key];
  }
  return extras;
}

/** Parses an idp-sandbox.* attribute: an object, or null with the reason. */
export function parseExtras(
  text: string | null | undefined,
): { value: Record<string, unknown> } | { error: string } | null {
  if (text === undefined || text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return { value: value as Record<string, unknown> };
    return { error: 'not a JSON object' };
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
}
