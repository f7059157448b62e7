import { expect } from 'vitest';
import type { EngineEvent } from '../../shared/schemas';
import { FormBrowser } from './browser-session';
import { engine } from './file-engine';
import { pkcePair, REDIRECT } from './oauth-http';

/**
 * Requests to the authorization endpoint of the file's engine (file-engine.ts) and the checks of its
 * answers, shared by authorize-endpoint-*.test.ts and login-page.test.ts.
 */

/** A well-formed PKCE challenge, for requests that never get as far as a code. */
export const { challenge } = pkcePair();
/** A valid authorization request of `web`, for a test to change one parameter of. */
export const VALID = {
  client_id: 'web',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid',
  state: 'st',
};

export function authorizeUrl(params: Record<string, string> | string): string {
  return `${engine.issuer}/authorize?${typeof params === 'string' ? params : new URLSearchParams(params)}`;
}

/** GET /authorize as `browser` would (its cookies kept), with the answer's body read. */
export async function get(params: Record<string, string> | string, browser = new FormBrowser()) {
  const response = await browser.get(authorizeUrl(params));
  return { response, text: await response.text() };
}

/** An error the provider must show as its own page: 400 HTML, no redirect anywhere. */
export async function expectErrorPage(response: Response, text: string, mentions: string) {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(text).toContain(mentions);
}

/** An error sent back to the client (RFC 6749 §4.1.2.1): a 303 to the registered URI with error and state. */
export function expectRedirectError(response: Response, error: string, state: string | null = VALID.state) {
  expect(response.status).toBe(303);
  const location = response.headers.get('location') as string;
  expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
  const params = new URL(location).searchParams;
  expect(params.get('error')).toBe(error);
  expect(params.get('state')).toBe(state);
  expect(params.get('iss')).toBe(engine.issuer);
  expect(params.get('code')).toBeNull();
  return params;
}

/** The successful sign-ins the engine recorded. */
export async function loginEvents(): Promise<EngineEvent[]> {
  return (await engine.call('events.list', { type: 'login', limit: 5000 })) as EngineEvent[];
}
