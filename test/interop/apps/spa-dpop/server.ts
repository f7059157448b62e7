import fs from 'node:fs';
import path from 'node:path';
import { bundleRecipe } from '../spa/bundle';
import { type SpaServer, startSpaServer } from '../spa/server';

const HERE = import.meta.dirname;

/**
 * The DPoP SPA (index.html + app.js on oauth4webapi), bundled as Vite would build it for production;
 * its config.json (issuer, client, redirect URI) is served once the provider is known.
 */
export async function startDpopSpa(): Promise<SpaServer> {
  const app = fs.readFileSync(path.join(HERE, 'app.js'), 'utf8');
  return startSpaServer(fs.readFileSync(path.join(HERE, 'index.html'), 'utf8'), {
    'app.js': await bundleRecipe([{ name: 'app.js', language: 'javascript', content: app }], 'app.js'),
  });
}
