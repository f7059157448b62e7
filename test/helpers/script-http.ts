/**
 * Plain-fetch helpers for tests that talk to a running engine the way a QA script would: the admin
 * HTTP API with the bearer token, and the token, introspection, revocation and JWKS endpoints.
 * Each request uses its own connection, as curl does, so no pooled keep-alive socket outlives an
 * engine that a test closes and restarts on the same port.
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';

export interface AdminHttpError {
  status: number;
  body: { code: string; message: string };
}

/** `POST <issuer>/admin/api/<method>` with the admin token; resolves the JSON output, rejects with status and body. */
export async function adminHttp<T = unknown>(
  engine: { issuer: string; adminToken: string },
  method: string,
  input: unknown = {},
): Promise<T> {
  const response = await fetch(`${engine.issuer}/admin/api/${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${engine.adminToken}`,
      'content-type': 'application/json',
      connection: 'close',
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as unknown;
  if (!response.ok) {
    throw Object.assign(new Error(`${method} answered ${response.status}: ${JSON.stringify(body)}`), {
      status: response.status,
      body,
    });
  }
  return body as T;
}

/** RFC 6749 §2.3.1 Basic credentials (each part form-urlencoded first). */
export function basicAuth(clientId: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64')}`;
}

async function postForm(url: string, auth: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: auth,
      'content-type': 'application/x-www-form-urlencoded',
      connection: 'close',
    },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export interface Credentials {
  clientId: string;
  secret: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** A token request with client_secret_basic; throws with the OAuth error unless it succeeds. */
export async function tokenRequest(
  issuer: string,
  client: Credentials,
  fields: Record<string, string>,
): Promise<TokenResponse> {
  const { status, body } = await postForm(
    `${issuer}/token`,
    basicAuth(client.clientId, client.secret),
    fields,
  );
  if (status !== 200) throw new Error(`token endpoint answered ${status}: ${JSON.stringify(body)}`);
  return body as unknown as TokenResponse;
}

/** The raw token endpoint answer, for tests that expect an error. */
export function tokenResponse(issuer: string, client: Credentials, fields: Record<string, string>) {
  return postForm(`${issuer}/token`, basicAuth(client.clientId, client.secret), fields);
}

export async function introspect(
  issuer: string,
  client: Credentials,
  token: string,
): Promise<Record<string, unknown>> {
  const { status, body } = await postForm(`${issuer}/introspect`, basicAuth(client.clientId, client.secret), {
    token,
  });
  if (status !== 200) throw new Error(`introspection answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export async function revoke(issuer: string, client: Credentials, token: string): Promise<void> {
  const { status, body } = await postForm(`${issuer}/revoke`, basicAuth(client.clientId, client.secret), {
    token,
  });
  if (status !== 200) throw new Error(`revocation answered ${status}: ${JSON.stringify(body)}`);
}

export async function fetchJwks(issuer: string): Promise<JSONWebKeySet> {
  const response = await fetch(`${issuer}/jwks`, { headers: { connection: 'close' } });
  if (response.status !== 200) throw new Error(`jwks answered ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

/** The engine's JWKS as it is right now, for jose's jwtVerify (no caching across calls). */
export async function currentJwks(issuer: string) {
  return createLocalJWKSet(await fetchJwks(issuer));
}

export async function discovery(issuer: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    headers: { connection: 'close' },
  });
  return (await response.json()) as Record<string, unknown>;
}
