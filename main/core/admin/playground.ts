import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { AdminParsedInput, PlaygroundOutput, PlaygroundStep } from '../../../shared/contract';
import { AdminError } from '../../../shared/errors';
import type { ProviderContext } from '../context';
import { splitScope } from '../oauth/claims';
import { ENDPOINTS } from '../oauth/discovery';
import type { ClientRecord } from '../store/clients';

type Json = PlaygroundStep['values'];
type Exchange = NonNullable<PlaygroundStep['http']>;

interface PlaygroundDeps {
  ctx: ProviderContext;
  /** Where the engine listens on this machine (the issuer may be a public name). */
  localOrigin(): string;
  /** PEM of the local CA the engine's HTTPS certificate comes from; undefined over plain HTTP. */
  localCa?(): string | undefined;
}

/** Response bodies are shown, not stored: long HTML pages are cut. */
const MAX_BODY = 4000;

function random(): string {
  return randomBytes(32).toString('base64url');
}

/** Decodes a token for display: header and payload of a JWT, or a note that it is opaque. */
function describeToken(value: string | undefined): Json[string] {
  if (!value) return null;
  if (value.split('.').length !== 3) return { format: 'opaque (reference)', value };
  try {
    return { header: decodeProtectedHeader(value) as Json, payload: decodeJwt(value) as Json };
  } catch {
    return { format: 'unreadable', value };
  }
}

/**
 * The flow playground: runs a real OAuth flow against this provider over HTTP, the way a client and a
 * browser would, and returns every request and response with the spec section it comes from.
 */
export async function runPlayground(
  deps: PlaygroundDeps,
  input: AdminParsedInput<'playground.run'>,
): Promise<PlaygroundOutput> {
  const { ctx } = deps;
  const issuer = ctx.issuer();
  const client = ctx.clients.require(input.client_id);
  const steps: PlaygroundStep[] = [];
  const tokens: Record<string, string> = {};

  /** One real HTTP exchange with the provider, sent to the local address with the issuer's Host. */
  function send(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    headers: Record<string, string>,
    body: string | null,
  ): Promise<Exchange> {
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
  function withClientAuth(
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

  async function tokenRequest(form: Record<string, string>) {
    const { headers, body } = withClientAuth(client, form);
    const http = await send('POST', ENDPOINTS.token, headers, body);
    const parsed =
      http.response.status === 200 ? (JSON.parse(http.response.body) as Record<string, string>) : null;
    return { http, parsed };
  }

  function parsedBody(http: Exchange): Json {
    try {
      return JSON.parse(http.response.body) as Json;
    } catch {
      return {};
    }
  }

  async function introspectStep(token: string, why: string) {
    if (client.token_endpoint_auth_method === 'none') {
      steps.push({
        title: 'Introspection skipped',
        spec: 'RFC 7662 §2.1',
        explanation: `${client.client_id} is a public client; only a confidential client (a resource server) may introspect.`,
        http: null,
        values: {},
      });
      return;
    }
    const { headers, body } = withClientAuth(client, { token });
    const http = await send('POST', ENDPOINTS.introspection, headers, body);
    steps.push({
      title: 'Resource server → POST /introspect',
      spec: 'RFC 7662 §2.1–2.2',
      explanation: why,
      http,
      values: { introspection: parsedBody(http) },
    });
  }

  const finish = (ok: boolean): PlaygroundOutput => ({ flow: input.flow, ok, steps, tokens });

  if (input.flow === 'authorization_code') {
    if (!client.grant_types.includes('authorization_code')) {
      throw new AdminError(
        'invalid_input',
        `Client "${client.client_id}" is not allowed the authorization_code grant.`,
      );
    }
    const redirectUri = client.redirect_uris[0];
    if (!redirectUri)
      throw new AdminError('invalid_input', `Client "${client.client_id}" has no redirect URI.`);
    if (!input.username) throw new AdminError('invalid_input', 'Choose the user who signs in.');
    const user = ctx.users.require(input.username);
    const scope = input.scope ?? client.scope;

    const verifier = random();
    const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    const state = random().slice(0, 16);
    const nonce = random().slice(0, 16);
    steps.push({
      title: 'Client prepares PKCE, state and nonce',
      spec: 'RFC 7636 §4.1–4.2, OIDC Core §3.1.2.1',
      explanation:
        'The client keeps a random code_verifier secret and sends only its SHA-256 hash (code_challenge). Whoever redeems the code must know the verifier, so a stolen code is useless. state protects the redirect against CSRF; nonce binds the ID token to this request.',
      http: null,
      values: {
        code_verifier: verifier,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
        nonce,
      },
    });

    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const authorize = await send('GET', `${ENDPOINTS.authorization}?${query}`, {}, null);
    steps.push({
      title: 'Browser → GET /authorize',
      spec: 'RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3',
      explanation:
        'The client redirects the browser to the authorization endpoint. With no session yet, the provider shows its login page.',
      http: authorize,
      values: {},
    });
    const interaction = /name="interaction" value="([^"]+)"/.exec(authorize.response.body)?.[1];
    const binding = (authorize.response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    if (authorize.response.status !== 200 || !interaction) return finish(false);

    const loginForm: Record<string, string> = { interaction, username: user.username };
    if (user.password !== null) loginForm.password = user.password;
    const login = await send(
      'POST',
      '/login',
      { 'content-type': 'application/x-www-form-urlencoded', cookie: binding },
      new URLSearchParams(loginForm).toString(),
    );
    const location = login.response.headers.location;
    const callback = location ? new URL(location) : null;
    const code = callback?.searchParams.get('code') ?? null;
    steps.push({
      title: `User signs in as ${user.username} → POST /login`,
      spec: 'OIDC Core §3.1.2.3, RFC 6749 §4.1.2, RFC 9207',
      explanation:
        'After sign-in the provider answers 303 See Other back to the redirect URI with a short-lived, single-use code, the same state, and iss (so the client knows which provider answered).',
      http: login,
      values: {
        code,
        state: callback?.searchParams.get('state') ?? null,
        iss: callback?.searchParams.get('iss') ?? null,
      },
    });
    if (!code) return finish(false);

    const { http: tokenHttp, parsed } = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    steps.push({
      title: 'Client → POST /token (authorization_code)',
      spec: 'RFC 6749 §4.1.3–4.1.4, RFC 7636 §4.5, OIDC Core §3.1.3',
      explanation:
        'The client redeems the code with its credentials and the PKCE verifier. The provider checks the code is unused, bound to this client and redirect URI, and that SHA-256(verifier) equals the challenge.',
      http: tokenHttp,
      values: {
        access_token: describeToken(parsed?.access_token),
        id_token: describeToken(parsed?.id_token),
        refresh_token: parsed?.refresh_token ? 'opaque; rotated on every use' : null,
      },
    });
    if (!parsed) return finish(false);
    Object.assign(tokens, parsed);

    if (parsed.id_token) {
      const claims = decodeJwt(parsed.id_token);
      steps.push({
        title: 'Client validates the ID token',
        spec: 'OIDC Core §3.1.3.7',
        explanation:
          'A client must verify the signature with the JWKS, and check iss, aud (its client_id), exp, and that nonce equals the one it sent. at_hash ties the ID token to the access token.',
        http: null,
        values: {
          iss_matches: claims.iss === issuer,
          aud_matches: claims.aud === client.client_id,
          nonce_matches: claims.nonce === nonce,
          expires: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null,
        },
      });
    }
    if (splitScope(parsed.scope).includes('openid')) {
      const userinfo = await send(
        'GET',
        ENDPOINTS.userinfo,
        { authorization: `Bearer ${parsed.access_token}` },
        null,
      );
      steps.push({
        title: 'Client → GET /userinfo',
        spec: 'OIDC Core §5.3, RFC 6750 §2.1',
        explanation:
          'The access token is presented as a Bearer token; the provider returns the claims the granted scopes allow.',
        http: userinfo,
        values: { claims: parsedBody(userinfo) },
      });
    }
    return finish(true);
  }

  if (input.flow === 'refresh_token') {
    if (!input.token)
      throw new AdminError(
        'invalid_input',
        'Give the refresh token to use (run the authorization code flow first).',
      );
    const { http, parsed } = await tokenRequest({ grant_type: 'refresh_token', refresh_token: input.token });
    steps.push({
      title: 'Client → POST /token (refresh_token)',
      spec: 'RFC 6749 §6, RFC 9700 §4.14.2',
      explanation:
        'The client trades its refresh token for new tokens. The refresh token is rotated: the old one is now used up, and presenting it again would revoke the whole token family (reuse detection).',
      http,
      values: {
        access_token: describeToken(parsed?.access_token),
        id_token: describeToken(parsed?.id_token),
        new_refresh_token_differs: parsed ? parsed.refresh_token !== input.token : null,
      },
    });
    if (!parsed) return finish(false);
    Object.assign(tokens, parsed);
    return finish(true);
  }

  if (input.flow === 'client_credentials') {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (input.scope) form.scope = input.scope;
    const { http, parsed } = await tokenRequest(form);
    steps.push({
      title: 'Service → POST /token (client_credentials)',
      spec: 'RFC 6749 §4.4',
      explanation:
        'A service gets a token for itself, with no user: the subject is the client. No refresh token is issued.',
      http,
      values: { access_token: describeToken(parsed?.access_token) },
    });
    if (!parsed) return finish(false);
    Object.assign(tokens, parsed);
    await introspectStep(
      parsed.access_token as string,
      'The API asks the provider whether the token is active and what it may do.',
    );
    return finish(true);
  }

  // revocation
  if (!input.token) throw new AdminError('invalid_input', 'Give the token to revoke.');
  const { headers, body } = withClientAuth(client, { token: input.token });
  const http = await send('POST', ENDPOINTS.revocation, headers, body);
  steps.push({
    title: 'Client → POST /revoke',
    spec: 'RFC 7009 §2.1–2.2',
    explanation:
      'The client tells the provider it no longer needs the token. The answer is 200 even for unknown tokens. Revoking a refresh token also revokes the access tokens of its grant.',
    http,
    values: {},
  });
  await introspectStep(
    input.token,
    'Introspection now answers {"active":false}. A JWT access token would still verify locally: only services that introspect see the revocation.',
  );
  return finish(http.response.status === 200);
}
