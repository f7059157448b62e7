import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from '../../../helpers/engine';

const HERE = import.meta.dirname;
const OIDC_CLIENT_TS_BUNDLE = path.join(
  ROOT,
  'node_modules',
  'oidc-client-ts',
  'dist',
  'browser',
  'oidc-client-ts.min.js',
);

/** The plain SPA (index.html + app.js) on oidc-client-ts's browser bundle; the settings file comes later. */
export function startPlainSpa(): Promise<SpaServer> {
  return startSpaServer(fs.readFileSync(path.join(HERE, 'index.html'), 'utf8'), {
    'app.js': fs.readFileSync(path.join(HERE, 'app.js'), 'utf8'),
    'oidc-client-ts.min.js': fs.readFileSync(OIDC_CLIENT_TS_BUNDLE, 'utf8'),
  });
}

/** The page a Vite React app has: a root element and its bundle, served later as main.js. */
export function startReactSpa(): Promise<SpaServer> {
  return startSpaServer(fs.readFileSync(path.join(HERE, 'react.html'), 'utf8'));
}

/**
 * An SPA's static server on its own origin, like a Vite dev server: any page path answers the index
 * page, other paths the files served.
 */
export interface SpaServer {
  origin: string;
  /** Serves `content` at `/<name>`, e.g. the recipe's settings file once the provider is known. */
  serveFile(name: string, content: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export async function startSpaServer(
  indexHtml: string,
  initialFiles: Record<string, string> = {},
): Promise<SpaServer> {
  const files = new Map(Object.entries(initialFiles).map(([name, content]) => [`/${name}`, content]));
  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://spa.invalid');
    const extension = path.extname(pathname);
    const body = extension ? files.get(pathname) : indexHtml;
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response
      .writeHead(200, {
        'content-type': TYPES[extension || '.html'] ?? 'text/plain',
        'cache-control': 'no-store',
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serveFile(name, content) {
      files.set(`/${name}`, content);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
