import { z } from 'zod';
import { type TokenSort, TokenSortSchema } from './schemas';

/**
 * Keyset cursors of token lists. A cursor names the last row a page showed by the values its order
 * sorts on (the issue sequence; expiry, then the sequence), so the next page starts right after it
 * however many rows came or went since. For a list of every issuer it holds one position per issuer
 * (null: that issuer has nothing more).
 *
 * Opaque to API users (base64url of JSON), and built here, on both sides, so the UI can ask for what
 * came after the newest token it has from that token's own `seq`.
 */
const PositionSchema = z.strictObject({
  seq: z.number().int().min(0),
  /** Expiry (Unix seconds), for the expiry orders. */
  expires: z.number().int().optional(),
});
export type TokenPosition = z.infer<typeof PositionSchema>;

const CursorSchema = z.strictObject({
  sort: TokenSortSchema,
  at: z.union([PositionSchema, z.record(z.string(), PositionSchema.nullable())]),
});
export type TokenCursor = z.infer<typeof CursorSchema>;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(value: string): string {
  const binary = atob(value.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeTokenCursor(cursor: TokenCursor): string {
  return toBase64Url(JSON.stringify(cursor));
}

/** The cursor, or null when the value is not one this version wrote (the caller answers invalid_input). */
export function decodeTokenCursor(value: string): TokenCursor | null {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(fromBase64Url(value)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The cursor after which an issue-ordered list goes on from this token (one issuer's list). */
export function cursorAfter(sort: TokenSort, token: { seq: number; expires?: number }): string {
  return encodeTokenCursor({
    sort,
    at: token.expires === undefined ? { seq: token.seq } : { seq: token.seq, expires: token.expires },
  });
}
