/**
 * Per-client policies whose default depends on the client's other metadata, so the engine (which
 * stores the default) and the client form (which shows it before saving) must compute it alike.
 */

/**
 * An http loopback IP-literal URI split around its port: `http://127.0.0.1[:port]<rest>` or
 * `http://[::1][:port]<rest>`. Written out by hand rather than parsed with URL, because URL normalises
 * (dot segments, `\`, `127.1`, case) and a comparison must be of the strings registered and sent.
 * `localhost` is not one: RFC 8252 §7.3 gives port leeway to loopback IP literals, and §8.3 advises
 * against `localhost` — it is also what a browser app on a dev server registers.
 */
const LOOPBACK_IP_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/;

interface LoopbackIpUri {
  host: string;
  port: number | null;
  rest: string;
}

export function splitLoopbackIpUri(uri: string): LoopbackIpUri | null {
  const match = LOOPBACK_IP_URI.exec(uri);
  if (!match) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && port > 65535) return null;
  return { host: match[1] as string, port, rest: match[3] ?? '' };
}

/**
 * `allow_loopback_port_variance` when a client does not say: on for a public client (a native app,
 * RFC 8252 §8.4: it cannot keep a secret) that registers a loopback IP redirect, since such an app
 * listens on whatever port is free; off for everything else, which must send its redirect URI exactly
 * as registered (RFC 9700 §4.1.3).
 */
export function defaultLoopbackPortVariance(client: {
  token_endpoint_auth_method?: string;
  redirect_uris?: readonly string[];
}): boolean {
  return (
    client.token_endpoint_auth_method === 'none' &&
    (client.redirect_uris ?? []).some((uri) => splitLoopbackIpUri(uri) !== null)
  );
}
