/**
 * A listener on another loopback port, standing in for any local process a browser can be sent to:
 * the user's own dev server, a tool, malware. Browsers do not isolate cookies by port, so every
 * cookie the browser holds for the host is sent here on a visit; the tests replay what arrives.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StolenCookie {
  name: string;
  value: string;
}

export interface CookieThief {
  /** The listener's root, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  /** Every cookie received so far, by name (the latest value wins). */
  cookies(): StolenCookie[];
  /** One `Cookie` request header carrying every cookie received. */
  cookieHeader(): string;
  close(): Promise<void>;
}

function parseCookieHeader(header: string): StolenCookie[] {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => {
      const at = part.indexOf('=');
      return { name: part.slice(0, at), value: part.slice(at + 1) };
    });
}

/** Starts the listener on `host` (a loopback address) and a free port. */
export async function startCookieThief(host = '127.0.0.1'): Promise<CookieThief> {
  const received = new Map<string, string>();
  const server = http.createServer((request, response) => {
    for (const cookie of parseCookieHeader(request.headers.cookie ?? ''))
      received.set(cookie.name, cookie.value);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>another local app</title><p>another local app</p>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    cookies: () => [...received].map(([name, value]) => ({ name, value })),
    cookieHeader: () => [...received].map(([name, value]) => `${name}=${value}`).join('; '),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
