import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ICON_DATA_URI } from '../../../shared/icon';
import { type AdminSecrets, hasUiSession, safeEqual, UI_PREFIX, UI_SESSION_COOKIE } from './admin-auth';
import { escapeHtml, sendHtml, UI_CSP } from './security-headers';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="icon" href="${escapeHtml(ICON_DATA_URI)}"></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5"><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>`;
}

/**
 * Browser mode: serves the built renderer under /ui/. The token in the printed URL is exchanged once
 * per browser for an HttpOnly, SameSite=Strict session cookie and dropped from the address bar, the
 * way Jupyter does it; without that cookie nothing under /ui/ is served.
 */
export function registerUiRoutes(app: FastifyInstance, uiDir: string, secrets: AdminSecrets): void {
  const indexFile = path.join(uiDir, 'index.html');

  app.get('/ui', async (_request, reply) => reply.redirect(UI_PREFIX, 303));

  app.register(
    async (ui) => {
      ui.addHook('onRequest', async (request, reply) => {
        const url = new URL(request.url, 'http://placeholder');
        const token = url.searchParams.get('token');
        if (token !== null) {
          if (!safeEqual(token, secrets.uiToken)) {
            return sendHtml(
              reply,
              401,
              page(
                'Link expired',
                'This UI link is not valid for the running engine. Open the URL it printed at start.',
              ),
            );
          }
          url.searchParams.delete('token');
          reply.setCookie(UI_SESSION_COOKIE, secrets.uiSession, {
            path: '/',
            httpOnly: true,
            sameSite: 'strict',
            secure: request.protocol === 'https',
          });
          return reply.redirect(url.pathname + url.search, 303);
        }
        if (!hasUiSession(request, secrets)) {
          return sendHtml(
            reply,
            401,
            page(
              'Sign-in link needed',
              'Open the full URL the engine printed at start (it ends in <code>?token=…</code>). It signs this browser in to the admin UI.',
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
      await ui.register(fastifyStatic, { root: uiDir, prefix: '/', index: ['index.html'], wildcard: true });
    },
    { prefix: UI_PREFIX },
  );
}
