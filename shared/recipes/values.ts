import { commentText, jsQuote } from '../quote';
import type { RecipeClient } from './types';

/**
 * Values several recipes derive from a client the same way, so they agree with one another and with
 * what the provider does.
 */

/** A JS, TS, JSON or Java string literal; other languages have their own in shared/quote.ts. */
export const quoted = jsQuote;

export function isPublicClient(client: RecipeClient): boolean {
  const method = client.token_endpoint_auth_method;
  // A private_key_jwt client has no secret either: it proves itself with its own key.
  return method === 'none' || (client.client_secret === null && method !== 'private_key_jwt');
}

/**
 * For a private_key_jwt client, the lines that load its private key (whose public part is registered
 * as its jwks) for openid-client's PrivateKeyJwt; nothing for any other client.
 */
export function privateKeyLines(client: RecipeClient): { importLine: string; declaration: string } {
  if (client.token_endpoint_auth_method !== 'private_key_jwt') return { importLine: '', declaration: '' };
  return {
    importLine: "import { importJWK } from 'jose'; // npm install jose\n",
    declaration:
      "// The private key whose public part is registered as this client's jwks, as a JWK in the environment.\n" +
      "const PRIVATE_KEY = await importJWK(JSON.parse(process.env.PRIVATE_KEY_JWK ?? '{}'));\n",
  };
}

/** The `aud` the provider puts in this client's access tokens (without a `resource` parameter). */
export function expectedAudience(client: RecipeClient): string {
  return client.audience[0] ?? client.client_id;
}

/** The introspection endpoint, as discovery lists it. */
export function introspectionEndpoint(issuer: string): string {
  return `${issuer}/introspect`;
}

export interface ChosenRedirect {
  uri: string;
  /** False when the client has no fitting redirect URI and `uri` is a suggestion to register. */
  registered: boolean;
}

/** The client's first redirect URI whose path matches, or `fallback` to register. */
export function redirectUriMatching(client: RecipeClient, path: RegExp, fallback: string): ChosenRedirect {
  const uri = client.redirect_uris.find((candidate) => path.test(pathOf(candidate)));
  return uri ? { uri, registered: true } : { uri: fallback, registered: false };
}

export function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname;
  } catch {
    return '/';
  }
}

export function originOf(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return uri;
  }
}

/** The port an app listening at `uri` uses. */
export function portOf(uri: string): number {
  try {
    const url = new URL(uri);
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  } catch {
    return 3000;
  }
}

/** A line (in the file's comment syntax) telling the user to register a redirect URI, or nothing. */
export function registerRedirectNote(redirect: ChosenRedirect, comment: string): string {
  if (redirect.registered) return '';
  return `${comment} Add ${commentText(redirect.uri)} to the client's redirect URIs: the provider only returns to registered ones.\n`;
}

/**
 * Lines (in the file's comment syntax) saying the client's access tokens are not the format this recipe
 * reads, or nothing.
 */
export function formatMismatch(
  client: RecipeClient,
  wanted: RecipeClient['access_token_format'],
  comment: string,
): string {
  if (client.access_token_format === wanted) return '';
  return wanted === 'jwt'
    ? `${comment} ${commentText(client.client_id)} issues reference tokens, which no JWT verifier can read: use the introspection
${comment} recipe, or set the client's access token format to JWT.\n`
    : `${comment} ${commentText(client.client_id)} issues JWT access tokens: the JWT recipe verifies them locally, without a call
${comment} per request. Introspection reads them too, and also sees a revocation at once.\n`;
}

/**
 * The end of a Python API recipe (its `Api` handler class answering JSON, then the server on $PORT),
 * the same in every Python recipe: each rendered file stays a whole program the user can run.
 */
export const PYTHON_JSON_API_TAIL = `    def answer(self, status, body, headers=None):
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8000"))), Api)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
`;
