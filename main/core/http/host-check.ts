import { OAuthError } from '../protocol/errors';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The Host values the server answers to. A page on some other name that resolves to 127.0.0.1
 * (DNS rebinding) sends its own name as Host and is refused. When the issuer is on a loopback name,
 * the other loopback names are accepted too, since only this machine can reach them.
 */
export function allowedHosts(issuer: string): ReadonlySet<string> {
  // Asked on every request, for issuers that change only when one is made, renamed or the engine starts.
  // Each issuer keeps its own entry: with a single last-asked one, requests alternating between two
  // issuers parsed an issuer URL every time.
  if (issuer === last.issuer) return last.hosts;
  let hosts = hostsByIssuer.get(issuer);
  if (hosts === undefined) {
    if (hostsByIssuer.size >= MAX_CACHED_ISSUERS) hostsByIssuer.clear();
    hosts = hostsFor(issuer);
    hostsByIssuer.set(issuer, hosts);
  }
  last = { issuer, hosts };
  return hosts;
}

let last: { issuer: string; hosts: ReadonlySet<string> } = { issuer: '', hosts: new Set() };

/** Far more issuers than a workspace has at once; past it the cache starts over (old names pile up). */
const MAX_CACHED_ISSUERS = 64;
const hostsByIssuer = new Map<string, Set<string>>();

function hostsFor(issuer: string): Set<string> {
  const url = new URL(issuer);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hosts = new Set<string>([url.host.toLowerCase()]);
  if (LOOPBACK_NAMES.has(url.hostname.toLowerCase())) {
    for (const name of LOOPBACK_NAMES) hosts.add(`${name}:${port}`);
  }
  // A client may spell out the default port.
  if (!url.port) hosts.add(`${url.hostname.toLowerCase()}:${port}`);
  return hosts;
}

/** The 421 answer for a request to a Host this provider does not serve. */
export function hostRefusal(issuer: string, host: string): ReturnType<OAuthError['toJSON']> {
  return new OAuthError(
    421,
    'invalid_request',
    `Host "${host}" is not this provider's host; use ${new URL(issuer).host}.`,
  ).toJSON();
}
