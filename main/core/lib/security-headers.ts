import type { FastifyReply } from 'fastify';

/** Headers for every response: nothing here is meant to be sniffed, framed or leak its URL. */
export const BASE_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface PageCspOptions {
  /**
   * Where a form on the page may end up besides the provider itself: browsers apply form-action to
   * the redirects that follow a form post (Chromium does), so a page whose form ends in a redirect to
   * the client names the origin of that redirect_uri, and nothing else.
   */
  formTarget?: string;
  /** A hash source that lets one known inline script run; without it no script runs at all. */
  scriptSource?: string;
  /** The one source that may frame the page; without it nobody may (clickjacking). */
  frameAncestor?: string;
}

/** A strict CSP for the provider's own HTML pages (login, errors). */
export function pageCsp({ formTarget, scriptSource, frameAncestor }: PageCspOptions = {}): string {
  const formAction = formTarget ? `'self' ${formTarget}` : "'self'";
  const script = scriptSource ? `; script-src ${scriptSource}` : '';
  return `default-src 'none'${script}; style-src 'unsafe-inline'; img-src 'self' data:; form-action ${formAction}; frame-ancestors ${frameAncestor ?? "'none'"}; base-uri 'none'`;
}

const PAGE_CSP = pageCsp();

/**
 * The CSP source expression that allows a redirect to `uri` and as little else as CSP can say: its
 * origin for http(s), its scheme for a private-use scheme (`com.example.app:`, RFC 8252 §7.1).
 * CSP host-sources cannot name an IPv6 literal, so `http://[::1]:3000` widens to the scheme `http:`.
 */
export function redirectSource(uri: string): string {
  const url = new URL(uri);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol;
  if (url.hostname.startsWith('[')) return url.protocol;
  return url.origin;
}

/** The admin UI's CSP: its own bundle only; Mantine needs inline style attributes. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export function sendHtml(reply: FastifyReply, status: number, html: string, csp = PAGE_CSP): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('cache-control', 'no-store')
    .send(html);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
