import type { IncomingMessage, ServerResponse } from 'node:http';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers';
import { OAuthError } from '../protocol/errors';
import type { PendingKey } from './pending-key';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** The part of http(s).Server the gate uses: its 'request' listeners. */
interface RequestEmitter {
  listeners(event: 'request'): unknown[];
  removeAllListeners(event: 'request'): unknown;
  removeListener(event: 'request', listener: RequestListener): unknown;
  on(event: 'request', listener: RequestListener): unknown;
}

/**
 * Holds the requests that need the start's signing key until it is ready, in front of everything the
 * server does (Fastify and the other issuers' dispatch): `passes` names those that need no key and go
 * on at once (discovery, health, the admin API, whose methods wait themselves: gateAdmin). Held requests
 * go on as soon as the key is installed; if it cannot be made, they and every later one get a 500
 * server_error naming the cause. Once the key is ready the server's own listeners are put back, so the
 * gate costs nothing after the start.
 */
export function holdRequestsForKey(
  server: RequestEmitter,
  key: PendingKey,
  passes: (url: string) => boolean,
): void {
  if (key.settled() && !key.failure()) return;
  const handlers = server.listeners('request') as RequestListener[];
  const forward: RequestListener = (request, response) => {
    for (const handler of handlers) handler.call(server, request, response);
  };
  const gate: RequestListener = (request, response) => {
    if (passes(request.url ?? '/')) return forward(request, response);
    const failure = key.failure();
    if (failure) return refuse(response, failure);
    if (key.settled()) return forward(request, response);
    key.ready.then(
      () => forward(request, response),
      (error: Error) => refuse(response, error),
    );
  };
  server.removeAllListeners('request');
  server.on('request', gate);
  key.ready.then(
    () => {
      server.removeListener('request', gate);
      for (const handler of handlers) server.on('request', handler);
    },
    () => undefined, // the gate stays, and refuses what needs the key
  );
}

/** RFC 6749 §5.2's shape, as the endpoints answer their own failures (server.ts). */
function refuse(response: ServerResponse, failure: Error): void {
  const body = JSON.stringify(
    new OAuthError(
      500,
      'server_error',
      `${failure.message} The provider has no signing key: restart it.`,
    ).toJSON(),
  );
  response.writeHead(500, {
    ...BASE_SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
