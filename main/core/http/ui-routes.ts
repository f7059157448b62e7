import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HTTP_UI_TOKEN_PARAM } from '../../../shared/contract-constants';
import { ICON_DATA_URI } from '../../../shared/icon';
import { safeEqual } from '../lib/secrets';
import { escapeHtml, sendHtml, UI_CSP } from '../lib/security-headers';
import { type AdminSecrets, UI_PREFIX } from './admin-auth';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="icon" href="${escapeHtml(ICON_DATA_URI)}"></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5"><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

/**
 * Browser mode: serves the built renderer under /ui/, to anyone: its files are the same public build
 * the desktop app ships and hold no data. The credential is the UI token of the printed URL, which the
 * page itself moves into its tab's sessionStorage (and out of the address bar) and sends as a header on
 * every admin call; a page load cannot carry a header, and a cookie would reach every local port.
 */
export function registerUiRoutes(app: FastifyInstance, uiDir: string, secrets: AdminSecrets): void {
  const indexFile = path.join(uiDir, 'index.html');

  app.get('/ui', async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(`${UI_PREFIX}${query >= 0 ? request.url.slice(query) : ''}`, 303);
  });

  app.register(
    async (ui) => {
      ui.addHook('onRequest', async (request, reply) => {
        const token = new URL(request.url, 'http://placeholder').searchParams.get(HTTP_UI_TOKEN_PARAM);
        // Said here rather than by the page's first refused call: a link from an earlier start is the
        // common mistake.
        if (token !== null && !safeEqual(token, secrets.uiToken)) {
          return sendHtml(
            reply,
            401,
            page(
              'Link expired',
              'This UI link is not valid for the running engine. Open the URL it printed at start.',
            ),
          );
        }
        reply.header('content-security-policy', UI_CSP);
        reply.header('cache-control', 'no-store');
      });

      if (!fs.existsSync(indexFile)) {
        ui.get('/*', async (_request, reply) =>
          sendHtml(
            reply,
            503,
            page('UI not built', `No UI build at ${escapeHtml(uiDir)}. Run <code>npm run build</code>.`),
          ),
        );
        return;
      }
      // cacheControl off: its default ("public, max-age=0") would replace the no-store set above.
      await ui.register(fastifyStatic, {
        root: uiDir,
        prefix: '/',
        index: ['index.html'],
        wildcard: true,
        cacheControl: false,
      });
    },
    { prefix: UI_PREFIX },
  );
}
