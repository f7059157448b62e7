import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Where browser mode serves the admin UI (http/ui-routes.ts, loaded only when a UI is served). */
export const UI_PREFIX = '/ui/';
export const UI_SESSION_COOKIE = 'idp_sandbox_ui';
/** Browsers cannot add a custom header to a cross-site form post, so requiring one stops CSRF. */
export const UI_CSRF_HEADER = 'x-idp-sandbox-ui';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time comparison that also hides the length of the expected value. */
export function safeEqual(given: string, expected: string): boolean {
  // One-shot hashes: this runs on every client authentication, and a Hash object each was measurable.
  return timingSafeEqual(hash('sha256', given, 'buffer'), hash('sha256', expected, 'buffer'));
}

export interface AdminSecrets {
  /** For scripts: `Authorization: Bearer <adminToken>`. Never reaches the UI. */
  adminToken: string;
  /** Printed in the browser-mode URL and exchanged for the session cookie. */
  uiToken: string;
  /** Value of the HttpOnly session cookie the browser UI holds. */
  uiSession: string;
}

export function createAdminSecrets(adminToken?: string): AdminSecrets {
  return { adminToken: adminToken ?? randomSecret(), uiToken: randomSecret(), uiSession: randomSecret() };
}

export type AdminCaller = 'script' | 'ui';

/** Who is calling: a script with the bearer token, the browser UI with cookie + header, or nobody. */
export function authenticateAdmin(request: FastifyRequest, secrets: AdminSecrets): AdminCaller | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
    return safeEqual(authorization.slice(7).trim(), secrets.adminToken) ? 'script' : null;
  }
  const cookie = request.cookies[UI_SESSION_COOKIE];
  if (cookie && safeEqual(cookie, secrets.uiSession) && request.headers[UI_CSRF_HEADER] === '1') {
    return 'ui';
  }
  return null;
}

export function hasUiSession(request: FastifyRequest, secrets: AdminSecrets): boolean {
  const cookie = request.cookies[UI_SESSION_COOKIE];
  return cookie !== undefined && safeEqual(cookie, secrets.uiSession);
}
