import { tomlQuote as quoted } from '../quote';
import type { Recipe, RecipeInput } from './types';
import {
  expectedAudience,
  isPublicClient,
  portOf,
  redirectUriMatching,
  registerRedirectNote,
} from './values';

function proxyCfg({ issuer, client }: RecipeInput): string {
  const redirect = redirectUriMatching(
    client,
    /\/oauth2\/callback$/,
    'http://127.0.0.1:4180/oauth2/callback',
  );
  const publicClient = isPublicClient(client);
  const secretLine = publicClient
    ? `# ${client.client_id} is a public client, but oauth2-proxy requires a client secret: register a confidential
# client for the proxy and put its secret here.
client_secret = "its-secret"`
    : `client_secret = ${quoted(client.client_secret ?? '')}`;
  const bearerPassThrough =
    client.access_token_format === 'jwt'
      ? `
# To also let API callers through with this client's JWT access tokens (Authorization: Bearer …):
# skip_jwt_bearer_tokens = true
# oidc_extra_audiences = [${quoted(expectedAudience(client))}]`
      : `
# This client issues reference tokens: oauth2-proxy can only pass JWT bearer tokens through
# (skip_jwt_bearer_tokens), so browser sessions are what it protects here.`;
  return `# oauth2-proxy --config oauth2-proxy.cfg
${registerRedirectNote(redirect, '#')}provider = "oidc"
provider_display_name = "IDP Sandbox"
oidc_issuer_url = ${quoted(issuer)}
client_id = ${quoted(client.client_id)}
${secretLine}
redirect_url = ${quoted(redirect.uri)}
scope = ${quoted(client.scope)}
code_challenge_method = "S256"

http_address = "127.0.0.1:${portOf(redirect.uri)}"
upstreams = ["http://127.0.0.1:8080/"]

# Any signed-in test user may pass. oauth2-proxy takes the user's email from the ID token: give test
# users an "email" claim (or set oidc_email_claim = "sub"), and accept it without email_verified.
email_domains = ["*"]
insecure_oidc_allow_unverified_email = true

# Encrypts the session cookie: 32 random bytes, e.g. \`openssl rand -base64 32 | tr -- '+/' '-_'\`.
cookie_secret = "replace-with-32-random-bytes-base64"
${issuer.startsWith('http:') || redirect.uri.startsWith('http:') ? '# Plain http on 127.0.0.1: a Secure cookie would never be sent back.\ncookie_secure = false\n' : ''}${bearerPassThrough}
`;
}

export const oauth2ProxyRecipe: Recipe = {
  id: 'oauth2-proxy',
  title: 'oauth2-proxy',
  kind: 'gateway',
  summary: 'A reverse proxy that signs users in before any request reaches the app behind it.',
  exercisedBy: null,
  render(input) {
    return [{ name: 'oauth2-proxy.cfg', language: 'ini', content: proxyCfg(input) }];
  },
};
