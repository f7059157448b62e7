import { splitLoopbackIpUri } from '../../../shared/client-policies';

interface RedirectPolicy {
  redirect_uris: readonly string[];
  /** RFC 8252 §7.3 for this client: any port on its registered loopback IP redirect URIs. */
  allow_loopback_port_variance: boolean;
}

/**
 * Exact redirect URI matching (RFC 9700 §4.1.3: simple string comparison). The one exception, RFC 8252
 * §7.3, is for clients that allow it (native apps): on a registered http loopback IP URI any port may
 * be sent. Everything else — host spelling, path, query, trailing slash — must be character for
 * character the same. Without the exception, a web page listening on another loopback port could have
 * the browser sent to it with a code for a client that never runs there.
 */
export function matchRedirectUri(client: RedirectPolicy, requested: string): boolean {
  if (client.redirect_uris.includes(requested)) return true;
  return client.allow_loopback_port_variance && differsOnlyByLoopbackPort(client.redirect_uris, requested);
}

function differsOnlyByLoopbackPort(registeredUris: readonly string[], requested: string): boolean {
  const asked = splitLoopbackIpUri(requested);
  if (!asked) return false;
  return registeredUris.some((candidate) => {
    const registered = splitLoopbackIpUri(candidate);
    return registered !== null && registered.host === asked.host && registered.rest === asked.rest;
  });
}

/** Why matchRedirectUri refused: shown on the error page, so a developer knows which setting to look at. */
export function redirectMismatchMessage(
  client: RedirectPolicy & { client_id: string },
  requested: string,
): string {
  const message = `redirect_uri "${requested}" is not registered for client "${client.client_id}". Registered: ${client.redirect_uris.join(', ') || 'none'}.`;
  if (client.allow_loopback_port_variance || !differsOnlyByLoopbackPort(client.redirect_uris, requested)) {
    return message;
  }
  return `${message} Only the port differs, and this client does not allow loopback port variance (allow_loopback_port_variance, RFC 8252 §7.3: for native apps).`;
}
