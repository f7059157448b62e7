import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../lib/secrets';
import type { ProviderContext } from '../provider/context';

/** How long a page that waits for the user (sign-in, sign-out confirmation) stays valid. */
export const BINDING_TTL_MS = 10 * 60 * 1000;

/** Cookies are Secure over https (serve --https), so they never travel over plain http to the host. */
export function secureCookies(ctx: ProviderContext): boolean {
  return ctx.issuer().startsWith('https:');
}

/**
 * Ties a page the provider showed to the browser it showed it to: an HttpOnly SameSite=Lax cookie
 * named after the page's id. A form posted to the provider from another site comes without it
 * (Lax cookies are not sent on cross-site POSTs), so such a post is refused as CSRF.
 */
export function setBindingCookie(
  ctx: ProviderContext,
  reply: FastifyReply,
  cookiePrefix: string,
  id: string,
  binding: string,
): void {
  reply.setCookie(`${cookiePrefix}_${id}`, binding, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(ctx),
    maxAge: BINDING_TTL_MS / 1000,
  });
}

export function bindingMatches(
  request: FastifyRequest,
  cookiePrefix: string,
  id: string,
  expected: string,
): boolean {
  const binding = request.cookies[`${cookiePrefix}_${id}`];
  return binding !== undefined && safeEqual(binding, expected);
}

export function clearBindingCookie(reply: FastifyReply, cookiePrefix: string, id: string): void {
  reply.clearCookie(`${cookiePrefix}_${id}`, { path: '/' });
}
