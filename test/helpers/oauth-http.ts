import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { expect } from 'vitest';
import type { Engine } from '../../main/core/engine';
import type { Token } from '../../shared/schemas';
import { FormBrowser } from './browser-session';

/**
 * An OAuth client's side of the engine, over real HTTP: raw requests (so a test controls every byte,
 * header and the Host), the authorization code flow through the real login form, the token,
 * introspection and revocation calls a client makes, and what the engine recorded of the tokens.
 */

export const REDIRECT = 'http://127.0.0.1:5173/callback';
export const REGISTERED_ORIGIN = 'http://127.0.0.1:5173';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method?: string;
  /** Path and query, sent as given (percent-encode what must be). */
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send the body in this many chunks with Transfer-Encoding: chunked (no Content-Length). */
  chunks?: number;
}

/**
 * One request over node:http, which, unlike fetch, lets a test set Host and send any bytes. Resolves
 * when the response has been read; a server that answers early and closes (413) is not an error.
 */
export function rawRequest(issuer: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(issuer);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method ?? 'GET',
        path: request.path,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const body = request.body;
    if (body === undefined) {
      req.end();
    } else if (request.chunks) {
      const buffer = Buffer.from(body);
      const size = Math.ceil(buffer.length / request.chunks);
      for (let offset = 0; offset < buffer.length; offset += size) {
        req.write(buffer.subarray(offset, offset + size));
      }
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** RFC 6749 §2.3.1 Basic credentials (each part form-urlencoded first). */
export function basic(clientId: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64')}`;
}

/** Basic authentication of `web`, the client that obtainCode and redeem use unless told otherwise. */
export const WEB = { authorization: basic('web', 'web-secret') };

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are read field by field
  json: any;
  text: string;
}

/** POSTs a form (or a raw body) to an endpoint and reads the JSON answer, if any. */
export async function postForm(
  issuer: string,
  path: string,
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${issuer}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** The token endpoint; every answer, success or error, must forbid caching (RFC 6749 §5.1, §5.2). */
export async function tokenRequest(
  issuer: string,
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await postForm(issuer, '/token', fields, headers);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return response;
}

/** Asserts an RFC 6749 §5.2 error: exact status and `error`, a JSON body with a description. */
export function expectOAuthError(response: JsonResponse, status: number, error: string): void {
  expect({ status: response.status, error: response.json?.error }).toEqual({ status, error });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(typeof response.json.error_description).toBe('string');
}

/** Introspection as the confidential client `api` (client_secret_basic). */
export async function introspect(
  issuer: string,
  token: string,
  extra: Record<string, string> = {},
): Promise<JsonResponse> {
  return postForm(issuer, '/introspect', { token, ...extra }, { authorization: basic('api', 'api-secret') });
}

/** Introspection of a token that must be inactive: the body is exactly {"active":false}. */
export async function expectInactive(issuer: string, token: string): Promise<void> {
  const response = await introspect(issuer, token);
  expect(response.status).toBe(200);
  expect(response.text).toBe('{"active":false}');
}

export async function expectActive(issuer: string, token: string): Promise<void> {
  const response = await introspect(issuer, token);
  expect(response.status).toBe(200);
  expect(response.json.active).toBe(true);
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface CodeResult {
  code: string;
  verifier: string | undefined;
  redirectUri: string;
  callback: URL;
  browser: FormBrowser;
}

/** Runs the authorization request through the real login form and returns the code from the callback. */
export async function obtainCode(
  issuer: string,
  options: {
    clientId?: string;
    redirectUri?: string;
    scope?: string;
    pkce?: boolean;
    username?: string;
    password?: string | undefined;
  } = {},
): Promise<CodeResult> {
  const redirectUri = options.redirectUri ?? REDIRECT;
  const pkce = options.pkce === false ? undefined : pkcePair();
  const params = new URLSearchParams({
    client_id: options.clientId ?? 'web',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid profile offline_access',
    state: 'state-1',
    nonce: 'nonce-1',
  });
  if (pkce) {
    params.set('code_challenge', pkce.challenge);
    params.set('code_challenge_method', 'S256');
  }
  const browser = new FormBrowser();
  const location = await browser.signIn(
    `${issuer}/authorize?${params}`,
    options.username ?? 'alice',
    'password' in options ? options.password : 'alice-pw',
  );
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`No code in ${location}`);
  return { code, verifier: pkce?.verifier, redirectUri, callback, browser };
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
}

/** The token request that redeems `result` correctly, for tests to vary one field of. */
export function redemption(result: CodeResult): Record<string, string> {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    code: result.code,
    redirect_uri: result.redirectUri,
  };
  if (result.verifier) fields.code_verifier = result.verifier;
  return fields;
}

/** Redeems a code (as `web` with client_secret_basic by default), failing on any error. */
export async function redeem(
  issuer: string,
  result: CodeResult,
  auth = basic('web', 'web-secret'),
): Promise<Tokens> {
  const response = await tokenRequest(issuer, redemption(result), { authorization: auth });
  expect(response.status, response.text).toBe(200);
  return response.json as Tokens;
}

/** A code for `web` through the real login form, redeemed at once. */
export async function signedInTokens(
  issuer: string,
  options: Parameters<typeof obtainCode>[1] = {},
): Promise<Tokens> {
  return redeem(issuer, await obtainCode(issuer, options));
}

/** Every token the engine recorded, optionally filtered (admin service, as the UI sees them). */
export async function listTokens(engine: Engine, filter: Record<string, unknown> = {}): Promise<Token[]> {
  const { tokens } = (await engine.call('tokens.list', { limit: 10_000, ...filter })) as { tokens: Token[] };
  return tokens;
}

/** A fingerprint of the whole token table: equal before and after means nothing was issued or changed. */
export async function tokenSnapshot(engine: Engine): Promise<string> {
  const tokens = await listTokens(engine);
  return JSON.stringify(
    tokens
      .map((t) => ({ id: t.id, state: t.state, revoked_at: t.revoked_at, last_used_at: t.last_used_at }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  );
}

export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
}

export function jwtHeader(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString('utf8'));
}

/** The record of a token the engine issued, found by JWT `jti` or by its place in a grant. */
export async function tokenById(engine: Engine, id: string): Promise<Token> {
  const token = (await listTokens(engine)).find((t) => t.id === id);
  if (!token) throw new Error(`No token ${id}`);
  return token;
}
