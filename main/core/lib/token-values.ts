import { hashTokenValue, randomBytesFromPool, randomToken } from './secrets';

/**
 * Crockford's base32 in lower case. Its characters sort (byte-wise, as SQLite compares text) in the
 * order of the values they encode, so ids made later sort later.
 */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10; // 50 bits: milliseconds until the year 10889
const RANDOM_CHARS = 16; // 80 bits
export const TOKEN_ID_LENGTH = TIME_CHARS + RANDOM_CHARS;
const TOKEN_ID_PATTERN = new RegExp(`^[${ID_ALPHABET}]{${TOKEN_ID_LENGTH}}$`);

/** `chars` base32 characters of `value` (an integer below 2^53), most significant first. */
function base32(value: number, chars: number): string {
  let text = '';
  for (let i = 0; i < chars; i++) {
    text = (ID_ALPHABET[value % 32] as string) + text;
    value = Math.floor(value / 32);
  }
  return text;
}

/**
 * A token id (also the JWT's `jti`): the issue time in milliseconds, then 80 random bits, like a ULID.
 * Ids made in time order are appended at the end of the tokens table's indexes instead of landing on a
 * random page of each: with random ids, the index updates were most of the cost of storing a token.
 */
export function tokenId(nowMs: number): string {
  const { bytes, offset } = randomBytesFromPool(10);
  // Two 40-bit halves: each is exact in a double and is eight base32 characters.
  const high = bytes.readUIntBE(offset, 5);
  const low = bytes.readUIntBE(offset + 5, 5);
  return base32(nowMs, TIME_CHARS) + base32(high, 8) + base32(low, 8);
}

export function isTokenId(text: string): boolean {
  return TOKEN_ID_PATTERN.test(text);
}

/**
 * Opaque token values (reference access tokens, refresh tokens) are the token's id followed by a
 * 256-bit secret. The store finds the token by the id and then checks the hash of the secret, so no
 * index has to be kept on a random hash. Only the hash of the secret is stored.
 */
export function opaqueValue(id: string): { value: string; secretHash: string } {
  const secret = randomToken();
  return { value: id + secret, secretHash: hashTokenValue(secret) };
}

export const OPAQUE_VALUE_LENGTH = TOKEN_ID_LENGTH + 43;

/**
 * A readable, unsigned JWT-shaped envelope around an opaque value (`header.payload.value`): what a
 * Keycloak-profile issuer answers as its refresh token, because keycloak-js decodes (never verifies)
 * the refresh token's payload. Only the value in it counts; nothing may trust the payload.
 */
export function envelopeOpaqueValue(value: string, payload: Record<string, unknown>): string {
  const part = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.${value}`;
}

/** The id and secret of a value in the format above (or in its envelope), or null for anything else. */
export function splitOpaqueValue(enveloped: string): { id: string; secret: string } | null {
  // Most values have no dot: indexOf is a fast builtin, lastIndexOf a call into the runtime.
  const dot = enveloped.indexOf('.') < 0 ? -1 : enveloped.lastIndexOf('.');
  const value = dot < 0 ? enveloped : enveloped.slice(dot + 1);
  if (value.length !== OPAQUE_VALUE_LENGTH) return null;
  const id = value.slice(0, TOKEN_ID_LENGTH);
  return isTokenId(id) ? { id, secret: value.slice(TOKEN_ID_LENGTH) } : null;
}
