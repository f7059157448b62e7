import { expect } from 'vitest';
import { issuer } from './file-engine';

/** The userinfo endpoint (RFC 6750 bearer requests) of the file's engine (file-engine.ts). */

export async function userinfo(
  token: string | null,
  init: { method?: string; body?: string; query?: string } = {},
) {
  const response = await fetch(`${issuer}/userinfo${init.query ?? ''}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
}

/** RFC 6750 §3: status, `error` in the body and the same error in WWW-Authenticate: Bearer. */
export function expectBearerError(
  response: Awaited<ReturnType<typeof userinfo>>,
  status: number,
  error: string,
) {
  expect({ status: response.status, error: response.json?.error }).toEqual({ status, error });
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain(`error="${error}"`);
  expect(response.headers.get('cache-control')).toBe('no-store');
}
