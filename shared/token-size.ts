/**
 * How big a token may get, and which common servers would refuse it. A bearer token travels in one
 * request header (`Authorization: Bearer <token>`), and most servers cap a header line or all headers
 * by default, so a user with many claims can get a token the provider issues fine but the user's own
 * gateway or service answers with 400 or 431. The provider itself accepts any token it can issue
 * (main/core/http/server.ts sizes its header limit from MAX_CLAIMS_BYTES).
 */

/** A user's claims, as JSON in UTF-8, are at most this big (checked when a user is saved or seeded). */
export const MAX_CLAIMS_BYTES = 128 * 1024;

interface HeaderLimit {
  server: string;
  /** Bytes the limited header line or block may have. */
  bytes: number;
  /** The default that sets it, and what to change. */
  setting: string;
}

/** Default limits of servers a token is commonly sent to, smallest first. */
const HEADER_LIMITS: readonly HeaderLimit[] = [
  { server: 'Apache httpd', bytes: 8190, setting: 'LimitRequestFieldSize 8190 (one header line)' },
  { server: 'nginx', bytes: 8192, setting: 'large_client_header_buffers 4 8k (one header line)' },
  {
    server: 'Tomcat / Spring Boot',
    bytes: 8192,
    setting: 'server.max-http-request-header-size 8KB (all headers)',
  },
  { server: 'Node.js', bytes: 16384, setting: '--max-http-header-size 16384 (all headers)' },
  {
    server: 'Kestrel (ASP.NET Core)',
    bytes: 32768,
    setting: 'MaxRequestHeadersTotalSize 32 KB (all headers)',
  },
];

/** The length of the header a token is sent in: `Authorization: Bearer <token>` plus CRLF. */
export function bearerHeaderBytes(token: string): number {
  return 'Authorization: Bearer '.length + new TextEncoder().encode(token).length + 2;
}

/**
 * About how big the bearer header of a signed JWT with these claims would be, before it exists (the
 * Users page's claims preview): the payload's base64url length plus a typical header (alg, kid, typ)
 * and an RS256 signature, the largest of the algorithms offered.
 */
export function estimatedBearerHeaderBytes(claims: unknown): number {
  const base64url = (bytes: number) => Math.ceil((bytes * 4) / 3);
  const header = base64url(90);
  const signature = base64url(256);
  return 'Authorization: Bearer '.length + header + 1 + base64url(claimsBytes(claims)) + 1 + signature + 2;
}

/** The servers whose default limit a bearer header of this many bytes goes over. */
export function exceededHeaderLimits(headerBytes: number): HeaderLimit[] {
  return HEADER_LIMITS.filter((limit) => headerBytes > limit.bytes);
}

/** The byte size of claims as stored and signed (JSON, UTF-8). */
export function claimsBytes(claims: unknown): number {
  return new TextEncoder().encode(JSON.stringify(claims)).length;
}
