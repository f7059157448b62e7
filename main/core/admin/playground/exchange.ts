import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { PlaygroundStep } from '../../../../shared/contract';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';
import { type ClientKeys, withClientAuth } from './client-auth';

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
  /** Pasted private keys of private_key_jwt clients, for this run only. */
  keys: ClientKeys;
  /** What must never be shown (pasted keys and their private members): a flow adds what it is given. */
  secrets: string[];
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
          request: { method, url: `${deps.ctx.origin()}${pathAndQuery}`, headers, body },
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

/** Who a request is sent as: the run's client unless another is named (the actor of an exchange). */
export interface SendAs {
  client?: ClientRecord;
  /** Headers made for this one request, such as a DPoP proof. */
  headers?: Record<string, string>;
}

/** POST to `path` as a client, authenticated as it is registered. */
export async function clientPost(
  run: PlaygroundRun,
  path: string,
  form: Record<string, string>,
  as: SendAs = {},
): Promise<Exchange> {
  const client = as.client ?? run.client;
  const { headers, body } = await withClientAuth(
    { client, keys: run.keys, issuer: run.issuer, clock: run.deps.ctx.clock },
    form,
  );
  return send(run, 'POST', path, { ...headers, ...as.headers }, body);
}

/** POST /token as the run's client (or `as.client`); `parsed` is the JSON answer of a 200, null otherwise. */
export async function tokenRequest(run: PlaygroundRun, form: Record<string, string>, as: SendAs = {}) {
  const http = await clientPost(run, run.deps.ctx.paths.token, form, as);
  const parsed =
    http.response.status === 200 ? (JSON.parse(http.response.body) as Record<string, string>) : null;
  return { http, parsed };
}

/** A resource server asks whether `token` is active (skipped for a public client, which may not). */
export async function introspectStep(
  run: PlaygroundRun,
  token: string,
  why: string,
  client: ClientRecord = run.client,
): Promise<Json> {
  if (client.token_endpoint_auth_method === 'none') {
    run.steps.push({
      title: 'Introspection skipped',
      spec: 'RFC 7662 §2.1',
      explanation: `${client.client_id} is a public client; only a confidential client (a resource server) may introspect.`,
      http: null,
      values: {},
    });
    return {};
  }
  const http = await clientPost(run, run.deps.ctx.paths.introspection, { token }, { client });
  const introspection = parsedBody(http);
  run.steps.push({
    title: 'Resource server → POST /introspect',
    spec: 'RFC 7662 §2.1–2.2',
    explanation: why,
    http,
    values: { introspection },
  });
  return introspection;
}
