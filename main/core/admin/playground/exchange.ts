import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { PlaygroundStep } from '../../../../shared/contract';
import { ENDPOINTS } from '../../oauth/discovery';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';

export type Json = PlaygroundStep['values'];
export type Exchange = NonNullable<PlaygroundStep['http']>;

export interface PlaygroundDeps {
  ctx: ProviderContext;
  /** Where the engine listens on this machine (the issuer may be a public name). */
  localOrigin(): string;
  /** PEM of the local CA the engine's HTTPS certificate comes from; undefined over plain HTTP. */
  localCa?(): string | undefined;
}

/** One playground run: where its requests go, the client they act as, and what it has recorded so far. */
export interface PlaygroundRun {
  deps: PlaygroundDeps;
  issuer: string;
  client: ClientRecord;
  steps: PlaygroundStep[];
  /** The tokens the last successful token response returned. */
  tokens: Record<string, string>;
}

/** Response bodies are shown, not stored: long HTML pages are cut. */
const MAX_BODY = 4000;

/** Decodes a token for display: header and payload of a JWT, or a note that it is opaque. */
export function describeToken(value: string | undefined): Json[string] {
  if (!value) return null;
  if (value.split('.').length !== 3) return { format: 'opaque (reference)', value };
  try {
    return { header: decodeProtectedHeader(value) as Json, payload: decodeJwt(value) as Json };
  } catch {
    return { format: 'unreadable', value };
  }
}

/** The access and ID token of a token response, decoded for display (null where it has none). */
export function describeTokens(parsed: Record<string, string> | null): Json {
  return { access_token: describeToken(parsed?.access_token), id_token: describeToken(parsed?.id_token) };
}

/** A response body as JSON, or {} when it is not JSON (an HTML error page). */
export function parsedBody(http: Exchange): Json {
  try {
    return JSON.parse(http.response.body) as Json;
  } catch {
    return {};
  }
}

/** One real HTTP exchange with the provider, sent to the local address with the issuer's Host. */
export function send(
  run: PlaygroundRun,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  headers: Record<string, string>,
  body: string | null,
): Promise<Exchange> {
  const { deps, issuer } = run;
  const target = new URL(pathAndQuery, deps.localOrigin());
  const allHeaders: Record<string, string> = { host: new URL(issuer).host, ...headers };
  if (body !== null) allHeaders['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const ca = deps.localCa?.();
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(target, { method, headers: allHeaders, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          request: { method, url: `${issuer}${pathAndQuery}`, headers, body },
          response: {
            status: res.statusCode ?? 0,
            headers: responseHeaders,
            body: text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}… (${text.length} characters)` : text,
          },
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

/** Client authentication as the client is registered (RFC 6749 §2.3). */
export function withClientAuth(
  c: ClientRecord,
  form: Record<string, string>,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const fields = { ...form };
  if (c.token_endpoint_auth_method === 'client_secret_basic') {
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(c.client_id)}:${encode(c.client_secret ?? '')}`).toString('base64')}`;
  } else if (c.token_endpoint_auth_method === 'client_secret_post') {
    fields.client_id = c.client_id;
    fields.client_secret = c.client_secret ?? '';
  } else {
    fields.client_id = c.client_id;
  }
  return { headers, body: new URLSearchParams(fields).toString() };
}

/** POST /token as the run's client; `parsed` is the JSON answer of a 200, null otherwise. */
export async function tokenRequest(run: PlaygroundRun, form: Record<string, string>) {
  const { headers, body } = withClientAuth(run.client, form);
  const http = await send(run, 'POST', ENDPOINTS.token, headers, body);
  const parsed =
    http.response.status === 200 ? (JSON.parse(http.response.body) as Record<string, string>) : null;
  return { http, parsed };
}

/** A resource server asks whether `token` is active (skipped for a public client, which may not). */
export async function introspectStep(run: PlaygroundRun, token: string, why: string): Promise<void> {
  const { client } = run;
  if (client.token_endpoint_auth_method === 'none') {
    run.steps.push({
      title: 'Introspection skipped',
      spec: 'RFC 7662 §2.1',
      explanation: `${client.client_id} is a public client; only a confidential client (a resource server) may introspect.`,
      http: null,
      values: {},
    });
    return;
  }
  const { headers, body } = withClientAuth(client, { token });
  const http = await send(run, 'POST', ENDPOINTS.introspection, headers, body);
  run.steps.push({
    title: 'Resource server → POST /introspect',
    spec: 'RFC 7662 §2.1–2.2',
    explanation: why,
    http,
    values: { introspection: parsedBody(http) },
  });
}
