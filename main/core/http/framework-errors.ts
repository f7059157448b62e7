import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers';
import { OAuthError } from '../protocol/errors';
import { ADMIN_PREFIX } from './admin-auth';
import { allowedHosts, hostRefusal } from './host-check';

/**
 * The body shape of an error answer: RFC 6749 §5.2's `{ error, error_description }` (every endpoint but
 * the admin API) or the admin API's `{ code, message }`.
 */
export type Envelope = 'oauth' | 'admin';

/**
 * What a route group sets in its routes' `config` to declare its envelope; unset is 'oauth'. Not added to
 * Fastify's FastifyContextConfig: a non-empty one would refuse the `cors` key cors.ts sets the same way.
 */
export interface EnvelopeConfig {
  envelope?: Envelope;
}

/**
 * The one place that decides which envelope an error answer gets. A routed request takes what its route
 * declared. An unmatched URL (404) or one Fastify refuses while routing (`/admin/api/%zz`) has no route,
 * so the URL is all there is to go by. The admin plugin's own not-found handler cannot take that part:
 * it would run the admin token check first, answering 401 where an unknown admin route answers 404.
 */
export function envelopeFor(request: FastifyRequest): Envelope {
  if (!request.is404) return (request.routeOptions.config as EnvelopeConfig).envelope ?? 'oauth';
  return request.url.startsWith(ADMIN_PREFIX) ? 'admin' : 'oauth';
}

/**
 * What Fastify refuses before any route or hook runs gets the provider's own answers here. Without
 * this, such requests skip the Host check and the security headers and answer in Fastify's shape.
 */

const CLIENT_ERRORS: Record<number, string> = {
  400: 'The HTTP request is malformed.',
  408: 'The HTTP request took too long to arrive.',
  431: 'The HTTP request headers are too large.',
};

/** Malformed HTTP on the socket (Node's `clientError`): an OAuth-shaped error, then the connection closes. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(
    new OAuthError(status, 'invalid_request', CLIENT_ERRORS[status] ?? '').toJSON(),
  );
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
    ...BASE_SECURITY_HEADERS,
  };
  if (socket.writable) {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * An undecodable (`%zz`) or over-long route parameter, found while routing (only `/admin/api/:method`
 * has one). The Host check comes first, as it does for every routed request.
 */
export function frameworkErrorHandler(issuer: () => string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    reply.headers(BASE_SECURITY_HEADERS).header('cache-control', 'no-store');
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts(issuer()).has(host)) {
      reply.code(421).send(hostRefusal(issuer(), host));
      return;
    }
    if (envelopeFor(request) === 'admin') {
      reply.code(404).send({ code: 'unknown_method', message: `No admin method at ${request.url}.` });
      return;
    }
    reply.code(400).send(new OAuthError(400, 'invalid_request', error.message).toJSON());
  };
}
