import type { ClientJwks } from '../../../shared/schemas';

/**
 * Reads the public keys pasted into the client form: a JWK Set, or a single JWK (wrapped into a set, as
 * people often paste just the key). Only the JSON is checked here; ClientInputSchema checks the keys.
 */
export function parseJwksText(text: string): { jwks: ClientJwks } | { error: string } {
  if (!text.trim()) return { error: 'Public keys (JWKS): paste a JWK Set, {"keys": [...]}' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `Public keys (JWKS): not valid JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'Public keys (JWKS): expected a JSON object, {"keys": [...]}' };
  }
  const jwks = 'keys' in parsed ? parsed : { keys: [parsed] };
  return { jwks: jwks as ClientJwks };
}
