import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentBody, issuerDocuments } from '../oauth/discovery';
import type { ProviderContext } from '../provider/context';
import type { IssuerShape } from '../provider/profiles';
import { allowedHosts } from './host-check';

/** Answers a request itself and says so, or leaves it (false) to the issuer's app. */
export type StaticAnswer = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The discovery documents and the JWK set of an issuer answered by the server's dispatch (server.ts),
 * before Fastify: their memoised bytes and headers (oauth/discovery.ts issuerDocuments) written as they
 * are. Relying parties read them constantly, and Fastify's routing and the hooks every request of an
 * issuer passes (Host check, cookies, CORS, faults, request log), each with nothing to do for these,
 * were most of what serving them cost. The answer is the one the routes give, byte for byte, headers
 * included; anything else goes to the app as before: another method (HEAD, an OPTIONS preflight),
 * another Host (the app answers 421), an active fault (the QA lab changes or delays these documents),
 * or a server that is closing (Fastify's 503).
 */
export function staticDocuments(ctx: ProviderContext, closing: () => boolean): StaticAnswer {
  const documents = issuerDocuments(ctx);
  let shape: IssuerShape | null = null;
  let byPath = new Map<string, () => DocumentBody>();
  return (request, response) => {
    if (request.method !== 'GET' || ctx.faults.size !== 0) return false;
    // The paths follow the issuer's shape (its profile), which changes only by an admin call.
    if (ctx.shape !== shape) {
      shape = ctx.shape;
      byPath = new Map<string, () => DocumentBody>([[ctx.paths.jwks, documents.jwks]]);
      for (const path of ctx.paths.discovery) byPath.set(path, documents.discovery);
    }
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const document = byPath.get(query < 0 ? url : url.slice(0, query));
    if (document === undefined || closing()) return false;
    if (!allowedHosts(ctx.issuer()).has((request.headers.host ?? '').toLowerCase())) return false;
    const { bytes, headers } = document();
    response.writeHead(200, headers);
    response.end(bytes);
    return true;
  };
}
