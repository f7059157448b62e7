import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the microservice behind the gateway received. */
export interface Echo {
  method: string;
  path: string;
  /** Request headers, names in lower case as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
}

export interface EchoBackend {
  origin: string;
  /** Every request that reached the microservice, oldest first. */
  received: Echo[];
  close(): Promise<void>;
}

/** The microservice: answers every request with the request line and headers it received, as JSON. */
export async function startEchoBackend(): Promise<EchoBackend> {
  const received: Echo[] = [];
  const server = http.createServer((request, response) => {
    const echo: Echo = { method: request.method ?? '', path: request.url ?? '', headers: request.headers };
    received.push(echo);
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(echo));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
