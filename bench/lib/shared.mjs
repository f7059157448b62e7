// Values every part of the benchmark agrees on: the test user, the clients and the token values.
import { createHash } from 'node:crypto';

export const USER = {
  username: 'alice',
  sub: 'alice-sub',
  name: 'Alice Example',
  email: 'alice@example.test',
};
export const REDIRECT_URI = 'http://127.0.0.1:5173/callback';
export const API_SCOPE = 'api:read';

/** Confidential clients (client_secret_basic) shared by the engine and the peers. */
export const CLIENTS = {
  /** client_credentials, JWT access tokens. */
  jwt: { id: 'svc-jwt', secret: 'svc-jwt-secret-0123456789abcdefghijkl' },
  /** client_credentials, reference (opaque) access tokens; also introspects them. */
  ref: { id: 'svc-ref', secret: 'svc-ref-secret-0123456789abcdefghijkl' },
  /** authorization_code + refresh_token, scope openid api:read. */
  web: { id: 'web', secret: 'web-secret-0123456789abcdefghijklmnopq' },
  /** RFC 8693 token exchange of another client's access token (may impersonate), JWT access tokens. */
  exchange: { id: 'exchanger', secret: 'exchanger-secret-0123456789abcdefgh' },
  /** client_credentials with an RFC 9449 DPoP proof on every request, JWT access tokens. */
  dpop: { id: 'svc-dpop', secret: 'svc-dpop-secret-0123456789abcdefghi' },
};
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export const basicAuth = (client) =>
  `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;

/** A 32-bit integer hash (a bijection: distinct inputs give distinct outputs). */
function mix32(input) {
  let x = input | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const saltBases = new Map();
function saltBase(salt) {
  let base = saltBases.get(salt);
  if (base === undefined) {
    base = createHash('sha256').update(salt).digest().readUInt32LE(0);
    saltBases.set(salt, base);
  }
  return base;
}

/**
 * The value of the i-th pre-seeded reference token: 256 bits as base64url (43 characters), like the
 * engine's, derived from (salt, i) so the load generator can name any stored token without keeping a
 * million of them, and cheap enough to make a million in well under a second. Distinct for i < 2^29.
 */
export function seededTokenValue(salt, i) {
  const base = saltBase(salt);
  const buffer = Buffer.allocUnsafe(32);
  for (let k = 0; k < 8; k++) buffer.writeUInt32LE(mix32(base + i * 8 + k), k * 4);
  return buffer.toString('base64url');
}

/** Crockford's base32 in lower case, as main/core/lib/token-values.ts writes token ids. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const base32 = (value, chars) => {
  let text = '';
  for (let i = 0; i < chars; i++) {
    text = ID_ALPHABET[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
};
/** Seeded tokens count as issued from this instant on, one millisecond apart, before any real one. */
const SEEDED_FROM_MS = Date.UTC(2026, 0, 1);

/**
 * The i-th pre-seeded token in the engine's format (main/core/lib/token-values.ts): its id (milliseconds
 * as 10 base32 characters, then 80 bits as 16) and its value, the id followed by a 256-bit secret
 * (43 base64url characters), of which the engine stores only the hash. Derived from (salt, i) like
 * seededTokenValue.
 */
export function seededEngineToken(salt, i) {
  const bits = seededTokenValue(`id:${salt}`, i);
  const random = Buffer.from(bits, 'base64url');
  const id =
    base32(SEEDED_FROM_MS + i, 10) + base32(random.readUIntBE(0, 5), 8) + base32(random.readUIntBE(5, 5), 8);
  const secret = seededTokenValue(salt, i);
  return { id, secret, value: id + secret };
}

/** Same as main/core/lib/secrets.ts hashTokenValue: opaque values are stored only as this hash. */
export function hashTokenValue(value) {
  return createHash('sha256').update(value).digest('base64url');
}
