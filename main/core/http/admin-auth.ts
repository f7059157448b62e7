import type { FastifyRequest } from 'fastify';
import { randomToken, safeEqual } from '../lib/secrets';

/** Where the admin API answers (http/admin-routes.ts). */
export const ADMIN_PREFIX = '/admin/api';

/** Where browser mode serves the admin UI (http/ui-routes.ts, loaded only when a UI is served). */
export const UI_PREFIX = '/ui/';

export interface AdminSecrets {
  /** For scripts: `Authorization: Bearer <adminToken>`. Never reaches the UI. */
  adminToken: string;
  /**
   * For the browser-mode UI: printed in its URL, kept by the page in its tab's sessionStorage and sent
   * as `Authorization: Bearer <uiToken>`. Never in a cookie: browsers send a host's cookies to every
   * port of it, so any local listener the browser visits would receive it.
   */
  uiToken: string;
}

export function createAdminSecrets(adminToken?: string, uiToken?: string): AdminSecrets {
  return { adminToken: adminToken ?? randomToken(), uiToken: uiToken ?? randomToken() };
}

type AdminCaller = 'script' | 'ui';

/**
 * Who is calling: a script with the admin token, the browser UI with its UI token, or nobody. Only the
 * Authorization header counts, never a cookie: another site's page cannot set that header on a request
 * to the engine (it would need a CORS preflight the admin routes never grant).
 */
export function authenticateAdmin(request: FastifyRequest, secrets: AdminSecrets): AdminCaller | null {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !/^bearer /i.test(authorization)) return null;
  const given = authorization.slice(7).trim();
  if (safeEqual(given, secrets.adminToken)) return 'script';
  if (safeEqual(given, secrets.uiToken)) return 'ui';
  return null;
}
