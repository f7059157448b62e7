const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Exact redirect URI matching (RFC 9700 §4.1.3), with the one RFC 8252 §7.3 exception: for a
 * registered http loopback URI, a native app may use any port.
 */
export function matchRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  return registered.some((candidate) => {
    let reg: URL;
    try {
      reg = new URL(candidate);
    } catch {
      return false;
    }
    if (reg.protocol !== 'http:' || reg.hostname !== url.hostname) return false;
    reg.port = url.port;
    return reg.href === url.href;
  });
}
