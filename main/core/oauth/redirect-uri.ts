/**
 * An http loopback URI split around its port: `http://<host>[:port]<rest>`. Written out by hand rather
 * than parsed with URL, because URL normalises (dot segments, `\`, `127.1`, case) and the comparison
 * must be of the strings the client registered and sent.
 */
const LOOPBACK_URI = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?([/?][^#]*)?$/;

function splitLoopback(uri: string): { host: string; port: number | null; rest: string } | null {
  const match = LOOPBACK_URI.exec(uri);
  if (!match) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && port > 65535) return null;
  return { host: match[1] as string, port, rest: match[3] ?? '' };
}

/**
 * Exact redirect URI matching (RFC 9700 §4.1.3: simple string comparison), with the one RFC 8252
 * §7.3 exception: for a registered http loopback URI, a native app may use any port. Everything
 * else — host spelling, path, query, trailing slash — must be character for character the same.
 */
export function matchRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = splitLoopback(requested);
  if (!asked) return false;
  return registered.some((candidate) => {
    const reg = splitLoopback(candidate);
    return reg !== null && reg.host === asked.host && reg.rest === asked.rest;
  });
}
