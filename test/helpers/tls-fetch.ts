import https from 'node:https';

type FetchInit = ConstructorParameters<typeof Request>[1];

/**
 * A fetch that trusts only `ca` (PEM), as a client configured with the provider's local CA does. Node's
 * global fetch cannot be given a CA without undici's Agent, which is not a dependency here; openid-client
 * and jose accept this as their customFetch. `servername` checks the certificate for another name than
 * the URL's (an issuer host reached on 127.0.0.1).
 */
export function fetchTrusting(ca: string, servername?: string) {
  return async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    // A Request serialises any body fetch accepts and adds its content-type, as fetch would.
    const request = new Request(input, { ...init, redirect: 'manual' });
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers = Object.fromEntries(request.headers.entries());
    return new Promise((resolve, reject) => {
      const outgoing = https.request(
        input,
        { method: request.method, headers, ca, ...(servername ? { servername } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              for (const one of [value ?? []].flat()) responseHeaders.append(name, one);
            }
            const status = response.statusCode ?? 0;
            const noBody = status === 204 || status === 304 || request.method === 'HEAD';
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }),
            );
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}
